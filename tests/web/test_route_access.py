"""Every endpoint x every role -> the expected answer, from the table in `tests/web/route_table.py`.
One test per endpoint calls it as each role in turn, every call undone before the next.

A new route must be added to its ROUTES with its access rules, or `test_every_endpoint_is_in_the_table`
fails. POST endpoints run with CSRF off (TestingConfig); CSRF has its own tests.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import url_for

from tests.web.all_routes import ROUTES, ApiRoute
from tests.web.api.conftest import token_header
from tests.web.conftest import login_as
from tests.web.route_table import LOGIN, ROLES, To


def test_every_endpoint_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(ROUTES))
    stale = sorted(set(ROUTES) - endpoints)
    assert not missing, f"endpoints without access rules in ROUTES: {missing}"
    assert not stale, f"ROUTES lists endpoints that no longer exist: {stale}"


def test_table_methods_match_the_rules(app):
    for rule in app.url_map.iter_rules():
        assert ROUTES[rule.endpoint].method in rule.methods, rule


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_route_answers_every_role_as_expected(endpoint, app, world, session):
    """Every role in turn on one app and world (building them is most of a test's time), each
    call undone by a savepoint so the next role meets the same rows; all mismatches at once."""
    route = ROUTES[endpoint]
    with app.test_request_context():
        url = url_for(endpoint, **route.args(world))
    wrong = {}
    for role in ROLES:
        # The session's savepoint, so rows the role's call made in it (tokens, bodies) leave
        # its identity map too; connection() emits it now, not lazily after the request's own.
        attempt = session.begin_nested()
        session.connection()
        try:
            got = _answer(app, route, url, role, world, session)
        finally:
            attempt.rollback()
        if got != _expected(route.expect[role], got):
            wrong[role] = got
    expected = {role: route.expect[role] for role in wrong}
    assert not wrong, f"{endpoint} ({url}): got {wrong}, expected {expected}"


def _answer(app, route, url, role, world, session):
    """(status, redirect path or first bytes of the body) of one role's call."""
    client = app.test_client()
    headers, body = {}, None
    if role != "anonymous":
        login_as(client, world.users[role])
    if isinstance(route, ApiRoute):
        # The API reads tokens, never the session: each role calls with its own token.
        headers = token_header(session, world.users[role]) if role != "anonymous" else {}
        body = route.body(world) if route.body else None
    response = client.open(url, method=route.method, headers=headers, json=body)
    status, start = response.status_code, response.get_data()[:200].decode(errors="replace")
    response.close()  # a file answer (the API docs' assets) holds its file open until closed
    if status == 302:
        return 302, urlsplit(response.headers.get("Location", "")).path
    return status, start


def _expected(expect, got):
    """The answer `expect` means, in `_answer`'s shape (302 alone: a redirect anywhere but
    the sign-in page; a plain status: any body)."""
    if expect == LOGIN:
        return 302, "/login"
    if isinstance(expect, To):
        return 302, expect.path
    if expect == 302:
        return got if got[0] == 302 and got[1] != "/login" else (302, "anywhere but /login")
    return expect, got[1]


def test_a_coordinator_cannot_reach_another_district_by_editing_ids(world, as_role):
    client = as_role("coord_b")
    assert client.get(f"/people/{world.person_a.id}").status_code == 404
    assert client.get(f"/people/{world.person_a.id}/edit").status_code == 404
    assert client.post(f"/people/{world.person_a.id}/edit", data={"name": "x"}).status_code == 404
    assert client.get(f"/sites/{world.village_a.id}").status_code == 404
    assert client.get(f"/districts/{world.district_a.id}").status_code == 403
    # Filters by the other district are refused, not silently emptied.
    assert client.get(f"/people/?district={world.district_a.id}").status_code == 403
    assert client.get(f"/sites/?district={world.district_a.id}").status_code == 403
    # And lists never show the other district's rows.
    listing = client.get("/people/?status=all").get_data(as_text=True)
    assert world.person_b.name in listing and world.person_a.name not in listing
    sites = client.get("/sites/?status=all").get_data(as_text=True)
    assert world.village_b.name in sites and world.village_a.name not in sites


def test_ids_that_do_not_exist_are_404(as_role):
    client = as_role("city")
    assert client.get("/people/999999").status_code == 404
    assert client.get("/sites/999999").status_code == 404
    assert client.get("/districts/999999").status_code == 404
