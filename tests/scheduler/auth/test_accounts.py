"""Accounts: creation rules, sign-in throttling, password changes (service level)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from models import AuditEntry

from scheduler.auth import accounts
from scheduler.auth.accounts import LOCK_MINUTES, MAX_FAILED_LOGINS, AccountError

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
PASSWORD = "a long enough secret"


def audit_actions(session) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "user")))


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    # Cheaper scrypt parameters keep the run short; the method is still scrypt.
    monkeypatch.setattr(accounts, "HASH_METHOD", "scrypt:1024:8:1")


@pytest.fixture
def coordinator(session, make):
    district = make.district()
    return accounts.create_user(session, role="coordinator", username="coord", password=PASSWORD, district=district)


def test_password_is_hashed_with_scrypt(coordinator):
    assert coordinator.password_hash.startswith("scrypt:")
    assert PASSWORD not in coordinator.password_hash


def test_sign_in_success_resets_the_counter(session, coordinator):
    coordinator.failed_logins = 3
    outcome = accounts.authenticate(session, "coord", PASSWORD, now=NOW)
    assert outcome.ok and outcome.user is coordinator
    assert coordinator.failed_logins == 0 and coordinator.last_login_at == NOW


def test_lock_after_max_failures_for_lock_minutes(session, coordinator):
    for attempt in range(1, MAX_FAILED_LOGINS):
        outcome = accounts.authenticate(session, "coord", "wrong", now=NOW)
        assert outcome.refusal == "bad_credentials" and coordinator.failed_logins == attempt
    outcome = accounts.authenticate(session, "coord", "wrong", now=NOW)
    assert outcome.refusal == "locked"
    assert outcome.locked_until == NOW + timedelta(minutes=LOCK_MINUTES)
    assert audit_actions(session) == ["user.locked"]
    # Locked: the right password is refused until the lock ends, then accepted.
    just_before = NOW + timedelta(minutes=LOCK_MINUTES) - timedelta(seconds=1)
    assert accounts.authenticate(session, "coord", PASSWORD, now=just_before).refusal == "locked"
    after = NOW + timedelta(minutes=LOCK_MINUTES, seconds=1)
    assert accounts.authenticate(session, "coord", PASSWORD, now=after).ok
    assert coordinator.locked_until is None


def test_failures_during_a_lock_do_not_extend_it(session, coordinator):
    for _ in range(MAX_FAILED_LOGINS):
        accounts.authenticate(session, "coord", "wrong", now=NOW)
    until = coordinator.locked_until
    accounts.authenticate(session, "coord", "wrong", now=NOW + timedelta(minutes=1))
    assert coordinator.locked_until == until and coordinator.failed_logins == 0


def test_unknown_user_and_inactive_user(session, coordinator):
    assert accounts.authenticate(session, "nobody", PASSWORD, now=NOW).refusal == "bad_credentials"
    coordinator.active = False
    assert accounts.authenticate(session, "coord", PASSWORD, now=NOW).refusal == "inactive"
    # A deactivated account still counts wrong guesses.
    accounts.authenticate(session, "coord", "wrong", now=NOW)
    assert coordinator.failed_logins == 1


def test_change_password(session, coordinator):
    with pytest.raises(AccountError) as wrong:
        accounts.change_password(session, coordinator, "not it", "another long secret")
    assert wrong.value.code == "wrong_current_password"
    with pytest.raises(AccountError) as same:
        accounts.change_password(session, coordinator, PASSWORD, PASSWORD)
    assert same.value.code == "password_unchanged"
    with pytest.raises(AccountError) as short:
        accounts.change_password(session, coordinator, PASSWORD, "short")
    assert short.value.code == "password_too_short"
    accounts.change_password(session, coordinator, PASSWORD, "another long secret")
    assert accounts.authenticate(session, "coord", "another long secret", now=NOW).ok
    assert audit_actions(session) == ["user.password_changed"]


def test_reset_and_unlock(session, coordinator):
    coordinator.locked_until = NOW + timedelta(minutes=5)
    accounts.unlock(session, coordinator)
    assert coordinator.locked_until is None
    accounts.reset_password(session, coordinator, "reset by the admin")
    assert accounts.authenticate(session, "coord", "reset by the admin", now=NOW).ok


def test_create_user_rules(session, make, coordinator):
    district = make.district()
    person = make.person(district)
    village = make.site(district)
    window = make.site(district, kind="window")

    def refused(code: str, **kw) -> None:
        kw.setdefault("password", PASSWORD)
        with pytest.raises(AccountError) as error:
            accounts.create_user(session, **kw)
        assert error.value.code == code, error.value

    refused("username_taken", role="coordinator", username="COORD", district=district)
    refused("bad_username", role="coordinator", username="two words", district=district)
    refused("coordinator_scope", role="coordinator", username="c2")
    refused("coordinator_scope", role="coordinator", username="c2", district=district, city_wide=True)
    refused("provider_needs_person", role="provider", username="p1")
    refused("provider_links", role="provider", username="p1", person=person, district=district)
    refused("village_needs_site", role="village", username="v1")
    refused("not_a_village", role="village", username="v1", village=window)
    refused("password_is_username", role="village", username="longusername", village=village,
            password="LongUserName")
    refused("unknown_role", role="admin", username="a1")

    provider = accounts.create_user(session, role="provider", username="p1", password=PASSWORD, person=person)
    assert provider.district_id == district.id and provider.display_name == person.name
    refused("person_linked", role="provider", username="p2", person=person)
    rep = accounts.create_user(session, role="village", username="v1", password=PASSWORD, village=village)
    assert rep.district_id == district.id
    city = accounts.create_user(session, role="coordinator", username="city", password=PASSWORD, city_wide=True)
    assert city.city_wide and city.district_id is None


def test_set_locale(session, coordinator):
    accounts.set_locale(session, coordinator, "en")
    assert coordinator.locale == "en"
    with pytest.raises(AccountError):
        accounts.set_locale(session, coordinator, "fr")
