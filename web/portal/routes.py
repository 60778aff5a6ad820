"""Public views: no sign-in, phone first, cached. Each renders one `scheduler.portal` use
case with the reader's language and the app's clock, then answers with an ETag of the page
(a 304 when the browser has it) and a short public max-age."""
from __future__ import annotations

import hashlib
from functools import lru_cache

from flask import Response, abort, make_response, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user

from scheduler.core.access import NotVisible
from scheduler.feeds import ical
from scheduler.portal import catalogue, directory, referrals, village
from scheduler.transfer.printing.qr import qr_data_uri
from web.config import app_settings, base_url
from web.dates import local_today, now
from web.db import db
from web.ids import parse_id
from web.portal import bp

PUBLIC_CACHE = "public, max-age=60"


@lru_cache(maxsize=4096)
def calendar_qr(url: str) -> str:
    """The QR code of a village's calendar link: drawing one takes about 15 ms and the link
    never changes, so each is drawn once per process."""
    return qr_data_uri(url)


def locale() -> str:
    return str(get_locale() or "zh_Hans_CN")


def cached(body: str | bytes, content_type: str | None = None) -> Response:
    """`body` with an ETag of its bytes, answered 304 when the browser has it. Shared caches
    may keep it a minute, unless the page is a signed-in user's or sets a cookie."""
    data = body.encode() if isinstance(body, str) else body
    response = make_response(data)
    if content_type:
        response.content_type = content_type
    response.set_etag(hashlib.sha256(data).hexdigest()[:32])
    private = current_user.is_authenticated or session.modified
    response.headers["Cache-Control"] = "private, no-cache" if private else PUBLIC_CACHE
    response.vary.update(("Accept-Language", "Cookie"))
    return response.make_conditional(request)


def _district_arg() -> int | None:
    return parse_id(request.args.get("district"))


def landing() -> Response:
    """`/` for a visitor who is not signed in (see `web.home.routes.home`)."""
    return cached(render_template("portal/landing.html", districts=directory.public_districts(db()),
                                  products=catalogue.list_products(db(), locale())))


@bp.route("/services")
def services():
    return cached(render_template("portal/services.html", products=catalogue.list_products(db(), locale())))


@bp.route("/directory")
def directory_index():
    district_id = _district_arg()
    return cached(render_template("portal/directory.html", districts=directory.public_districts(db()),
                                  district_id=district_id,
                                  sites=directory.list_sites(db(), locale(), district_id)))


@bp.route("/directory/<int:site_id>")
def site(site_id: int):
    try:
        page = directory.site_page(db(), site_id, local_today(), locale(),
                                   complaint_phone=app_settings().complaint_phone)
    except NotVisible:
        abort(404)
    return cached(render_template("portal/site.html", page=page, today=local_today()))


@bp.route("/villages")
def villages():
    district_id, text = _district_arg(), (request.args.get("q") or "").strip()[:32]
    return cached(render_template("portal/villages.html", districts=directory.public_districts(db()),
                                  district_id=district_id, q=text,
                                  villages=village.search_villages(db(), district_id, text)))


@bp.route("/v/<ref>")
def village_page(ref: str):
    try:
        page = village.village_page(db(), ref[:64], now(), locale(), complaint_phone=app_settings().complaint_phone)
    except NotVisible:
        abort(404)
    https = village.public_village_url(base_url(), page.external_id) + "/calendar.ics"
    webcal = "webcal://" + https.split("://", 1)[1]
    return cached(render_template("portal/village.html", page=page, calendar_https=https, calendar_webcal=webcal,
                                  calendar_qr=calendar_qr(webcal),
                                  referrals=referrals.list_referrals(db(), page.district_id, locale())))


@bp.route("/v/<ref>/calendar.ics")
def village_calendar(ref: str):
    try:
        body = village.village_calendar(db(), ref[:64], now())
    except NotVisible:
        abort(404)
    response = cached(body, ical.CONTENT_TYPE)
    response.headers["Content-Disposition"] = 'inline; filename="calendar.ics"'
    return response


@bp.route("/referrals")
def referral_list():
    district_id = _district_arg()
    return cached(render_template("portal/referrals.html", districts=directory.public_districts(db()),
                                  district_id=district_id,
                                  entries=referrals.list_referrals(db(), district_id, locale())))
