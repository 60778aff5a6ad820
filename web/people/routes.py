"""People views: thin wrappers over `scheduler.people.operations` with the acting user passed in."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from scheduler.core.access import visible_districts
from scheduler.people import operations as service
from web.access import acting_user, roles_required
from web.dates import local_today
from web.db import db
from web.ids import parse_int
from web.labels import skill_names
from web.people import bp
from web.people.forms import ActiveForm, PersonForm, SearchForm
from web.people.messages import person_error

STATUS = {"active": True, "inactive": False, "all": None}


def _int_arg(value: str | None) -> int | None:
    return parse_int(value)


@bp.route("/")
@roles_required("coordinator")
def index():
    user = acting_user()
    form = SearchForm(visible_districts(db(), user), request.args)
    query = service.PeopleQuery(
        text=(request.args.get("q") or "")[:64],
        district_id=_int_arg(request.args.get("district")),
        role=request.args.get("role") or None,
        active=STATUS.get(request.args.get("status") or "active", True),
        page=_int_arg(request.args.get("page")) or 1,
    )
    page = service.search_people(db(), user, query)
    return render_template("people/index.html", form=form, page=page)


@bp.route("/<int:person_id>")
@roles_required("coordinator")
def detail(person_id: int):
    person = service.get_person(db(), acting_user(), person_id)
    villages = service.paired_villages(db(), person, local_today())
    return render_template("people/detail.html", person=person, villages=villages, active_form=ActiveForm())


@bp.route("/<int:person_id>/phone", methods=["POST"])
@roles_required("coordinator")
def reveal_phone(person_id: int):
    """The page again with the full phone number, after an audit entry says who saw it."""
    user = acting_user()
    if not ActiveForm().validate_on_submit():
        return redirect(url_for("people.detail", person_id=person_id))
    phone = service.reveal_phone(db(), user, person_id)
    db().commit()
    person = service.get_person(db(), user, person_id)
    villages = service.paired_villages(db(), person, local_today())
    return render_template("people/detail.html", person=person, villages=villages, active_form=ActiveForm(),
                           revealed_phone=phone)


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@roles_required("coordinator")
def edit(person_id: int):
    user = acting_user()
    person = service.get_person(db(), user, person_id)
    form = PersonForm(service.organisation_choices(db(), person), obj=_FormData(person))
    if form.validate_on_submit():
        try:
            service.update_person(db(), user, person_id, _changes(form))
        except service.PersonError as error:
            db().rollback()
            flash(person_error(error), "error")
        else:
            db().commit()
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("people.detail", person_id=person_id))
    return render_template("people/edit.html", form=form, person=person)


@bp.route("/<int:person_id>/deactivate", methods=["POST"])
@roles_required("coordinator")
def deactivate(person_id: int):
    return _set_active(person_id, False)


@bp.route("/<int:person_id>/reactivate", methods=["POST"])
@roles_required("coordinator")
def reactivate(person_id: int):
    return _set_active(person_id, True)


def _set_active(person_id: int, active: bool):
    if ActiveForm().validate_on_submit():
        person = service.set_person_active(db(), acting_user(), person_id, active)
        db().commit()
        if active:
            flash(_("%(name)s is active again.", name=person.name), "success")
        else:
            flash(_("%(name)s has been deactivated and will not be scheduled.", name=person.name), "success")
    return redirect(url_for("people.detail", person_id=person_id))


class _FormData:
    """The person's values in the shape of the form's fields (posted values take precedence)."""

    def __init__(self, person) -> None:
        self.name = person.name
        self.phone = person.phone
        self.email = person.email
        self.badge_no = person.badge_no
        self.organisation = str(person.organisation_id or "")
        self.roles = person.role_names
        self.skills = skill_names(person.skill_names)
        self.max_hours_week = person.max_hours_week
        self.target_hours_week = person.target_hours_week
        self.max_slots_per_day = person.max_slots_per_day
        self.max_paired_sites = person.max_paired_sites


def _changes(form: PersonForm) -> service.PersonChanges:
    return service.PersonChanges(
        name=form.name.data or "",
        phone=form.phone.data,
        email=form.email.data,
        organisation_id=_int_arg(form.organisation.data),
        roles=list(form.roles.data or []),
        skills=form.skill_list(),
        max_hours_week=float(form.max_hours_week.data or 0),
        target_hours_week=None if form.target_hours_week.data is None else float(form.target_hours_week.data),
        max_slots_per_day=form.max_slots_per_day.data,
        max_paired_sites=form.max_paired_sites.data,
        badge_no=form.badge_no.data or "",
    )
