"""Feed views. The .ics URL needs no sign-in (its token is the secret) and is served from the
cached rendering with ETag and Last-Modified; the feed pages show a new link only when it is
made, since only a hash of it is stored."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from scheduler.feeds import ical
from scheduler.feeds.render import cached_feed
from scheduler.feeds.tokens import live_since, new_link, subject_for, turn_off
from scheduler.feeds.urls import feed_urls
from web.access import acting_user, login_required
from web.config import app_settings, base_url
from web.dates import now
from web.db import db
from web.feeds import bp
from web.feeds.forms import FeedLinkForm
from web.feeds.qr import qr_data_uri

# Clients poll about hourly; every poll revalidates (cheap 304) so a reset URL dies at once.
FEED_CACHE_CONTROL = "private, no-cache"


@dataclass(frozen=True)
class Subscription:
    https: str
    webcal: str
    qr: str


@bp.route("/<token>.ics")
def calendar(token: str):
    served = cached_feed(db(), token, now(), domain=app_settings().feed_domain)
    if served is None:
        abort(404)
    if served.rendered:
        db().commit()
    response = Response(served.body, content_type=ical.CONTENT_TYPE)
    response.set_etag(served.etag)
    response.last_modified = served.last_modified
    response.headers["Cache-Control"] = FEED_CACHE_CONTROL
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Content-Disposition"] = 'inline; filename="calendar.ics"'
    return response.make_conditional(request)


@bp.route("/person/<int:person_id>")
@login_required
def person(person_id: int):
    return _page("person", person_id)


@bp.route("/person/<int:person_id>", methods=["POST"], endpoint="person_link")
@login_required
def person_link(person_id: int):
    return _link("person", person_id)


@bp.route("/village/<int:site_id>")
@login_required
def village(site_id: int):
    return _page("village", site_id)


@bp.route("/village/<int:site_id>", methods=["POST"], endpoint="village_link")
@login_required
def village_link(site_id: int):
    return _link("village", site_id)


@bp.route("/site/<int:site_id>")
@login_required
def site(site_id: int):
    return _page("site", site_id)


@bp.route("/site/<int:site_id>", methods=["POST"], endpoint="site_link")
@login_required
def site_link(site_id: int):
    return _link("site", site_id)


def _page(kind: str, subject_id: int, subscription: Subscription | None = None, form: FeedLinkForm | None = None):
    subject = subject_for(db(), acting_user(), kind, subject_id)
    return render_template(
        "feeds/feed.html", kind=kind, subject=subject, since=live_since(db(), kind, subject.id),
        subscription=subscription, form=form or FeedLinkForm(),
    )


def _link(kind: str, subject_id: int):
    form = FeedLinkForm()
    if not form.validate_on_submit():
        return _page(kind, subject_id, form=form), 400
    if form.revoke.data:
        if turn_off(db(), acting_user(), kind, subject_id, now=now()):
            flash(_("The link is off: calendars subscribed to it get nothing more."), "success")
        db().commit()
        return redirect(url_for(f"feeds.{kind}", **{_arg(kind): subject_id}))
    token = new_link(db(), acting_user(), kind, subject_id, now=now(), domain=app_settings().feed_domain)
    db().commit()
    urls = feed_urls(base_url(), token)
    return _page(kind, subject_id, Subscription(urls.https, urls.webcal, qr_data_uri(urls.https)))


def _arg(kind: str) -> str:
    return "person_id" if kind == "person" else "site_id"

