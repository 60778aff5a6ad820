"""Access decorators for views. The rules themselves live in `scheduler.core.access`."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from models import User
from web.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])


def acting_user() -> User:
    """The signed-in user's row, to pass to `scheduler` functions."""
    return current_user.user


def roles_required(*roles: str) -> Callable[[F], F]:
    """Signed-in users with one of `roles` pass; others get 403, visitors the sign-in page.

    With no roles, any signed-in user passes.
    """

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


login_required = roles_required()
