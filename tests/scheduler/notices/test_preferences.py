"""Who may set how a person or a village is told, and what is accepted
(scheduler.notices.preferences)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditEntry
from scheduler.core.access import AccessDenied, NotVisible
from scheduler.notices.preferences import PreferenceError, Preferences, set_person, set_village


@pytest.fixture
def two(make):
    a, b = make.district(name="甲区"), make.district(name="乙区")
    wang = make.person(a, name="王律师", phone="13812345678", email="wang@example.org")
    village = make.site(a, name="甲村")
    return dict(a=a, b=b, wang=wang, village=village, coord_a=make.user("coordinator", district_id=a.id),
                coord_b=make.user("coordinator", district_id=b.id),
                self=make.user("provider", person_id=wang.id, district_id=a.id),
                other=make.user("provider", person_id=make.person(a).id, district_id=a.id),
                rep=make.user("village", village_id=village.id, district_id=a.id, mobile="13900001111"))


def test_a_coordinator_sets_a_persons_order_and_it_is_audited(session, two):
    reach = set_person(session, two["coord_a"], two["wang"].id, Preferences(("email", "sms"), False, False, "wangls"))
    assert [r.channel for r in reach.routes] == ["email", "sms"]
    assert (two["wang"].notify_channels, two["wang"].quiet_hours, two["wang"].reminders) == ("email,sms", False, False)
    assert two["wang"].wecom_userid == "wangls"
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "person.preferences"))
    assert entry.details["channels"] == "email,sms" and entry.user_id == two["coord_a"].id


def test_a_provider_sets_their_own_and_no_one_elses(session, two):
    set_person(session, two["self"], two["wang"].id, Preferences(("sms",)))
    assert two["wang"].notify_channels == "sms"
    with pytest.raises(AccessDenied):
        set_person(session, two["other"], two["wang"].id, Preferences(("email",)))


def test_another_districts_coordinator_finds_no_such_person(session, two):
    with pytest.raises(NotVisible):
        set_person(session, two["coord_b"], two["wang"].id, Preferences(("email",)))


@pytest.mark.parametrize("prefs, code", [
    (Preferences(("sms", "sms")), "repeated_channel"),
    (Preferences(("fax",)), "unknown_channel"),
    (Preferences(("wecom",), wecom_userid="wang ls"), "bad_wecom_id"),
])
def test_bad_preferences_are_refused_and_nothing_changes(session, two, prefs, code):
    with pytest.raises(PreferenceError) as refused:
        set_person(session, two["coord_a"], two["wang"].id, prefs)
    assert refused.value.code == code and two["wang"].notify_channels == ""


def test_a_representative_sets_their_villages_preferences(session, two):
    reaches = set_village(session, two["rep"], two["village"].id, Preferences(("sms", "email"), reminders=False))
    assert two["village"].notify_channels == "sms,email" and two["village"].reminders is False
    assert [(r.channel, r.routes[0].recipient) for r in reaches] == [("sms", "13900001111")]
    with pytest.raises(AccessDenied):
        set_village(session, two["self"], two["village"].id, Preferences(()))
