"""Tokens for the web tests' world: `bearer("provider")` is the Authorization header of a
fresh read-and-write token of that world user (scopes can be narrowed)."""
from __future__ import annotations

import pytest

from scheduler.api import tokens
from tests.web.conftest import NOW, World


def token_header(session, user, scopes: tuple[str, ...] = ("read", "write"), days: int = 30) -> dict[str, str]:
    made = tokens.create(session, None, user, name=f"test {user.username}", scopes=list(scopes), days=days, now=NOW)
    session.flush()
    return {"Authorization": f"Bearer {made.secret}"}


@pytest.fixture
def bearer(session, world: World):
    def header(role: str, scopes: tuple[str, ...] = ("read", "write"), days: int = 30) -> dict[str, str]:
        return token_header(session, world.users[role], scopes, days)

    return header
