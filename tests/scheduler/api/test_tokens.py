"""Personal access tokens: made, recognised only by their hash, refused when revoked,
expired or their account is deactivated, and bounded in number and lifetime."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models import ApiToken, AuditEntry
from scheduler.api import tokens
from scheduler.core.access import AccessDenied, NotVisible

NOW = datetime(2026, 11, 26, 2, tzinfo=UTC)


@pytest.fixture
def owner(make):
    return make.user("provider", person_id=make.person().id)


def test_a_token_is_stored_only_as_its_hash_and_recognised(session, owner):
    made = tokens.create(session, owner, owner, name="掌上法律顾问", scopes=["read"], now=NOW)
    row = session.scalar(select(ApiToken).where(ApiToken.id == made.token.id))
    assert made.secret.startswith("lsk_") and len(made.secret) == 47
    assert row.token_hash == hashlib.sha256(made.secret.encode()).hexdigest() and made.secret not in str(row.__dict__)
    assert row.prefix == made.secret[:8] and row.expires_at == NOW + timedelta(days=tokens.DEFAULT_DAYS)
    user, found = tokens.authenticate(session, made.secret, NOW + timedelta(hours=1))
    assert (user.id, found.id) == (owner.id, row.id) and found.last_used_at == NOW + timedelta(hours=1)
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.object_type == "api_token")) == "api_token.create"


@pytest.mark.parametrize("secret", ["", "lsk_short", "Bearer lsk_" + "a" * 43, "lsk_" + "a" * 43])
def test_malformed_or_unknown_secrets_are_invalid(session, owner, secret):
    with pytest.raises(tokens.TokenRefused) as refused:
        tokens.authenticate(session, secret, NOW)
    assert refused.value.code == "token_invalid"


def test_expired_revoked_and_deactivated_are_refused(session, owner):
    made = tokens.create(session, owner, owner, name="a", scopes=["read"], days=1, now=NOW)
    with pytest.raises(tokens.TokenRefused, match="token_expired"):
        tokens.authenticate(session, made.secret, NOW + timedelta(days=1))
    other = tokens.create(session, owner, owner, name="b", scopes=["read"], now=NOW)
    tokens.revoke(session, owner, other.token.id, NOW)
    with pytest.raises(tokens.TokenRefused, match="token_revoked"):
        tokens.authenticate(session, other.secret, NOW)
    third = tokens.create(session, owner, owner, name="c", scopes=["read"], now=NOW)
    owner.active = False
    with pytest.raises(tokens.TokenRefused, match="account_inactive"):
        tokens.authenticate(session, third.secret, NOW)


def test_only_the_owner_or_an_operator_makes_or_revokes(session, owner, make):
    stranger = make.user("provider", person_id=make.person().id)
    with pytest.raises(AccessDenied):
        tokens.create(session, stranger, owner, name="x", scopes=["read"], now=NOW)
    made = tokens.create(session, None, owner, name="by operator", scopes=["read", "write"], now=NOW)
    with pytest.raises(NotVisible):
        tokens.revoke(session, stranger, made.token.id, NOW)
    assert tokens.revoke(session, None, made.token.id, NOW).revoked_at == NOW


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"name": " "}, "name_required"),
    ({"name": "x" * 65}, "name_too_long"),
    ({"scopes": []}, "scope_unknown"),
    ({"scopes": ["admin"]}, "scope_unknown"),
    ({"days": 0}, "days_range"),
    ({"days": tokens.MAX_DAYS + 1}, "days_range"),
])
def test_bad_requests_for_a_token_are_refused(session, owner, kwargs, code):
    with pytest.raises(tokens.TokenRefused) as refused:
        tokens.create(session, owner, owner, **({"name": "ok", "scopes": ["read"]} | kwargs), now=NOW)
    assert refused.value.code == code


def test_live_tokens_are_capped_but_revoked_ones_free_a_place(session, owner):
    made = [tokens.create(session, owner, owner, name=f"t{i}", scopes=["read"], now=NOW)
            for i in range(tokens.MAX_LIVE_TOKENS)]
    with pytest.raises(tokens.TokenRefused, match="too_many_tokens"):
        tokens.create(session, owner, owner, name="one more", scopes=["read"], now=NOW)
    tokens.revoke(session, owner, made[0].token.id, NOW)
    assert tokens.create(session, owner, owner, name="one more", scopes=["read"], now=NOW).token.id
