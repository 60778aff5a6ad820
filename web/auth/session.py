"""Flask-Login glue, and the rules every signed-in request is held to. The model stays free of
Flask: an `Account` wraps the `User` row.

A session names its account, the account's `session_epoch` when it began and a digest of the
password hash. Signing out, changing or resetting the password and changing the second factor
raise the epoch (`scheduler.auth.accounts.end_sessions`), so every session made before ends
everywhere, copied cookies included. Each request also checks, by the app's clock:

- the idle timeout: `SESSION_IDLE_MINUTES_COORDINATOR` (30) for coordinators,
  `SESSION_IDLE_MINUTES` (120) for the others, since the session's last request;
- the absolute lifetime: `PERMANENT_SESSION_LIFETIME` (12 hours) since signing in;
- that a coordinator has a second factor: without one, only enrolling (and signing out) is open.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from models import User
from scheduler.auth import second_factor
from web.auth import limits
from web.config import app_settings
from web.dates import now
from web.db import db
from web.extensions import login_manager

SIGNED_IN_AT = "_signed_in_at"  # unix seconds, by the app's clock
SEEN_AT = "_seen_at"
# Open to a coordinator who still has to enrol a second factor.
ENROLMENT_ENDPOINTS = frozenset({"auth.two_factor", "auth.two_factor_setup", "auth.two_factor_confirm",
                                 "auth.logout", "auth.language", "static"})


class Account:
    """The signed-in user as Flask-Login sees it; other attributes come from the `User` row."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, user: User) -> None:
        self.user = user

    @property
    def is_active(self) -> bool:
        return self.user.active

    def get_id(self) -> str:
        return session_id(self.user)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.user, name)


def session_id(user: User) -> str:
    return f"{user.id}:{user.session_epoch or 0}:{_password_digest(user.password_hash)}"


def _password_digest(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:20]


def load_account(value: str) -> Account | None:
    user_id, epoch, digest = (value.split(":") + ["", ""])[:3]
    if not user_id.isdigit() or not epoch.isdigit():
        return None
    user = db().get(User, int(user_id))
    if user is None or not user.active or int(epoch) != (user.session_epoch or 0):
        return None
    if not hmac.compare_digest(digest, _password_digest(user.password_hash)):
        return None
    return Account(user)


def start_session(user: User) -> None:
    """Sign `user` in on a fresh session: nothing from before carries over (session fixation)
    but the chosen language."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    login_user(Account(user))
    stamp = _now_seconds()
    session[SIGNED_IN_AT] = session[SEEN_AT] = stamp


def end_session() -> None:
    """Sign this browser out (the caller ends the account's other sessions if it should)."""
    language = session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language


def idle_minutes(user: User) -> int:
    settings = app_settings()
    return settings.session_idle_minutes_coordinator if user.role == "coordinator" else settings.session_idle_minutes


def _now_seconds() -> int:
    return int(now().timestamp())


def check_session():
    """Before each request: end a session that is stale, idle or too old; send a coordinator
    without a second factor to enrol."""
    if request.endpoint == "static":
        return None
    if not current_user.is_authenticated:
        if "_user_id" in session:  # an ended session (epoch, password, deactivation): forget it
            end_session()
        return None
    stamp = _now_seconds()
    seen, started = session.get(SEEN_AT), session.get(SIGNED_IN_AT)
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    if (not isinstance(seen, int) or not isinstance(started, int)
            or stamp - seen > idle_minutes(current_user.user) * 60 or stamp - started > lifetime):
        end_session()
        flash(_l("You were signed out after a time without activity. Please sign in again."), "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None))
    session[SEEN_AT] = stamp
    user = current_user.user
    if (second_factor.required_for(user) and not second_factor.enrolled(user)
            and request.endpoint not in ENROLMENT_ENDPOINTS):
        flash(_l("Coordinators sign in with a second factor. Please set it up now."), "info")
        return redirect(url_for("auth.two_factor"))
    return None


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_account)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(check_session)
    limits.init_app(app)
