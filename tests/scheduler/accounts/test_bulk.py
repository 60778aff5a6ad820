"""Accounts for a whole district at once: counted, invited through the outbox, all or nothing."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from models import AccountToken, AuditEntry, Notification, User
from scheduler.accounts import bulk
from scheduler.accounts.operations import account_state
from scheduler.auth.accounts import AccountError
from scheduler.core.access import AccessDenied

NOW = datetime(2026, 11, 26, 2, tzinfo=UTC)
TODAY = date(2026, 11, 26)
BASE = "https://paiban.example.gov.cn"


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def district(make):
    return make.district()


def test_300_village_accounts_are_made_and_invited(session, make, district):
    coord = make.user("coordinator", district_id=district.id)
    villages = [make.site(district, phone=f"1390000{i:04d}") for i in range(300)]
    make.site(district, kind="window")  # not a village
    other = make.site(make.district())  # another district's village
    before = count(session, User)

    result = bulk.create_village_accounts(session, coord, district.id, NOW, BASE)

    assert result.created == 300 and result.sent == {"email": 0, "sms": 300, "none": 0}
    made = list(session.scalars(select(User).where(User.role == "village", User.district_id == district.id)))
    assert len(made) == 300 == count(session, User) - before
    assert {u.village_id for u in made} == {v.id for v in villages}
    assert other.id not in {u.village_id for u in made}
    assert {account_state(u, NOW) for u in made} == {"invited"}
    assert count(session, AccountToken, AccountToken.purpose == "invite",
                 AccountToken.user_id.in_([u.id for u in made])) == 300
    sms = list(session.scalars(select(Notification).where(Notification.kind == "invitation")))
    assert len(sms) == 300 and {n.channel for n in sms} == {"sms"}
    assert {n.recipient for n in sms} == {v.phone for v in villages}
    assert all(f"{BASE}/invitation/" in n.body for n in sms)
    assert count(session, AuditEntry, AuditEntry.action == "account.create") == 300
    assert count(session, AuditEntry, AuditEntry.action == "account.bulk_create") == 1
    # Run again: every village has its account now.
    assert bulk.create_village_accounts(session, coord, district.id, NOW, BASE).created == 0


def test_people_of_a_role_without_an_account(session, make, district):
    coord = make.user("coordinator", district_id=district.id)
    lawyers = [make.person(district, roles=("lawyer",), email=f"l{i}@example.com") for i in range(3)]
    make.person(district, roles=("mediator",), phone="13800000000")
    make.person(district, roles=("lawyer",), active=False)
    has_one = make.person(district, roles=("lawyer",))
    make.user("provider", person_id=has_one.id, district_id=district.id)

    result = bulk.create_people_accounts(session, coord, district.id, NOW, TODAY, BASE, role="lawyer")

    assert result.created == 3 and result.sent["email"] == 3
    made = set(session.scalars(select(User.person_id).where(User.role == "provider", User.person_id.is_not(None))))
    assert {p.id for p in lawyers} | {has_one.id} == made
    mails = list(session.scalars(select(Notification.recipient).where(Notification.kind == "invitation")))
    assert sorted(mails) == sorted(p.email for p in lawyers)


def test_one_taken_username_makes_nothing(session, make, district):
    coord = make.user("coordinator", district_id=district.id)
    villages = [make.site(district) for _ in range(5)]
    # Someone already holds the username the third village would get (case aside).
    make.user("coordinator", username=villages[2].external_id.upper(), district_id=district.id)
    users, tokens, mails = count(session, User), count(session, AccountToken), count(session, Notification)

    with pytest.raises(AccountError) as refused:
        bulk.create_village_accounts(session, coord, district.id, NOW, BASE)

    assert refused.value.code == "usernames_taken"
    assert (count(session, User), count(session, AccountToken), count(session, Notification)) == (users, tokens, mails)


def refuse_bulk_audit(session, backend: str) -> None:
    """A real database failure at the last write of a bulk action (its summary audit entry),
    after the accounts, links and messages are written: a trigger, rolled back with the test."""
    if backend == "sqlite":
        session.execute(text("CREATE TEMP TRIGGER refuse_bulk BEFORE INSERT ON audit_log "
                             "WHEN NEW.action = 'account.bulk_create' BEGIN SELECT RAISE(ABORT, 'refused'); END"))
    else:
        session.execute(text("CREATE FUNCTION pg_temp.refuse_bulk() RETURNS trigger AS $$ BEGIN "
                             "IF NEW.action = 'account.bulk_create' THEN RAISE EXCEPTION 'refused'; END IF; "
                             "RETURN NEW; END $$ LANGUAGE plpgsql"))
        session.execute(text("CREATE TRIGGER refuse_bulk BEFORE INSERT ON audit_log FOR EACH ROW "
                             "EXECUTE FUNCTION pg_temp.refuse_bulk()"))


def test_a_failure_at_the_last_write_leaves_nothing(session, make, district, backend):
    coord = make.user("coordinator", district_id=district.id)
    for _ in range(4):
        make.site(district, phone="13900000000")
    before = count(session, User), count(session, AccountToken), count(session, Notification), \
        count(session, AuditEntry)
    refuse_bulk_audit(session, backend)

    with pytest.raises(DBAPIError):
        bulk.create_village_accounts(session, coord, district.id, NOW, BASE)

    after = count(session, User), count(session, AccountToken), count(session, Notification), \
        count(session, AuditEntry)
    assert after == before


def test_only_the_coordinators_own_district(session, make, district):
    coord_b = make.user("coordinator", district_id=make.district().id)
    make.site(district)
    with pytest.raises(AccessDenied):
        bulk.create_village_accounts(session, coord_b, district.id, NOW, BASE)
    provider = make.user("provider", person_id=make.person(district).id)
    with pytest.raises(AccessDenied):
        bulk.create_people_accounts(session, provider, district.id, NOW, TODAY, BASE)
