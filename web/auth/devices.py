"""Known devices: a signed cookie naming the accounts that completed a full sign-in (password
and, where enrolled, second factor) in this browser (OWASP's "device cookie" against lockout
attacks).

An account's back-off (`scheduler.auth.accounts`) and the per-account rate limit do not apply
to attempts from its known devices, so someone guessing from elsewhere cannot keep the owner
out. The per-address limit still does. A wrong password from a known device removes that
account from the cookie: a copied cookie buys at most one guess. The cookie is HttpOnly,
Secure where sessions are, limited to the sign-in pages, and good for `MAX_AGE`.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "scheduler_device"
MAX_AGE = timedelta(days=90)
MAX_ACCOUNTS = 5
PATH = "/login"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def trusted_ids() -> set[int]:
    """The accounts this browser's cookie vouches for (none when absent, forged or old)."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return set()
    try:
        ids = _serializer().loads(raw, max_age=int(MAX_AGE.total_seconds()))
    except BadSignature:
        return set()
    return {i for i in ids if isinstance(i, int)} if isinstance(ids, list) else set()


def remember(response: Response, user_id: int) -> None:
    ids = [i for i in sorted(trusted_ids()) if i != user_id][-(MAX_ACCOUNTS - 1):] + [user_id]
    _set(response, ids)


def forget(response: Response, user_id: int) -> None:
    ids = trusted_ids()
    if user_id in ids:
        _set(response, sorted(ids - {user_id}))


def _set(response: Response, ids: list[int]) -> None:
    response.set_cookie(
        COOKIE, _serializer().dumps(ids), max_age=int(MAX_AGE.total_seconds()), path=PATH,
        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax",
    )
