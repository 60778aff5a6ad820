"""A person's availability week for coordinators: thin views over
`scheduler.availability.desk`. Every change is a POST that redirects back to the week shown."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from models import Person
from scheduler.availability import desk
from scheduler.core.weeks import monday_of
from scheduler.mine.self_service import SelfServiceError
from scheduler.people.operations import get_person
from web.access import acting_user, roles_required
from web.availability import bp
from web.availability.forms import PeriodForm, RemoveForm, RuleForm
from web.availability.messages import availability_error
from web.dates import local_today
from web.db import db
from web.demand.holiday_names import holiday_label


def _week(value: str | None) -> date | None:
    try:
        return monday_of(date.fromisoformat(value)) if value else None
    except ValueError:
        return None


def _back(person_id: int, week: date | None):
    return redirect(url_for("availability.week", person_id=person_id, week=(week or monday_of(local_today())).isoformat()))


def _form_errors(form) -> None:
    for f in form:
        for error in f.errors:
            flash(_("%(label)s: %(text)s", label=f.label.text, text=error), "error")


def _prefill(rule_form: RuleForm, period_form: PeriodForm, week_start: date) -> None:
    """A click on a grid cell (?day=&at=) proposes that half-hour's weekday and times."""
    day, at = request.args.get("day", ""), request.args.get("at", "")
    if not (day.isdigit() and int(day) <= 6 and at):
        return
    try:
        start = time.fromisoformat(at)
    except ValueError:
        return
    moment = datetime.combine(week_start + timedelta(days=int(day)), start)
    end = min(moment + timedelta(hours=1), datetime.combine(moment.date(), time(23, 59)))
    rule_form.weekday.data, rule_form.start.data, rule_form.end.data = int(day), start, end.time()
    period_form.start.data, period_form.end.data = moment, end


@bp.route("/<int:person_id>/availability")
@roles_required("coordinator")
def week(person_id: int):
    asked = request.args.get("week")
    week_start = _week(asked)
    if asked and week_start is None:
        flash(_("Not a date: %(value)s. Showing this week.", value=asked), "error")
    week_start = week_start or monday_of(local_today())
    view = desk.person_week(db(), acting_user(), person_id, week_start)
    rule_form = RuleForm(prefix="rule", week=week_start.isoformat())
    period_form = PeriodForm(prefix="period", week=week_start.isoformat())
    _prefill(rule_form, period_form, week_start)
    return render_template(
        "availability/week.html", view=view, rule_form=rule_form, period_form=period_form,
        remove_form=RemoveForm(week=week_start.isoformat()), holiday_label=holiday_label,
        previous=week_start - timedelta(days=7), following=week_start + timedelta(days=7),
        this_week=monday_of(local_today()))


def _done(person_id: int, week: date | None, message: str):
    db().commit()
    flash(message, "success")
    return _back(person_id, week)


def _refused(person_id: int, week: date | None, error: SelfServiceError):
    db().rollback()
    flash(availability_error(error), "error")
    return _back(person_id, week)


@bp.route("/<int:person_id>/availability/rules", methods=["POST"])
@roles_required("coordinator")
def add_rule(person_id: int):
    form = RuleForm(prefix="rule")
    week_start = _week(form.week.data)
    _person(person_id)
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(person_id, week_start)
    try:
        desk.add_rule(db(), acting_user(), person_id, form.weekday.data, form.start.data, form.end.data,
                      form.kind.data, form.valid_from.data, form.valid_to.data)
    except SelfServiceError as error:
        return _refused(person_id, week_start, error)
    return _done(person_id, week_start, _("The weekly time has been added."))


@bp.route("/<int:person_id>/availability/rules/<int:rule_id>/delete", methods=["POST"])
@roles_required("coordinator")
def delete_rule(person_id: int, rule_id: int):
    form = RemoveForm()
    _person(person_id)
    if form.validate_on_submit():
        desk.delete_rule(db(), acting_user(), person_id, rule_id)
        return _done(person_id, _week(form.week.data), _("The weekly time has been removed."))
    return _back(person_id, _week(form.week.data))


def _person(person_id: int) -> Person:
    """The person, or 404 when out of the coordinator's districts (before anything else)."""
    return get_person(db(), acting_user(), person_id)


@bp.route("/<int:person_id>/availability/periods", methods=["POST"])
@roles_required("coordinator")
def add_exception(person_id: int):
    form = PeriodForm(prefix="period")
    week_start = _week(form.week.data)
    zone = ZoneInfo(_person(person_id).district.timezone)
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(person_id, week_start)
    try:
        desk.add_exception(db(), acting_user(), person_id, form.start.data.replace(tzinfo=zone),
                           form.end.data.replace(tzinfo=zone), form.kind.data, form.note.data)
    except SelfServiceError as error:
        return _refused(person_id, week_start, error)
    return _done(person_id, week_start, _("The period has been added."))


@bp.route("/<int:person_id>/availability/periods/<int:exception_id>/delete", methods=["POST"])
@roles_required("coordinator")
def delete_exception(person_id: int, exception_id: int):
    form = RemoveForm()
    week_start = _week(form.week.data)
    _person(person_id)
    if form.validate_on_submit():
        try:
            desk.delete_exception(db(), acting_user(), person_id, exception_id)
        except SelfServiceError as error:
            return _refused(person_id, week_start, error)
        return _done(person_id, week_start, _("The period has been removed."))
    return _back(person_id, week_start)
