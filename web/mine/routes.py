"""The provider's own corner: thin views over `scheduler.mine.self_service`. Every change is a
POST that redirects back with a message."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from scheduler.mine import busy_ics
from scheduler.mine import self_service as service
from web.access import acting_user, roles_required
from web.dates import now
from web.db import db
from web.mine import bp
from web.mine.forms import DeclineForm, DeleteForm, PeriodForm, RuleForm, UploadForm
from web.mine.messages import self_service_error


def _form_errors(form) -> None:
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "error")


def _done(message: str, endpoint: str):
    db().commit()
    flash(message, "success")
    return redirect(url_for(endpoint))


def _refused(error: service.SelfServiceError, endpoint: str):
    db().rollback()
    flash(self_service_error(error), "error")
    return redirect(url_for(endpoint))


@bp.route("/assignments")
@roles_required("provider")
def assignments():
    weeks = service.upcoming(db(), acting_user(), now())
    person = service.provider_person(db(), acting_user())
    return render_template("mine/assignments.html", weeks=weeks, person=person, form=DeclineForm())


@bp.route("/assignments/<int:slot_id>/decline", methods=["POST"])
@roles_required("provider")
def decline(slot_id: int):
    form = DeclineForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return redirect(url_for("mine.assignments"))
    try:
        service.decline(db(), acting_user(), slot_id, form.reason.data, now())
    except service.SelfServiceError as error:
        return _refused(error, "mine.assignments")
    return _done(_("Declined. Your coordinator will find someone else."), "mine.assignments")


@bp.route("/availability")
@roles_required("provider")
def availability():
    view = service.availability(db(), acting_user(), now())
    return render_template("mine/availability.html", view=view, rule_form=RuleForm(), period_form=PeriodForm(),
                           upload_form=UploadForm(), delete_form=DeleteForm())


@bp.route("/availability/rules", methods=["POST"])
@roles_required("provider")
def add_rule():
    form = RuleForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return redirect(url_for("mine.availability"))
    try:
        service.add_rule(db(), acting_user(), form.weekday.data, form.start.data, form.end.data, form.kind.data)
    except service.SelfServiceError as error:
        return _refused(error, "mine.availability")
    return _done(_("The weekly time has been added."), "mine.availability")


@bp.route("/availability/rules/<int:rule_id>/delete", methods=["POST"])
@roles_required("provider")
def delete_rule(rule_id: int):
    if DeleteForm().validate_on_submit():
        service.delete_rule(db(), acting_user(), rule_id)
        return _done(_("The weekly time has been removed."), "mine.availability")
    return redirect(url_for("mine.availability"))


def _local(value: datetime) -> datetime:
    return value.replace(tzinfo=ZoneInfo(current_app.config["SCHEDULER_TIMEZONE"]))


@bp.route("/availability/periods", methods=["POST"])
@roles_required("provider")
def add_exception():
    form = PeriodForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return redirect(url_for("mine.availability"))
    try:
        service.add_exception(db(), acting_user(), _local(form.start.data), _local(form.end.data), form.kind.data,
                              form.note.data)
    except service.SelfServiceError as error:
        return _refused(error, "mine.availability")
    return _done(_("The period has been added."), "mine.availability")


@bp.route("/availability/periods/<int:exception_id>/delete", methods=["POST"])
@roles_required("provider")
def delete_exception(exception_id: int):
    if DeleteForm().validate_on_submit():
        try:
            service.delete_exception(db(), acting_user(), exception_id)
        except service.SelfServiceError as error:
            return _refused(error, "mine.availability")
        return _done(_("The period has been removed."), "mine.availability")
    return redirect(url_for("mine.availability"))


@bp.route("/availability/calendar", methods=["POST"])
@roles_required("provider")
def upload_calendar():
    form = UploadForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return availability(), 400
    upload = form.calendar.data
    try:
        # One byte past the limit is enough to refuse a file that is too large.
        data = upload.stream.read(busy_ics.MAX_BYTES + 1)
        row = service.import_calendar(db(), acting_user(), upload.filename or "", data, now())
    except service.SelfServiceError as error:
        # The page itself, with the reason, answers a refused file: 422, not a redirect.
        db().rollback()
        flash(self_service_error(error), "error")
        return availability(), 422
    return _done(_("Calendar read: %(count)d busy periods in the next 180 days, replacing the last upload.",
                   count=row.events_count), "mine.availability")
