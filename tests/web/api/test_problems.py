"""The API's refusals: problem+json with the pages' codes, in the reader's language, and
every problem of a request at once."""
from __future__ import annotations

from datetime import timedelta

from scheduler.api import tokens
from scheduler.core.weeks import to_local
from tests.web.conftest import NOW

PROBLEM = "application/problem+json"


def test_no_token_is_401_with_a_bearer_challenge(client):
    got = client.get("/api/v1/me/assignments")
    assert got.status_code == 401 and got.mimetype == PROBLEM
    assert got.headers["WWW-Authenticate"].startswith("Bearer")
    assert got.json["code"] == "token_missing" and got.json["status"] == 401


def test_a_made_up_token_is_401_token_invalid(client):
    got = client.get("/api/v1/me", headers={"Authorization": "Bearer lsk_" + "x" * 43})
    assert (got.status_code, got.json["code"]) == (401, "token_invalid")


def test_an_expired_token_is_refused(client, session, world):
    made = tokens.create(session, None, world.users["provider"], name="old", scopes=["read"], days=1,
                         now=NOW - timedelta(days=2))
    got = client.get("/api/v1/me", headers={"Authorization": f"Bearer {made.secret}"})
    assert (got.status_code, got.json["code"]) == (401, "token_expired")


def test_a_revoked_token_is_refused_at_once(client, session, world):
    made = tokens.create(session, None, world.users["provider"], name="lost phone", scopes=["read"], now=NOW)
    headers = {"Authorization": f"Bearer {made.secret}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    tokens.revoke(session, world.users["provider"], made.token.id, NOW)
    session.flush()
    got = client.get("/api/v1/me", headers=headers)
    assert (got.status_code, got.json["code"]) == (401, "token_revoked")


def test_a_read_token_cannot_write(client, bearer):
    got = client.post("/api/v1/me/assignments/1/decline", json={"reason": "开会"}, headers=bearer("provider", ("read",)))
    assert (got.status_code, got.json["code"]) == (403, "scope_missing")


def test_a_token_of_another_role_is_403(client, bearer):
    got = client.get("/api/v1/me/assignments", headers=bearer("village"))
    assert (got.status_code, got.json["code"]) == (403, "role_forbidden")


def test_problems_speak_the_accept_language(client):
    zh = client.get("/api/v1/me", headers={"Accept-Language": "zh-CN"}).json
    en = client.get("/api/v1/me", headers={"Accept-Language": "en"}).json
    assert en["detail"].startswith("Send a personal access token")
    assert zh["detail"] != en["detail"] and "令牌" in zh["detail"]


def test_a_bad_body_lists_every_field_at_once(client, bearer):
    got = client.post("/api/v1/village/requests", json={"topic": 5, "kind": "lunch", "extra": 1},
                      headers=bearer("village"))
    assert got.status_code == 422 and got.json["code"] == "invalid_input"
    fields = {e["field"] for e in got.json["errors"]}
    assert {"topic", "kind", "people_count", "windows", "extra"} <= fields


def test_a_request_the_rules_refuse_lists_every_problem_in_the_pages_words(client, bearer):
    past = to_local(NOW - timedelta(days=3)).date().isoformat()
    body = {"topic": "身份证 330203199001011234 的纠纷", "kind": "consultation", "people_count": 0,
            "windows": [{"day": past, "start": "09:00", "end": "11:00"}]}
    got = client.post("/api/v1/village/requests", json=body, headers=bearer("village"),
                      environ_base={"HTTP_ACCEPT_LANGUAGE": "zh"})
    assert got.status_code == 422, got.json
    codes = {e["code"] for e in got.json["errors"]}
    assert {"personal_data", "people_count_invalid", "window_past"} <= codes
    assert all(e["detail"] for e in got.json["errors"])


def test_an_unknown_path_under_the_api_is_a_problem_not_a_page(client):
    got = client.get("/api/v1/nothing-here")
    assert got.status_code == 404 and got.mimetype == PROBLEM and got.json["code"] == "not_found"


def test_a_wrong_method_is_405_with_allow(client):
    got = client.delete("/api/v1/me")
    assert got.status_code == 405 and got.mimetype == PROBLEM and "GET" in got.headers["Allow"]


def test_another_districts_week_is_403_for_a_coordinator(client, bearer, world):
    got = client.get(f"/api/v1/districts/{world.district_a.id}/weeks/2026-11-30", headers=bearer("coord_b"))
    assert (got.status_code, got.json["code"]) == (403, "forbidden")


def test_a_bad_week_is_422_naming_the_field(client, bearer, world):
    got = client.get(f"/api/v1/districts/{world.district_a.id}/weeks/next-tuesday", headers=bearer("coord_a"))
    assert got.status_code == 422 and got.json["errors"][0]["field"] == "week"


def test_the_token_limit_answers_429_with_retry_after(app, client, bearer):
    headers = bearer("provider")
    from web.config import app_settings

    with app.app_context():
        limit = int(app_settings().api_limit_token.split()[0])
    answers = [client.get("/api/v1/me", headers=headers).status_code for _ in range(limit + 1)]
    assert answers[:limit] == [200] * limit
    assert answers[-1] == 429
    got = client.get("/api/v1/me", headers=headers)
    assert got.json["code"] == "rate_limited" and int(got.headers["Retry-After"]) >= 1
