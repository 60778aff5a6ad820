"""Rate limits on signing in (Flask-Limiter), the address they count by, and the answer past them.

Two limits guard each sign-in step (the password form and the code form), counting failed
attempts only (an answer other than the redirect that follows success):

- per client address (`LOGIN_LIMIT_PER_ADDRESS`): one address trying many accounts (password
  spraying) is refused after a few failures, whatever the accounts;
- per account name (`LOGIN_LIMIT_PER_ACCOUNT`): many addresses trying one account are slowed,
  except from a device the account has signed in on before (`web.auth.devices`), so an
  attacker cannot keep the owner out.

The counts live in `RATELIMIT_STORAGE_URL` (Redis shared by all web processes when a Redis
URL is configured, else each process's memory). Past a limit the page answers 429 with a
Retry-After header and a message in the reader's language. The client address is the TCP
peer, or the last X-Forwarded-For hop when the peer is one of the trusted proxies
(`FORWARDED_ALLOW_IPS`), as behind the nginx of docs/operations.md.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, render_template, request, session
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from sqlalchemy import func, select

from models import User
from web.config import app_settings
from web.db import db

PENDING = "_pending_sign_in"  # the session key of a sign-in waiting for its second factor


def client_address() -> str:
    """The address the request came from, seen through the trusted proxies only."""
    peer = request.remote_addr or "unknown"
    trusted = {part.strip() for part in app_settings().forwarded_allow_ips.split(",") if part.strip()}
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and ("*" in trusted or peer in trusted):
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return peer


def account_key() -> str:
    """The account name an attempt is against: the form's username, or the pending sign-in's."""
    name = request.form.get("username")
    if name is None:
        name = (session.get(PENDING) or {}).get("name", "")
    return "account:" + name.strip().lower()


def _failed(response: Response) -> bool:
    # Success is a redirect onward; anything else (the form again, a refusal) is a failure.
    return response.status_code != 302


def _from_known_device() -> bool:
    from web.auth import devices

    trusted = devices.trusted_ids()
    if not trusted:
        return False
    name = account_key().removeprefix("account:")
    user_id = db().scalar(select(User.id).where(func.lower(User.username) == name)) if name else None
    return user_id in trusted


limiter = Limiter(client_address, strategy="moving-window", headers_enabled=True)


def guarded(view: Callable[..., Any]) -> Callable[..., Any]:
    """Both sign-in limits on the POSTs of `view`."""
    by_account = limiter.limit(lambda: app_settings().login_limit_account, key_func=account_key, methods=["POST"],
                               deduct_when=_failed, exempt_when=_from_known_device, scope="sign-in-account")
    by_address = limiter.limit(lambda: app_settings().login_limit_address, methods=["POST"],
                               deduct_when=_failed, scope="sign-in-address")
    return by_address(by_account(view))


def too_many(error: RateLimitExceeded):
    """The sign-in page again, saying to wait (the same words whichever limit it was)."""
    from web.auth.forms import CodeForm, LoginForm

    message = _("Too many failed sign-in attempts. Please wait a few minutes, then try again.")
    if request.endpoint == "auth.second_factor":
        page = render_template("auth/second_factor.html", form=CodeForm(), refusal=message)
    elif request.endpoint == "auth.login":
        page = render_template("auth/login.html", form=LoginForm(), refusal=message)
    else:
        return error
    # Flask-Limiter adds Retry-After (headers_enabled) on the way out.
    return current_app.make_response((page, 429))


def init_app(app: Flask) -> None:
    settings = app_settings(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.ratelimit_storage_url)
    # A Redis outage must not stop sign-ins: count in memory until it is back.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "scheduler")
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, too_many)
