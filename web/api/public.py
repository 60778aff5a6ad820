"""The API's public operations (no token): the service catalogue, the directory of centres
and windows with who is on duty, village pages and the referral directory. Each answers with
an ETag (304 when unchanged) and may be cached a minute, like the public pages."""
from __future__ import annotations

import hashlib

from flask import Response, current_app, request
from flask_babel import get_locale

from scheduler.portal import catalogue, directory, referrals, village
from web.api import bp
from web.api.public_schemas import (
    DistrictQuery,
    ProductsOut,
    ReferralsOut,
    SitePageOut,
    SitesOut,
    VillagePageOut,
    VillageQuery,
    VillagesOut,
)
from web.api.spec import operation
from web.config import app_settings, base_url
from web.dates import local_today, now
from web.db import db

TAG = "public"
PUBLIC_CACHE = "public, max-age=60"


def _locale() -> str:
    return str(get_locale() or "zh_Hans_CN")


@bp.after_request
def _cache_public(response: Response) -> Response:
    view = current_app.view_functions.get(request.endpoint or "")
    if request.method == "GET" and response.status_code == 200 and getattr(view, "api_roles", "") is None:
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
        response.headers["Cache-Control"] = PUBLIC_CACHE
        response.vary.add("Accept-Language")
        return response.make_conditional(request)
    return response


@bp.get("/public/services")
@operation(roles=None, tag=TAG, ok=ProductsOut)
def services():
    """The catalogue of legal service products: who provides each, where and when, what to
    bring, and the fee (most are free)."""
    return ProductsOut.model_validate({"items": catalogue.list_products(db(), _locale())})


@bp.get("/public/sites")
@operation(roles=None, tag=TAG, ok=SitesOut, query=DistrictQuery)
def sites(query: DistrictQuery):
    """Centres, township windows and stations (of one district when given)."""
    return SitesOut.model_validate({"items": directory.list_sites(db(), _locale(), query.district_id)})


@bp.get("/public/sites/<int:site_id>")
@operation(roles=None, tag=TAG, ok=SitePageOut)
def site(site_id: int):
    """One centre or window: opening hours this week (holidays and make-up days included),
    who is on duty today and this week from the published roster, and the public numbers."""
    page = directory.site_page(db(), site_id, local_today(), _locale(), complaint_phone=app_settings().complaint_phone)
    return SitePageOut.model_validate(page)


@bp.get("/public/villages")
@operation(roles=None, tag=TAG, ok=VillagesOut, query=VillageQuery)
def villages(query: VillageQuery):
    """Villages of a district, or found by name (`q`); nothing without either."""
    return VillagesOut.model_validate({"items": village.search_villages(db(), query.district_id, query.q or "")})


@bp.get("/public/villages/<ref>")
@operation(roles=None, tag=TAG, ok=VillagePageOut)
def village_page(ref: str):
    """A village's public page: its standing adviser (office phone only), the next published
    visits, the public numbers, and its calendar to subscribe to. `ref`: id or external id."""
    page = village.village_page(db(), ref[:64], now(), _locale(), complaint_phone=app_settings().complaint_phone)
    url = village.public_village_url(base_url(), page.external_id)
    calendar = url + "/calendar.ics"
    return VillagePageOut.model_validate({**page.__dict__, "page_url": url, "calendar_url": calendar,
                                          "webcal_url": "webcal://" + calendar.split("://", 1)[1]})


@bp.get("/public/referrals")
@operation(roles=None, tag=TAG, ok=ReferralsOut, query=DistrictQuery)
def referral_list(query: DistrictQuery):
    """Other departments for matters a legal service window cannot handle (一次性告知):
    address, contact, phone and what they handle; a district's own and the city's."""
    return ReferralsOut.model_validate({"items": referrals.list_referrals(db(), query.district_id, _locale())})
