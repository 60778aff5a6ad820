"""Site views: thin wrappers over `scheduler.sites` with the acting user passed in."""
from __future__ import annotations

from flask import render_template, request

from scheduler import overview
from scheduler import sites as service
from web.access import acting_user, roles_required
from web.dates import local_today
from web.db import db
from web.sites import bp
from web.sites.forms import SearchForm

STATUS = {"active": True, "inactive": False, "all": None}


def _int_arg(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@bp.route("/")
@roles_required("coordinator")
def index():
    user = acting_user()
    form = SearchForm(overview.visible_districts(db(), user), request.args)
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
    return render_template("sites/detail.html", site=site, history=history, current=current)
