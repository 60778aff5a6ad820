"""Shift templates and square events: thin views over `scheduler.demand.standing` and
`scheduler.demand.shift_calendar`."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from models import District
from scheduler.core.access import NotVisible, require_district, visible_districts
from scheduler.core.checking import LineInput, Refused
from scheduler.core.weeks import monday_of
from scheduler.demand import standing
from scheduler.demand.shift_calendar import MAX_WEEKS, shift_weeks
from web.access import acting_user, roles_required
from web.checks import attach, fields_with_errors, problem_text, skill_list, summary
from web.config import app_settings
from web.dates import local_today, now
from web.db import db
from web.demand import bp
from web.demand.forms import ButtonForm, EventForm, TemplateForm, without_line
from web.demand.holiday_names import holiday_label
from web.ids import parse_int
from web.labels import skill_names


def _int(value: str | None) -> int | None:
    return parse_int(value)


def _district(district_id: int) -> District:
    require_district(acting_user(), district_id)
    district = db().get(District, district_id)
    if district is None:
        raise NotVisible("No such district.")
    return district


@bp.route("/demand")
@roles_required("coordinator")
def index():
    districts = visible_districts(db(), acting_user())
    if len(districts) == 1:
        return redirect(url_for("demand.district", district_id=districts[0].id))
    return render_template("demand/index.html", districts=districts)


@bp.route("/districts/<int:district_id>/demand")
@roles_required("coordinator")
def district(district_id: int):
    user = acting_user()
    district = _district(district_id)
    today = local_today()
    try:
        first = date.fromisoformat(request.args.get("from") or today.isoformat())
    except ValueError:
        flash(_("Not a date: %(value)s. Showing the coming weeks.", value=request.args.get("from")), "error")
        first = today
    weeks = min(max(_int(request.args.get("weeks")) or 4, 1), MAX_WEEKS)
    return render_template(
        "demand/district.html", district=district, first=monday_of(first), weeks_shown=weeks,
        calendar=shift_weeks(db(), user, district_id, first, weeks),
        templates=standing.district_templates(db(), user, district_id),
        events=standing.district_events(db(), user, district_id, now()),
        holiday_label=holiday_label, button_form=ButtonForm(), max_weeks=MAX_WEEKS)


def _lines(form) -> tuple[LineInput, ...]:
    return tuple(LineInput(tuple(e.form.roles.data or ()), e.form.count.data, skill_list(e.form.skills.data))
                 for e in form.lines.entries)


def _line_data(lines) -> list[dict]:
    return [{"roles": list(ln.roles), "count": ln.count, "skills": skill_names(ln.skills)} for ln in lines]


def _redraw(form_class, sites):
    """Add or remove a line without saving; None when the post is a save."""
    if "remove_line" in request.form and (index := _int(request.form.get("remove_line"))) is not None:
        form = form_class(sites, formdata=without_line(request.form, index))
        if not form.lines.entries:
            form.lines.append_entry({"count": 1})
        return form
    if request.form.get("add_line"):
        form = form_class(sites)
        form.lines.append_entry({"count": 1})
        return form
    return None


def _save(form, make_input, check, save):
    """Parse, check everything at once, save when nothing is wrong. Returns (done, problems)."""
    form.validate()
    data = make_input()
    found = check(data)
    if not form.errors and not found:
        try:
            save(data)
        except Refused as refused:  # changed meanwhile
            db().rollback()
            found = refused.problems
        else:
            db().commit()
            return True, []
    return False, summary(form, attach(form, found, fields_with_errors(form)))


def _template_input(form: TemplateForm) -> standing.TemplateInput:
    return standing.TemplateInput(
        site_id=_int(form.site.data), name=form.name.data, weekday=_int(form.weekday.data),
        start=form.start.data, end=form.end.data, priority=_int(form.priority.data),
        valid_from=form.valid_from.data, valid_to=form.valid_to.data, lines=_lines(form))


def _template_page(form, district, template, problems):
    return render_template("demand/template_form.html", form=form, district=district, template=template,
                           problems=problems,
                           generated=standing.generated_slots(db(), template_id=template.id, after=now())
                           if template else [])


@bp.route("/districts/<int:district_id>/shifts/new", methods=["GET", "POST"])
@roles_required("coordinator")
def new_template(district_id: int):
    user = acting_user()
    district = _district(district_id)
    sites = standing.demand_sites(db(), user, district_id, standing.TEMPLATE_SITE_KINDS)
    problems: list = []
    form = _redraw(TemplateForm, sites) if request.method == "POST" else None
    if form is None:
        form = TemplateForm(sites, data={"site": request.args.get("site", ""), "priority": "3",
                                         "lines": [{"count": 1}]})
        if request.method == "POST":
            done, problems = _save(form, lambda: _template_input(form),
                                   lambda d: standing.check_template(db(), district_id, d),
                                   lambda d: standing.create_template(db(), user, district_id, d))
            if done:
                flash(_("The shift has been added."), "success")
                return redirect(url_for("demand.district", district_id=district_id, _anchor="shifts"))
    return _template_page(form, district, None, problems)


@bp.route("/shifts/<int:template_id>/edit", methods=["GET", "POST"])
@roles_required("coordinator")
def edit_template(template_id: int):
    user = acting_user()
    template = standing.get_template(db(), user, template_id)
    district = template.site.district
    sites = standing.demand_sites(db(), user, district.id, standing.TEMPLATE_SITE_KINDS)
    if template.site not in sites:
        sites.insert(0, template.site)
    problems: list = []
    form = _redraw(TemplateForm, sites) if request.method == "POST" else None
    if form is None:
        form = TemplateForm(sites, data={
            "site": str(template.site_id), "name": template.name, "weekday": str(template.weekday),
            "start": template.start_time, "end": template.end_time, "priority": str(template.priority),
            "valid_from": template.valid_from, "valid_to": template.valid_to, "lines": _line_data(template.lines)})
        if request.method == "POST":
            done, problems = _save(form, lambda: _template_input(form),
                                   lambda d: standing.check_template(db(), district.id, d),
                                   lambda d: standing.update_template(db(), user, template_id, d))
            if done:
                flash(_("The changes have been saved."), "success")
                return redirect(url_for("demand.district", district_id=district.id, _anchor="shifts"))
    return _template_page(form, district, template, problems)


def _set_active(template_id: int, active: bool):
    template = standing.get_template(db(), acting_user(), template_id)
    if ButtonForm().validate_on_submit():
        standing.set_template_active(db(), acting_user(), template_id, active)
        db().commit()
        flash(_("The shift is active again.") if active else
              _("The shift is deactivated: weeks generated from now on leave it out."), "success")
    return redirect(url_for("demand.district", district_id=template.site.district_id, _anchor="shifts"))


@bp.route("/shifts/<int:template_id>/deactivate", methods=["POST"])
@roles_required("coordinator")
def deactivate_template(template_id: int):
    return _set_active(template_id, False)


@bp.route("/shifts/<int:template_id>/reactivate", methods=["POST"])
@roles_required("coordinator")
def reactivate_template(template_id: int):
    return _set_active(template_id, True)


def _aware(value: datetime | None, zone: str) -> datetime | None:
    return None if value is None else value.replace(tzinfo=ZoneInfo(zone))


def _local(value: datetime, zone: str) -> datetime:
    return value.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def _event_input(form: EventForm, zone: str) -> standing.EventInput:
    return standing.EventInput(
        site_id=_int(form.site.data), title=form.title.data, description=form.description.data,
        start_at=_aware(form.start_at.data, zone), end_at=_aware(form.end_at.data, zone),
        priority=_int(form.priority.data), lines=_lines(form))


def _event_page(form, district, event, problems):
    return render_template("demand/event_form.html", form=form, district=district, event=event, problems=problems,
                           generated=standing.generated_slots(db(), event_id=event.id, after=now())
                           if event else [])


@bp.route("/districts/<int:district_id>/events/new", methods=["GET", "POST"])
@roles_required("coordinator")
def new_event(district_id: int):
    user = acting_user()
    district = _district(district_id)
    sites = standing.demand_sites(db(), user, district_id, standing.EVENT_SITE_KINDS)
    problems: list = []
    form = _redraw(EventForm, sites) if request.method == "POST" else None
    if form is None:
        form = EventForm(sites, data={"site": request.args.get("site", ""), "priority": "4", "lines": [{"count": 1}]})
        if request.method == "POST":
            done, problems = _save(form, lambda: _event_input(form, district.timezone),
                                   lambda d: standing.check_event(db(), district_id, d),
                                   lambda d: standing.create_event(db(), user, district_id, d))
            if done:
                flash(_("The event has been added."), "success")
                return redirect(url_for("demand.district", district_id=district_id, _anchor="events"))
    return _event_page(form, district, None, problems)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@roles_required("coordinator")
def edit_event(event_id: int):
    user = acting_user()
    event = standing.get_event(db(), user, event_id)
    district = event.site.district
    sites = standing.demand_sites(db(), user, district.id, standing.EVENT_SITE_KINDS)
    if event.site not in sites:
        sites.insert(0, event.site)
    problems: list = []
    form = _redraw(EventForm, sites) if request.method == "POST" else None
    if form is None:
        form = EventForm(sites, data={
            "site": str(event.site_id), "title": event.title, "description": event.description,
            "start_at": _local(event.start_at, district.timezone), "end_at": _local(event.end_at, district.timezone),
            "priority": str(event.priority), "lines": _line_data(event.lines)})
        if request.method == "POST":
            done, problems = _save(form, lambda: _event_input(form, district.timezone),
                                   lambda d: _event_problems(event, district.id, d),
                                   lambda d: standing.update_event(db(), user, event_id, d))
            if done:
                flash(_("The changes have been saved."), "success")
                return redirect(url_for("demand.district", district_id=district.id, _anchor="events"))
    return _event_page(form, district, event, problems)


def _event_problems(event, district_id: int, data):
    found = standing.check_event(db(), district_id, data)
    if event.status == "cancelled":
        found.add("", "event_cancelled")
    return found


@bp.route("/events/<int:event_id>/cancel", methods=["POST"])
@roles_required("coordinator")
def cancel_event(event_id: int):
    user = acting_user()
    event = standing.get_event(db(), user, event_id)
    district_id = event.site.district_id
    if ButtonForm().validate_on_submit():
        try:
            slots = standing.cancel_event(db(), user, event_id, now(), feed_domain=app_settings().feed_domain)
        except Refused as refused:
            db().rollback()
            for p in refused.problems:
                flash(problem_text(p), "error")
        else:
            db().commit()
            flash(_("The event is cancelled.") + " " + (
                _("Its places in the plan and in the calendars are cancelled too, and the people who were to come "
                  "are told.")
                if slots else ""), "success")
    return redirect(url_for("demand.district", district_id=district_id, _anchor="events"))
