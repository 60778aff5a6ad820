"""`/my/api-tokens`: a user makes a token (its secret shown once, on that answer only), sees
their tokens without secrets, and revokes one; the new token works on the API at once."""
from __future__ import annotations

import re

from sqlalchemy import select

from models import ApiToken

SECRET = re.compile(r"lsk_[A-Za-z0-9_-]{43}")


def test_make_use_and_revoke_a_token(as_role, session, world):
    client = as_role("village")
    made = client.post("/my/api-tokens", data={"name": "微信小程序", "scopes": ["read"], "days": "30"})
    assert made.status_code == 200
    secret = SECRET.search(made.get_data(as_text=True)).group(0)
    again = client.get("/my/api-tokens").get_data(as_text=True)
    assert "微信小程序" in again and secret[:8] in again and secret not in again
    api = client.application.test_client()  # no session: the token alone
    assert api.get("/api/v1/village/requests", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    row = session.scalar(select(ApiToken).where(ApiToken.user_id == world.users["village"].id))
    assert client.post(f"/my/api-tokens/{row.id}/revoke").status_code == 302
    assert api.get("/api/v1/village/requests", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_a_refused_form_says_why_and_makes_nothing(as_role, session, world):
    page = as_role("provider").post("/my/api-tokens", data={"name": "", "scopes": [], "days": "400"})
    assert page.status_code == 200 and not SECRET.search(page.get_data(as_text=True))
    assert session.scalar(select(ApiToken.id).where(ApiToken.user_id == world.users["provider"].id)) is None


def test_someone_elses_token_cannot_be_revoked(as_role, session, world):
    from scheduler.api import tokens
    from tests.web.conftest import NOW

    theirs = tokens.create(session, None, world.users["provider"], name="x", scopes=["read"], now=NOW)
    session.flush()
    assert as_role("coord_a").post(f"/my/api-tokens/{theirs.token.id}/revoke").status_code == 404
    session.refresh(theirs.token)
    assert theirs.token.revoked_at is None
