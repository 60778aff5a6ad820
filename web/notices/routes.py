"""Outbox views: thin wrappers over `scheduler.notices.desk` with the acting user passed in."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from scheduler.core.access import NotVisible
from scheduler.notices import desk, preferences, routing
from web.access import acting_user, roles_required
from web.dates import now
from web.db import db
from web.ids import parse_int
from web.notices import bp
from web.notices.forms import PreferencesForm


@bp.route("/outbox/")
@roles_required("coordinator")
def outbox():
    query = desk.OutboxQuery(state=request.args.get("state") or None, channel=request.args.get("channel") or None,
                             page=parse_int(request.args.get("page")) or 1)
    view = desk.outbox_view(db(), acting_user(), query)
    return render_template("notices/outbox.html", view=view, query=query, states=desk.STATES,
                           channels=desk.CHANNEL_ORDER, state_of=desk.state_of, shown=desk.shown_recipient,
                           form=FlaskForm())


@bp.route("/outbox/<int:notification_id>/resend", methods=["POST"])
@roles_required("coordinator")
def resend(notification_id: int):
    if not FlaskForm().validate_on_submit():
        flash(_("The form had expired; please try again."), "error")
        return redirect(url_for("notices.outbox"))
    try:
        desk.resend(db(), acting_user(), notification_id, now())
    except NotVisible:
        abort(404)
    db().commit()
    flash(_("The message is queued again and goes out with the next sending."), "info")
    return redirect(url_for("notices.outbox", state="pending"))


PREFERENCE_ERRORS = {
    "unknown_channel": _l("Choose channels from the list."),
    "repeated_channel": _l("Each channel can be chosen once."),
    "bad_wecom_id": _l("A WeCom user ID has at most 64 characters and no spaces."),
}


def _preferences_page(form: PreferencesForm, owner, reaches, *, person: bool, endpoint: str, **ids):
    return render_template("notices/preferences.html", form=form, owner=owner, reaches=reaches, person=person,
                           action=url_for(endpoint, **ids), shown=desk.masked)


def _save(setter, target_id: int, form: PreferencesForm, *, wecom: bool) -> bool:
    """`setter` (preferences.set_person or set_village) with the form's choices; True when saved."""
    try:
        setter(db(), acting_user(), target_id, preferences.Preferences(
            form.channels(), bool(form.quiet_hours.data), bool(form.reminders.data),
            form.wecom_userid.data if wecom else None))
    except preferences.PreferenceError as error:
        db().rollback()
        flash(str(PREFERENCE_ERRORS[error.code]), "error")
        return False
    db().commit()
    flash(_("Saved: notices go as shown below."), "success")
    return True


@bp.route("/people/<int:person_id>/notices", methods=["GET", "POST"])
@roles_required("coordinator", "provider")
def person_preferences(person_id: int):
    person = preferences.person_for(db(), acting_user(), person_id)
    form = PreferencesForm()
    if form.validate_on_submit() and _save(preferences.set_person, person_id, form, wecom=True):
        return redirect(url_for("notices.person_preferences", person_id=person_id))
    if request.method == "GET":
        form.fill(person)
    return _preferences_page(form, person, [routing.person_reach(person)], person=True,
                             endpoint="notices.person_preferences", person_id=person_id)


@bp.route("/villages/<int:village_id>/notices", methods=["GET", "POST"])
@roles_required("coordinator", "village")
def village_preferences(village_id: int):
    village = preferences.village_for(db(), acting_user(), village_id)
    form = PreferencesForm()
    if form.validate_on_submit() and _save(preferences.set_village, village_id, form, wecom=False):
        return redirect(url_for("notices.village_preferences", village_id=village_id))
    if request.method == "GET":
        form.fill(village)
    return _preferences_page(form, village, routing.village_reach(db(), village), person=False,
                             endpoint="notices.village_preferences", village_id=village_id)


@bp.route("/my/notices")
@roles_required("provider", "village")
def mine():
    user = acting_user()
    if user.role == "provider":
        return redirect(url_for("notices.person_preferences", person_id=user.person_id))
    return redirect(url_for("notices.village_preferences", village_id=user.village_id))
