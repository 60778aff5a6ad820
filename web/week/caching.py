"""Conditional answers for the week pages: an ETag from the week's fingerprint (what the
page shows, `scheduler.week.freshness`) and the reader's own part (account, language, form
token, URL), so that asking again for an unchanged week is a 304 that reads five small rows
and renders nothing. Pages stay out of shared caches (private) and are revalidated on every
visit (no-cache).

The grid itself, the page's bulk, is kept per process by the same fingerprint (`GridCache`):
another coordinator or another browser opening an unchanged week gets it without the week
being read or rendered again. The fingerprint includes the minute, so a change the draft does
not record (a person's new name) shows within a minute."""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Response, current_app, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from models import User

CACHE_CONTROL = "private, no-cache"
GRID_CACHE = "scheduler_week_grids"
GRIDS_KEPT = 24


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


@dataclass(frozen=True)
class ShownSchedule:
    """What the week page says of the version it shows (plain values: a cached grid outlives
    its request's database session)."""

    state: str
    version: int | None
    solved_at: datetime | None
    solver_status: str | None
    published_at: datetime | None


@dataclass(frozen=True)
class Grid:
    html: Markup
    schedule: ShownSchedule | None
    published_version: int | None
    has_rows: bool
    demanded: int
    open: int


class GridCache:
    """The last rendered grids of this process, by what they depend on (the week's
    fingerprint, language, view, filters, URL): each coordinator, browser and worker asking
    for an unchanged week is served the same HTML. Small: a district grid is about 0.5 MB."""

    def __init__(self, size: int = GRIDS_KEPT) -> None:
        self.size = size
        self._grids: OrderedDict[tuple, Grid] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, build: Callable[[], Grid]) -> Grid:
        with self._lock:
            grid = self._grids.get(key)
            if grid is not None:
                self._grids.move_to_end(key)
                return grid
        grid = build()
        with self._lock:
            self._grids[key] = grid
            while len(self._grids) > self.size:
                self._grids.popitem(last=False)
        return grid


def grid_cache() -> GridCache:
    return current_app.extensions.setdefault(GRID_CACHE, GridCache())


def grid_of(view, html: str) -> Grid:
    schedule = view.schedule
    shown = None if schedule is None else ShownSchedule(schedule.state, schedule.version, schedule.solved_at,
                                                         schedule.solver_status, schedule.published_at)
    return Grid(Markup(html), shown, view.published.version if view.published else None, bool(view.rows),
                view.demanded, view.open)
