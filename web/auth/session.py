"""Flask-Login glue. The model stays free of Flask: an `Account` wraps the `User` row.

The session id embeds a digest of the password hash, so changing a password signs out every
other session of that account.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from models import User
from web.db import db
from web.extensions import login_manager


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
    return f"{user.id}:{_password_digest(user.password_hash)}"


def _password_digest(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:20]


def load_account(value: str) -> Account | None:
    user_id, _, digest = value.partition(":")
    if not user_id.isdigit():
        return None
    user = db().get(User, int(user_id))
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(digest, _password_digest(user.password_hash)):
        return None
    return Account(user)


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_account)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
