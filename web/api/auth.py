"""Who is calling the API: a personal access token in `Authorization: Bearer ...`, checked
for its role and scope, and counted against the rate limits (per token, per address).

The limits share the sign-in limits' storage (Redis when configured), so every web process
counts the same calls. Past a limit the API answers 429 with Retry-After.
"""
from __future__ import annotations

import hashlib
import math
import time as clock_time

from flask import g, request
from limits import parse_many

from models import ApiToken, User
from scheduler.api import tokens
from web.api.problems import ApiProblem
from web.auth.limits import client_address, limiter
from web.config import app_settings
from web.dates import now
from web.db import db

USER = "api_user"
TOKEN = "api_token"


def _count(limits_text: str, key: str) -> None:
    strategy = limiter.limiter
    for item in parse_many(limits_text):
        if not strategy.hit(item, "api", key):
            reset = strategy.get_window_stats(item, "api", key).reset_time
            wait = max(1, math.ceil(reset - clock_time.time()))
            raise ApiProblem(429, "rate_limited", headers={"Retry-After": str(wait)})


def count_address() -> None:
    """Every API call, with or without a token, counts against its client address."""
    _count(app_settings().api_limit_address, "address:" + client_address())


def _secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def require(roles: tuple[str, ...], scope: str) -> User:
    """The token's user, or a 401/403/429 problem. Sets g.api_user and g.api_token."""
    secret = _secret()
    if secret is None:
        raise ApiProblem(401, "token_missing")
    # Guessing tokens counts per presented token too, before the database is asked.
    _count(app_settings().api_limit_token, "token:" + hashlib.sha256(secret.encode()).hexdigest()[:32])
    session = db()
    try:
        user, token = tokens.authenticate(session, secret, now())
    except tokens.TokenRefused as refused:
        raise ApiProblem(401, refused.code) from refused
    session.commit()  # last_used_at
    if user.role not in roles:
        raise ApiProblem(403, "role_forbidden")
    if scope not in token.scopes:
        raise ApiProblem(403, "scope_missing")
    g.setdefault(USER, user)
    g.setdefault(TOKEN, token)
    return user


def api_user() -> User:
    return g.get(USER)


def api_token() -> ApiToken:
    return g.get(TOKEN)
