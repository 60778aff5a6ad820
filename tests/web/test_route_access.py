"""Every endpoint x every role -> the expected answer, from the table in `tests/web/route_table.py`.

A new route must be added to its ROUTES with its access rules, or `test_every_endpoint_is_in_the_table`
fails. POST endpoints run with CSRF off (TestingConfig); CSRF has its own tests.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import url_for

from tests.web.all_routes import ROUTES, ApiRoute
from tests.web.api.conftest import token_header
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


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_route_answers_role_as_expected(endpoint, role, app, world, as_role, session):
    route = ROUTES[endpoint]
    with app.test_request_context():
        url = url_for(endpoint, **route.args(world))
    client = as_role(role)
    headers, body = {}, None
    if isinstance(route, ApiRoute):
        # The API reads tokens, never the session: each role calls with its own token.
        headers = token_header(session, world.users[role]) if role != "anonymous" else {}
        body = route.body(world) if route.body else None
    response = client.open(url, method=route.method, headers=headers, json=body)
    response.close()  # a file answer (the API docs' assets) holds its file open until closed
    expected = route.expect[role]
    where = urlsplit(response.headers.get("Location", "")).path
    if expected == LOGIN:
        assert (response.status_code, where) == (302, "/login"), response.status_code
    elif isinstance(expected, To):
        assert (response.status_code, where) == (302, expected.path)
    elif expected == 302:
        assert response.status_code == 302 and where != "/login"
    else:
        assert response.status_code == expected, response.get_data(as_text=True)[:300]


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
