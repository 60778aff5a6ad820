"""People and sites services: masking, scoping of searches."""
from __future__ import annotations

import pytest

from scheduler.core.access import AccessDenied, NotVisible
from scheduler.people import operations as people
from scheduler.people.operations import PeopleQuery, mask_phone
from scheduler.sites import search as sites
from scheduler.sites.search import SitesQuery


@pytest.mark.parametrize("raw, masked", [
    ("13812341234", "138****1234"),
    ("+86 138 1234 1234", "+86 1** **** 1234"),
    ("0574-87654321", "057*-****4321"),
    ("110", "*10"),
    ("", ""),
    (None, ""),
])
def test_mask_phone(raw, masked):
    assert mask_phone(raw) == masked


def test_searches_keep_to_the_users_districts(session, make):
    a, b = make.district(), make.district()
    pa, pb = make.person(a, name="甲某"), make.person(b, name="乙某")
    sa, sb = make.site(a), make.site(b)
    coord_a = make.user("coordinator", district_id=a.id)
    city = make.user("coordinator", city_wide=True)
    found = people.search_people(session, coord_a, PeopleQuery())
    assert pa in found.items and pb not in found.items
    both = people.search_people(session, city, PeopleQuery(text="某"))
    assert {pa, pb} <= set(both.items)
    with pytest.raises(AccessDenied):
        people.search_people(session, coord_a, PeopleQuery(district_id=b.id))
    with pytest.raises(NotVisible):
        people.get_person(session, coord_a, pb.id)
    assert sa in sites.search_sites(session, coord_a, SitesQuery()).items
    assert sb not in sites.search_sites(session, coord_a, SitesQuery()).items
    with pytest.raises(NotVisible):
        sites.get_site(session, coord_a, sb.id)
    provider = make.user("provider", person_id=pa.id)
    with pytest.raises(AccessDenied):
        people.search_people(session, provider, PeopleQuery())
