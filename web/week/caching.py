"""Conditional answers for the week pages: an ETag from the week's fingerprint (what the
page shows, `scheduler.week.freshness`) and the reader's own part (account, language, form
token, URL), so that asking again for an unchanged week is a 304 that reads five small rows
and renders nothing. Pages stay out of shared caches (private) and are revalidated on every
visit (no-cache)."""
from __future__ import annotations

import hashlib

from flask import Response, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf

from models import User

CACHE_CONTROL = "private, no-cache"


def page_tag(user: User, fingerprint: str) -> str | None:
    """None while a message waits to be shown once (it is part of the page)."""
    if session.get("_flashes"):
        return None
    generate_csrf()  # the page's forms carry it: made now, so the first answer's tag is the next one's
    mine = (fingerprint, user.id, user.session_epoch, str(get_locale()), session.get("csrf_token", ""),
            request.full_path)
    return hashlib.sha256(repr(mine).encode()).hexdigest()[:32]


def not_modified(tag: str | None) -> Response | None:
    if tag is None or not request.if_none_match.contains(tag):
        return None
    response = Response(status=304)
    response.set_etag(tag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def tagged(page: str, tag: str | None) -> Response:
    response = Response(page, mimetype="text/html")
    if tag is not None:
        response.set_etag(tag)
        response.headers["Cache-Control"] = CACHE_CONTROL
    return response
