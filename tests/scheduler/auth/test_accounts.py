"""Accounts: creation rules, sign-in throttling, password changes (service level)."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models import AuditEntry, User
from scheduler.auth import accounts
from scheduler.auth.accounts import LOCK_MINUTES, MAX_FAILED_LOGINS, AccountError
from tests.factories import Factory

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
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
    # The password alone is not the sign-in: the caller records it after the second factor.
    assert coordinator.failed_logins == 3
    accounts.signed_in(session, coordinator, NOW)
    assert coordinator.failed_logins == 0 and coordinator.last_login_at == NOW


def test_failures_back_off_exponentially_and_refuse_alike(session, coordinator):
    for attempt in range(1, MAX_FAILED_LOGINS):
        outcome = accounts.authenticate(session, "coord", "wrong", now=NOW)
        assert outcome.refusal == "bad_credentials" and coordinator.failed_logins == attempt
        assert coordinator.locked_until is None
    outcome = accounts.authenticate(session, "coord", "wrong", now=NOW)
    assert outcome.refusal == "bad_credentials"
    assert coordinator.locked_until == NOW + timedelta(minutes=LOCK_MINUTES)
    assert audit_actions(session) == ["user.locked"]
    # Backing off: even the right password is refused, unchecked and uncounted.
    just_before = NOW + timedelta(minutes=LOCK_MINUTES) - timedelta(seconds=1)
    assert accounts.authenticate(session, "coord", PASSWORD, now=just_before).refusal == "locked"
    assert coordinator.failed_logins == MAX_FAILED_LOGINS
    # Each further failure doubles the wait, up to the cap.
    after = NOW + timedelta(minutes=LOCK_MINUTES, seconds=1)
    accounts.authenticate(session, "coord", "wrong", now=after)
    assert coordinator.locked_until == after + timedelta(minutes=2 * LOCK_MINUTES)
    assert [accounts.lock_minutes(n) for n in (4, 5, 6, 7, 8, 11, 12, 40)] == [0, 1, 2, 4, 8, 60, 60, 60]
    later = after + timedelta(minutes=3)
    assert accounts.authenticate(session, "coord", PASSWORD, now=later).ok


def test_a_known_device_passes_the_back_off(session, coordinator):
    coordinator.failed_logins, coordinator.locked_until = 9, NOW + timedelta(hours=1)
    session.flush()
    assert accounts.authenticate(session, "coord", PASSWORD, now=NOW).refusal == "locked"
    assert accounts.authenticate(session, "coord", PASSWORD, now=NOW, trusted_ids={coordinator.id}).ok
    # A wrong password from it still counts.
    assert accounts.authenticate(session, "coord", "wrong", now=NOW, trusted_ids={coordinator.id}).refusal \
        == "bad_credentials"
    assert coordinator.failed_logins == 10


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
    with pytest.raises(AccountError) as weak:
        accounts.change_password(session, coordinator, PASSWORD, "password1234")
    assert weak.value.code == "password_weak" and weak.value.params["reason"] == "common"
    epoch = coordinator.session_epoch
    accounts.change_password(session, coordinator, PASSWORD, "another long secret")
    assert accounts.authenticate(session, "coord", "another long secret", now=NOW).ok
    assert audit_actions(session) == ["user.password_changed"]
    assert coordinator.session_epoch == epoch + 1  # every session of the account ends


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


@pytest.mark.parametrize(("password", "reason"), [
    ("password1234", "common"),
    ("coord1234567", "personal"),
    ("qwertyuiop[]", "keyboard"),
    ("aaaaaaaaaaaaa", "repeat"),
    ("abcdefghijklm", "sequence"),
])
def test_weak_passwords_are_refused_with_the_reason(session, make, password, reason):
    with pytest.raises(AccountError) as weak:
        accounts.create_user(session, role="coordinator", username="coord", password=password,
                             district=make.district())
    assert weak.value.code == "password_weak" and weak.value.params["reason"] == reason


def test_concurrent_failures_are_all_counted(committed_factory):
    """Eight wrong passwords at once, each on its own connection, add eight: the counter is
    raised in SQL, not read, incremented and written back (issue 13 row 4)."""
    with committed_factory.begin() as session:
        user_id = accounts.create_user(session, role="coordinator", username="busy", password=PASSWORD,
                                       district=Factory(session).district()).id
    start, errors = threading.Barrier(8), []

    def fail() -> None:
        try:
            with committed_factory() as session:
                start.wait()
                # As from the owner's known device, so the back-off does not stop the count.
                accounts.authenticate(session, "busy", "not the password", now=NOW, trusted_ids={user_id})
                session.commit()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=fail) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with committed_factory() as session:
        user = session.scalar(select(User).where(User.username == "busy"))
        assert user.failed_logins == 8
        assert user.locked_until == NOW + timedelta(minutes=accounts.lock_minutes(8))
