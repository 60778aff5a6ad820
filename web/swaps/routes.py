"""Thin views over `scheduler.swaps.operations` and `scheduler.swaps.declines`: every change is a POST that
commits and redirects with a message, or rolls back and says why in the reader's language."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from scheduler.core.weeks import parse_week
from scheduler.swaps import declines
from scheduler.swaps import lists as swap_lists
from scheduler.swaps import operations as swaps
from scheduler.week import desk as week_desk
from scheduler.week.edits import EditRefused
from web.access import acting_user, roles_required
from web.config import app_settings
from web.dates import now
from web.db import db
from web.solve_runner import solve_runner
from web.swaps import bp, messages
from web.swaps.forms import ActionForm, AskForm, RefuseForm, RejectForm

REFUSALS = (swaps.SwapRefused, EditRefused)


def _refused(error, target: str):
    db().rollback()
    for line in messages.swap_refused(error):
        flash(line, "error")
    return redirect(target)


def _form_errors(form) -> None:
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "error")


def _back(default: str) -> str:
    # Only a path on this site: never an open redirect.
    target = request.form.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else default


# --- the provider's side --------------------------------------------------------------------

@bp.route("/my/swaps")
@roles_required("provider")
def my_swaps():
    incoming, outgoing = swap_lists.mine(db(), acting_user(), now())
    return render_template("swaps/my_swaps.html", incoming=incoming, outgoing=outgoing, form=ActionForm(),
                           refuse_form=RefuseForm(), approval=current_app.config["SWAP_APPROVAL"])


@bp.route("/my/assignments/<int:slot_id>/swap", methods=["GET", "POST"])
@roles_required("provider")
def ask(slot_id: int):
    user, session = acting_user(), db()
    try:
        offer = swaps.offer(session, user, slot_id, now())
    except swaps.SwapRefused as error:
        return _refused(error, url_for("mine.assignments"))
    form = AskForm()
    form.person.choices = [(c.person.id, c.person.name) for c in offer.colleagues]
    refusals: list[str] = []
    if form.validate_on_submit():
        try:
            swap = swaps.ask(session, user, slot_id, form.person.data, form.note.data, now())
        except REFUSALS as error:
            session.rollback()
            refusals = messages.swap_refused(error)
        else:
            session.commit()
            flash(_("Your request has gone to %(name)s. You will see the answer here.",
                    name=next(c.person.name for c in offer.colleagues if c.person.id == swap.to_person_id)),
                  "success")
            return redirect(url_for("swaps.my_swaps"))
    return render_template("swaps/ask.html", offer=offer, form=form, refusals=refusals,
                           withdraw_form=ActionForm()), (422 if refusals else 200)


@bp.route("/my/swaps/<int:swap_id>/accept", methods=["POST"])
@roles_required("provider")
def accept(swap_id: int):
    target = url_for("swaps.my_swaps")
    if not ActionForm().validate_on_submit():
        return redirect(target)
    try:
        swap = swaps.accept(db(), acting_user(), swap_id, now(), current_app.config["SWAP_APPROVAL"],
                            feed_domain=app_settings().feed_domain)
    except REFUSALS as error:
        return _refused(error, target)
    db().commit()
    flash(_accepted_message(swap.status), "success")
    return redirect(target)


def _accepted_message(status: str) -> str:
    if status == "applied":
        return _("Thank you. The place is yours: the new roster is published and both calendars show it.")
    if status == "approved":
        return _("Thank you. The place is yours in the week's draft; it is published with the coordinator's "
                 "next version.")
    return _("Thank you. A coordinator approves swaps here; you will see the decision on this page.")


@bp.route("/my/swaps/<int:swap_id>/refuse", methods=["POST"])
@roles_required("provider")
def refuse(swap_id: int):
    form = RefuseForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return redirect(url_for("swaps.my_swaps"))
    try:
        swaps.refuse(db(), acting_user(), swap_id, form.reason.data, now())
    except REFUSALS as error:
        return _refused(error, url_for("swaps.my_swaps"))
    db().commit()
    flash(_("You have said no; your colleague will see it."), "success")
    return redirect(url_for("swaps.my_swaps"))


@bp.route("/my/swaps/<int:swap_id>/withdraw", methods=["POST"])
@roles_required("provider")
def withdraw(swap_id: int):
    target = url_for("swaps.my_swaps")
    if not ActionForm().validate_on_submit():
        return redirect(target)
    try:
        swaps.withdraw(db(), acting_user(), swap_id, now())
    except REFUSALS as error:
        return _refused(error, target)
    db().commit()
    flash(_("Your request has been withdrawn."), "success")
    return redirect(target)


# --- the coordinator's side -----------------------------------------------------------------

@bp.route("/districts/<int:district_id>/answers")
@roles_required("coordinator")
def district(district_id: int):
    found = week_desk.district_for(db(), acting_user(), district_id)
    return render_template("swaps/district.html", district=found)


@bp.route("/districts/<int:district_id>/weeks/<week>/replan", methods=["POST"])
@roles_required("coordinator")
def replan(district_id: int, week: str):
    user, session = acting_user(), db()
    week_desk.district_for(session, user, district_id)
    back = _back(url_for("swaps.district", district_id=district_id))
    try:
        week_start = parse_week(week)
    except ValueError:
        flash(_("“%(text)s” is not a date (YYYY-MM-DD).", text=week[:20]), "error")
        return redirect(back)
    if not ActionForm().validate_on_submit():
        return redirect(back)
    try:
        job = declines.replan_week(session, user, district_id, week_start, now(),
                                   float(current_app.config["SOLVE_TIME_LIMIT"]))
    except declines.ReplanRefused as error:
        session.rollback()
        flash(messages.replan_refused(error), "error")
        return redirect(back)
    session.commit()
    solve_runner().submit(job.id)
    flash(_("Re-planning the week: the declined places are out of the draft and the solver fills them, "
            "changing as little else as it can. Review and publish when it is done."), "success")
    return redirect(url_for("week.job", job_id=job.id))


@bp.route("/swaps/<int:swap_id>/approve", methods=["POST"])
@roles_required("coordinator")
def approve(swap_id: int):
    form = ActionForm()
    user, session = acting_user(), db()
    slot = swaps.for_coordinator(session, user, swap_id)[1]
    back = _back(url_for("swaps.district", district_id=slot.district_id))
    if not form.validate_on_submit():
        return redirect(back)
    try:
        done = swaps.approve(session, user, swap_id, now(), feed_domain=app_settings().feed_domain)
    except REFUSALS as error:
        return _refused(error, back)
    session.commit()
    flash(_("Swap approved and published.") if done.status == "applied" else
          _("Swap approved. It is in the week's draft, with your other changes: publish the week to send it out."),
          "success")
    return redirect(back)


@bp.route("/swaps/<int:swap_id>/reject", methods=["POST"])
@roles_required("coordinator")
def reject(swap_id: int):
    form = RejectForm()
    user, session = acting_user(), db()
    slot = swaps.for_coordinator(session, user, swap_id)[1]
    back = _back(url_for("swaps.district", district_id=slot.district_id))
    if not form.validate_on_submit():
        _form_errors(form)
        return redirect(back)
    try:
        swaps.reject(session, user, swap_id, form.reason.data, now())
    except REFUSALS as error:
        return _refused(error, back)
    session.commit()
    flash(_("Swap rejected; both colleagues see your reason."), "success")
    return redirect(back)
