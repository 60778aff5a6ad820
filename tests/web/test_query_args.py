"""Query arguments carried into a redirect (issue 13, row 14): a query naming one of the
route's own arguments (`?week=x`) or one of url_for's (`?endpoint=`, `?_external=&_scheme=`,
`?_anchor=`) answered 500 or changed the URL's kind. Now only the other arguments are carried,
every value of each."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

HOSTILE = "week=x&district_id=9&endpoint=auth.login&_external=1&_scheme=javascript&_anchor=top"


def redirected(response) -> tuple[str, dict[str, list[str]]]:
    assert response.status_code == 302, response.status_code
    where = urlsplit(response.headers["Location"])
    assert where.scheme in ("", "http") and not where.fragment and not where.netloc.startswith("javascript")
    return where.path, parse_qs(where.query)


@pytest.mark.parametrize("page", ["", "/review"])
def test_a_day_inside_the_week_with_a_week_argument_redirects_to_its_monday(as_role, world, page):
    client = as_role("coord_a")
    d = world.district_a.id
    response = client.get(f"/districts/{d}/weeks/2026-12-09{page}?week=x")
    assert redirected(response) == (f"/districts/{d}/weeks/2026-12-07{page}", {})
    path, query = redirected(client.get(f"/districts/{d}/weeks/2026-12-09{page}?{HOSTILE}&kind=visit&kind=event"))
    assert (path, query) == (f"/districts/{d}/weeks/2026-12-07{page}", {"kind": ["visit", "event"]})


def test_the_assign_page_keeps_its_slot_and_line_when_it_redirects(as_role, world, make):
    slot = make.slot(world.village_a)
    client = as_role("coord_a")
    d = world.district_a.id
    response = client.get(f"/districts/{d}/weeks/2026-12-09/slots/{slot.id}/lines/0/assign?week=x&line=7")
    assert redirected(response) == (f"/districts/{d}/weeks/2026-12-07/slots/{slot.id}/lines/0/assign", {})


def test_a_report_export_that_falls_back_to_the_page_keeps_only_plain_arguments(as_role):
    client = as_role("coord_a")
    response = client.get(f"/reports/export.xlsx?from=2026-06&to=2026-01&{HOSTILE}")
    path, query = redirected(response)
    assert path == "/reports/" and query == {"from": ["2026-06"], "to": ["2026-01"], "week": ["x"],
                                              "district_id": ["9"]}
