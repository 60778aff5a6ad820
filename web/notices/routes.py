"""Outbox views: thin wrappers over `scheduler.notices.desk` with the acting user passed in."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from scheduler.core.access import NotVisible
from scheduler.notices import desk
from web.access import acting_user, roles_required
from web.dates import now
from web.db import db
from web.ids import parse_int
from web.notices import bp


@bp.route("/")
@roles_required("coordinator")
def outbox():
    query = desk.OutboxQuery(state=request.args.get("state") or None, channel=request.args.get("channel") or None,
                             page=parse_int(request.args.get("page")) or 1)
    view = desk.outbox_view(db(), acting_user(), query)
    return render_template("notices/outbox.html", view=view, query=query, states=desk.STATES,
                           channels=desk.CHANNEL_ORDER, state_of=desk.state_of, shown=desk.shown_recipient,
                           form=FlaskForm())


@bp.route("/<int:notification_id>/resend", methods=["POST"])
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
