"""The public account pages: an invitation link sets the first password once (a coordinator
then enrols the second factor), expired and used links are refused with a clear message, and a
forgotten password is answered the same for every name, rate limited, with a link that works once."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from models import Notification
from scheduler.accounts import invitations, operations
from scheduler.auth.accounts import authenticate
from tests.web.conftest import NOW, login_as
from web.dates import app_clock

GOOD = "violet tandem orchard 42"


def link_in(session, kind: str) -> str:
    body = session.scalars(select(Notification.body).where(Notification.kind == kind)
                           .order_by(Notification.id.desc())).first()
    return re.search(r"http://localhost(/\S+)", body).group(1)


def invite(session, world, user) -> str:
    invitations.send_invitation(session, world.users["city"], user, NOW, "http://localhost")
    session.flush()
    return link_in(session, "invitation")


def new_provider(session, world, make):
    person = make.person(world.district_a, email="new@example.com")
    return operations.create_person_account(session, world.users["coord_a"], person.id, username="newcomer")


def test_the_invitee_sets_a_password_once_and_is_signed_in(app, world, make, session):
    user = new_provider(session, world, make)
    path = invite(session, world, user)
    client = app.test_client()
    page = client.get(path)
    assert page.status_code == 200 and "newcomer" in page.get_data(as_text=True)
    done = client.post(path, data={"new": GOOD, "confirm": GOOD})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert client.get("/me").status_code == 200  # signed in as the new account
    session.expire_all()
    assert authenticate(session, "newcomer", GOOD, NOW).ok

    again = app.test_client().post(path, data={"new": "another fine passphrase 7", "confirm": "another fine passphrase 7"})
    assert again.status_code == 410
    assert "已使用" in again.get_data(as_text=True)
    english = app.test_client().get(path + "?lang=en")
    assert english.status_code == 410 and "has been used already" in english.get_data(as_text=True)
    assert authenticate(session, "newcomer", GOOD, NOW).ok


def test_an_expired_invitation_is_refused(app, world, make, session):
    user = new_provider(session, world, make)
    path = invite(session, world, user)
    app_clock(app).advance(days=7, minutes=1)
    answer = app.test_client().post(path, data={"new": GOOD, "confirm": GOOD})
    assert answer.status_code == 410 and "已过期" in answer.get_data(as_text=True)
    session.refresh(user)
    assert operations.account_state(user, NOW) == "invited"


def test_a_weak_password_is_refused_and_the_link_still_works(app, world, make, session):
    path = invite(session, world, new_provider(session, world, make))
    client = app.test_client()
    weak = client.post(path + "?lang=en", data={"new": "password123", "confirm": "password123"})
    assert weak.status_code == 200 and "too easy to guess" in weak.get_data(as_text=True)
    assert client.post(path, data={"new": GOOD, "confirm": GOOD}).status_code == 302


def test_an_invited_coordinator_is_sent_to_enrol_the_second_factor(app, world, session):
    coord = operations.create_coordinator_account(session, world.users["city"], username="new-coord",
                                                  district_id=world.district_a.id, email="c@example.com")
    path = invite(session, world, coord)
    client = app.test_client()
    done = client.post(path, data={"new": GOOD, "confirm": GOOD})
    assert done.headers["Location"] == "/account/two-factor"
    assert client.get("/dashboard").headers["Location"].endswith("/account/two-factor")


def test_unknown_links_are_404(app):
    for path in ("/invitation/" + "a" * 43, "/password/reset/" + "b" * 43, "/invitation/short"):
        assert app.test_client().get(path).status_code == 404


def test_forgot_answers_the_same_for_every_name(app, world, session):
    provider = world.users["provider"]
    provider.email = provider.verified_email = "wang@example.com"
    session.flush()
    answers = [app.test_client().post("/password/forgot", data={"username": name},
                                      headers={"X-Forwarded-For": f"10.9.0.{n}"})
               for n, name in enumerate((provider.username, "nobody-at-all", "wang@example.com", "nobody@example.com"))]
    assert {a.status_code for a in answers} == {200}
    assert len({a.get_data() for a in answers}) == 1
    sent = list(session.scalars(select(Notification.recipient).where(Notification.kind == "password_reset")))
    assert sent == ["wang@example.com", "wang@example.com"]
    # A NUL (PostgreSQL refuses it in text) gets the same answer, not an error.
    nul = app.test_client().post("/password/forgot", data={"username": "wang\x00"},
                                 headers={"X-Forwarded-For": "10.9.1.1"})
    assert (nul.status_code, nul.get_data()) == (200, answers[0].get_data())


def test_forgot_is_rate_limited_by_address_and_by_account(app, world):
    client = app.test_client()
    by_address = [client.post("/password/forgot", data={"username": f"name-{n}"}).status_code for n in range(7)]
    assert by_address == [200] * 5 + [429] * 2
    by_account = [app.test_client().post("/password/forgot", data={"username": "someone"},
                                         headers={"X-Forwarded-For": f"10.8.0.{n}"}).status_code for n in range(7)]
    assert by_account == [200] * 5 + [429] * 2


def test_the_reset_link_works_once_unlocks_and_ends_every_session(app, world, session):
    provider = world.users["provider"]
    provider.email, provider.failed_logins, provider.locked_until = "wang@example.com", 8, NOW + timedelta(hours=1)
    provider.verified_email = provider.email
    session.flush()
    signed_in = app.test_client()
    login_as(signed_in, provider)
    assert signed_in.get("/me").status_code == 200
    app.test_client().post("/password/forgot", data={"username": "wang@example.com"})
    path = link_in(session, "password_reset")
    assert path.startswith("/password/reset/")
    done = app.test_client().post(path, data={"new": GOOD, "confirm": GOOD})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    session.expire_all()
    assert provider.failed_logins == 0 and provider.locked_until is None
    assert authenticate(session, provider.username, GOOD, NOW).ok
    assert signed_in.get("/me").status_code == 302  # the old session has ended
    assert app.test_client().post(path, data={"new": GOOD, "confirm": GOOD}).status_code == 410


def test_a_reset_link_expires_after_30_minutes(app, world, session):
    world.users["provider"].email = world.users["provider"].verified_email = "wang@example.com"
    session.flush()
    app.test_client().post("/password/forgot", data={"username": "wang@example.com"})
    path = link_in(session, "password_reset")
    app_clock(app).advance(minutes=31)
    assert app.test_client().get(path).status_code == 410


def test_the_sign_in_page_links_to_the_forgotten_password_page(client):
    assert 'href="/password/forgot"' in client.get("/login").get_data(as_text=True)
