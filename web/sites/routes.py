"""Site views: thin wrappers over `scheduler.sites.search` with the acting user passed in."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from scheduler.core.access import require_district, visible_districts
from scheduler.core.checking import Refused
from scheduler.sites import admin as site_admin
from scheduler.sites import search as service
from web.access import acting_user, roles_required
from web.checks import attach, fields_with_errors, skill_list, summary
from web.dates import local_today
from web.db import db
from web.ids import parse_int
from web.labels import skill_names
from web.sites import bp
from web.sites.forms import ButtonForm, ExclusionForm, SearchForm, SiteForm

STATUS = {"active": True, "inactive": False, "all": None}


def _int_arg(value: str | None) -> int | None:
    return parse_int(value)


@bp.route("/")
@roles_required("coordinator")
def index():
    user = acting_user()
    form = SearchForm(visible_districts(db(), user), request.args)
    query = service.SitesQuery(
        text=(request.args.get("q") or "")[:64],
        district_id=_int_arg(request.args.get("district")),
        kind=request.args.get("kind") or None,
        active=STATUS.get(request.args.get("status") or "active", True),
        page=_int_arg(request.args.get("page")) or 1,
    )
    page = service.search_sites(db(), user, query)
    return render_template("sites/index.html", form=form, page=page)


@bp.route("/<int:site_id>")
@roles_required("coordinator")
def detail(site_id: int):
    site = service.get_site(db(), acting_user(), site_id)
    history = service.pairing_history(db(), site)
    current = service.current_of(history, local_today())
    return render_template("sites/detail.html", site=site, history=history, current=current,
                           exclusions=site_admin.exclusions(db(), site), exclusion_form=ExclusionForm(),
                           button_form=ButtonForm())


def _site_input(form: SiteForm) -> site_admin.SiteInput:
    weekday = form.visit_weekday.data
    return site_admin.SiteInput(
        name=form.name.data, lat=form.lat.data, lon=form.lon.data, address=form.address.data,
        phone=form.phone.data, township_id=_int_arg(form.township.data), needs=skill_list(form.needs.data),
        active=bool(form.active.data), visit_every_weeks=form.visit_every_weeks.data,
        visit_anchor=form.visit_anchor.data, visit_weekday=int(weekday) if weekday and weekday.isdigit() else None,
        visit_start=form.visit_start.data, visit_minutes=form.visit_minutes.data,
    )


class _SiteData:
    """A site's values in the shape of the form's fields (posted values take precedence)."""

    def __init__(self, site) -> None:
        data = site_admin.site_input_of(site)
        for key in ("name", "lat", "lon", "address", "phone", "active", "visit_every_weeks", "visit_anchor",
                    "visit_start", "visit_minutes"):
            setattr(self, key, getattr(data, key))
        self.township = str(data.township_id or "")
        self.needs = skill_names(data.needs)
        self.visit_weekday = "" if data.visit_weekday is None else str(data.visit_weekday)


def _problems(form: SiteForm, found) -> list:
    skip = fields_with_errors(form)
    return summary(form, attach(form, found, skip))


@bp.route("/new", methods=["GET", "POST"])
@roles_required("coordinator")
def new():
    user = acting_user()
    districts = visible_districts(db(), user)
    district_id = _int_arg(request.args.get("district"))
    if district_id is None and len(districts) == 1:
        district_id = districts[0].id
    if district_id is None:
        return render_template("sites/choose_district.html", districts=districts)
    require_district(user, district_id)
    district = next((d for d in districts if d.id == district_id), None)
    if district is None:
        abort(404)
    form = SiteForm(site_admin.townships_of(db(), district_id))
    problems: list = []
    if request.method == "POST":
        form.validate()
        data = _site_input(form)
        found = site_admin.check_new_site(db(), district_id, form.kind.data or None, form.external_id.data, data)
        if not form.errors and not found:
            site = site_admin.create_site(db(), user, district_id, form.kind.data, form.external_id.data, data,
                                          local_today())
            db().commit()
            flash(_("%(name)s has been added.", name=site.name), "success")
            return redirect(url_for("sites.detail", site_id=site.id))
        problems = _problems(form, found)
    return render_template("sites/edit.html", form=form, site=None, district=district, problems=problems)


@bp.route("/<int:site_id>/edit", methods=["GET", "POST"])
@roles_required("coordinator")
def edit(site_id: int):
    user = acting_user()
    site = service.get_site(db(), user, site_id)
    form = SiteForm(site_admin.townships_of(db(), site.district_id), obj=_SiteData(site))
    problems: list = []
    if request.method == "POST":
        form.validate()
        data = _site_input(form)
        found = site_admin.check_site(db(), site.district_id, site.kind, data)
        if not form.errors and not found:
            site_admin.update_site(db(), user, site_id, data, local_today())
            db().commit()
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("sites.detail", site_id=site_id))
        problems = _problems(form, found)
    return render_template("sites/edit.html", form=form, site=site, district=site.district, problems=problems)


@bp.route("/<int:site_id>/exclusions", methods=["POST"])
@roles_required("coordinator")
def add_exclusion(site_id: int):
    user = acting_user()
    site = service.get_site(db(), user, site_id)
    form = ExclusionForm()
    if form.validate_on_submit():
        try:
            saved = site_admin.set_exclusion(db(), user, site_id, form.person.data, form.reason.data, local_today())
        except Refused as refused:
            db().rollback()
            for label, text in _problems(form, refused.problems):
                flash(_("%(label)s: %(text)s", label=label, text=text) if label else text, "error")
        else:
            db().commit()
            flash(_("%(name)s will not be assigned at %(site)s.", name=saved.person.name, site=site.name), "success")
            if saved.current_adviser:
                flash(_("%(name)s is this village's standing adviser: pair the village with someone else.",
                        name=saved.person.name), "error")
    return redirect(url_for("sites.detail", site_id=site_id, _anchor="exclusions"))


@bp.route("/<int:site_id>/exclusions/<int:person_id>/remove", methods=["POST"])
@roles_required("coordinator")
def remove_exclusion(site_id: int, person_id: int):
    if ButtonForm().validate_on_submit():
        person = site_admin.remove_exclusion(db(), acting_user(), site_id, person_id)
        db().commit()
        flash(_("The conflict of interest of %(name)s has been removed.", name=person.name), "success")
    return redirect(url_for("sites.detail", site_id=site_id, _anchor="exclusions"))
