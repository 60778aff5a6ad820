"""Invitation and reset links: hashed, one use, expiring; resets answer the same for anyone."""
from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from models import AccountToken, AuditEntry, Notification
from scheduler.accounts import invitations, operations
from scheduler.accounts.invitations import TokenError
from scheduler.auth.accounts import AccountError, authenticate
from scheduler.core.clock import FixedClock

START = datetime(2026, 11, 26, 2, tzinfo=UTC)
BASE = "https://paiban.example.gov.cn"
GOOD = "violet tandem orchard 42"


def sent_token(session, kind="invitation") -> str:
    body = session.scalars(select(Notification.body).where(Notification.kind == kind)
                           .order_by(Notification.id.desc())).first()
    return re.search(r"/(?:invitation|password/reset)/([A-Za-z0-9_-]+)", body).group(1)


@pytest.fixture
def invited(session, make):
    district = make.district()
    coord = make.user("coordinator", district_id=district.id)
    person = make.person(district, email="wang@example.com")
    user = operations.create_person_account(session, coord, person.id)
    invitations.send_invitation(session, coord, user, START, BASE)
    return user


def test_only_the_hash_is_stored_and_the_link_works_once(session, invited):
    token = sent_token(session)
    row = session.scalar(select(AccountToken).where(AccountToken.user_id == invited.id))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in row.token_hash
    assert row.sent_by_channel == "email" and row.expires_at == START + timedelta(days=7)
    assert operations.account_state(invited, START) == "invited"
    assert not authenticate(session, invited.username, "anything at all", START).ok

    invitations.accept_invitation(session, token, GOOD, START + timedelta(hours=1))
    assert authenticate(session, invited.username, GOOD, START + timedelta(hours=1)).ok
    assert operations.account_state(invited, START) == "active"
    with pytest.raises(TokenError) as again:
        invitations.accept_invitation(session, token, "another fine passphrase 7", START + timedelta(hours=2))
    assert again.value.code == "used"
    assert session.scalar(select(func.count()).select_from(AuditEntry)
                          .where(AuditEntry.action == "account.invitation_accepted")) == 1


def test_an_expired_invitation_is_refused(session, invited):
    token = sent_token(session)
    clock = FixedClock(START)
    clock.advance(days=7, seconds=1)
    with pytest.raises(TokenError) as late:
        invitations.accept_invitation(session, token, GOOD, clock.now())
    assert late.value.code == "expired"
    assert operations.account_state(invited, clock.now()) == "invited"


def test_a_weak_password_keeps_the_link(session, invited):
    token = sent_token(session)
    with pytest.raises(AccountError):
        invitations.accept_invitation(session, token, "password", START)
    invitations.accept_invitation(session, token, GOOD, START)


def test_resending_replaces_the_old_link(session, make, invited):
    coord = make.user("coordinator", district_id=invited.district_id)
    old = sent_token(session)
    invitations.resend_invitation(session, coord, invited.id, START + timedelta(days=1), BASE)
    new = sent_token(session)
    assert new != old
    with pytest.raises(TokenError):
        invitations.accept_invitation(session, old, GOOD, START + timedelta(days=1))
    invitations.accept_invitation(session, new, GOOD, START + timedelta(days=1))
    with pytest.raises(AccountError):
        invitations.resend_invitation(session, coord, invited.id, START + timedelta(days=2), BASE)


def test_unknown_and_malformed_links(session):
    for token in ("x" * 43, "../../etc", "", "短"):
        with pytest.raises(TokenError) as bad:
            invitations.check_link(session, token, "invite", START)
        assert bad.value.code == "invalid"


def test_an_account_without_email_is_invited_by_sms_to_its_mobile(session, make):
    district = make.district()
    coord = make.user("coordinator", district_id=district.id)
    village = make.site(district, phone="13911112222")
    user = operations.create_village_account(session, coord, village.id)
    assert invitations.send_invitation(session, coord, user, START, BASE) == "sms"
    message = session.scalar(select(Notification).where(Notification.kind == "invitation"))
    assert (message.channel, message.recipient) == ("sms", "13911112222")


def test_reset_by_username_email_or_mobile_and_once(session, make):
    user = make.user("provider", person_id=make.person(email="li@example.com").id, mobile="13700001111",
                     verified_mobile="13700001111", password_hash="x", failed_logins=7,
                     locked_until=START + timedelta(hours=1))
    for identifier in (user.username.upper(), "LI@example.com", "13700001111"):
        invitations.request_reset(session, identifier, START, BASE)
    assert session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.kind == "password_reset")) == 3
    token = sent_token(session, "password_reset")
    epoch = user.session_epoch
    invitations.reset_with_link(session, token, GOOD, START + timedelta(minutes=29))
    assert user.failed_logins == 0 and user.locked_until is None and user.session_epoch == epoch + 1
    assert authenticate(session, user.username, GOOD, START + timedelta(minutes=29)).ok
    with pytest.raises(TokenError) as again:
        invitations.reset_with_link(session, token, "another fine passphrase 7", START + timedelta(minutes=29))
    assert again.value.code == "used"


def test_a_reset_link_lasts_30_minutes(session, make):
    user = make.user("provider", person_id=make.person().id, email="x@example.com", verified_email="x@example.com")
    invitations.request_reset(session, user.username, START, BASE)
    token = sent_token(session, "password_reset")
    with pytest.raises(TokenError) as late:
        invitations.reset_with_link(session, token, GOOD, START + timedelta(minutes=30))
    assert late.value.code == "expired"


def test_reset_for_nobody_sends_nothing(session, make):
    make.user("provider", person_id=make.person().id, email="x@example.com", active=False, username="gone")
    for identifier in ("nobody", "gone", "", "x" * 300):
        assert invitations.request_reset(session, identifier, START, BASE) is None
    assert session.scalar(select(func.count()).select_from(Notification)) == 0


def test_the_conditional_update_lets_one_use_through(session, invited):
    """Two requests that both passed the check at the same moment: only one marks the link used."""
    token = sent_token(session)
    invitations.check_link(session, token, "invite", START)
    invitations._consume(session, token, "invite", START, invited)
    with pytest.raises(TokenError) as second:
        invitations._consume(session, token, "invite", START, invited)
    assert second.value.code == "used"


def test_a_reset_goes_only_to_an_address_a_used_link_has_proven(session, make, invited):
    """The invitation went to the person's e-mail; until it is used, a forgotten password
    sends nothing (the address may be mistyped); once used, the account holds that address
    as proven and a reset reaches it. An address changed since is not proven."""
    invitations.request_reset(session, invited.username, START, BASE)
    assert session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.kind == "password_reset")) == 0
    invitations.accept_invitation(session, sent_token(session), GOOD, START + timedelta(hours=1))
    assert (invited.email, invited.verified_email) == ("wang@example.com", "wang@example.com")
    invitations.request_reset(session, invited.username, START + timedelta(hours=2), BASE)
    sent = session.scalars(select(Notification.recipient).where(Notification.kind == "password_reset")).all()
    assert sent == ["wang@example.com"]
    invited.email = "someone-else@example.com"
    invitations.request_reset(session, invited.username, START + timedelta(hours=3), BASE)
    assert session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.kind == "password_reset")) == 1
