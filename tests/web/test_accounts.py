"""The coordinators' account pages: scoped lists, one account or a district's at once (all or
nothing), invitations through the outbox, unlock, deactivate, a coordinator's scope; audited."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from models import AccountToken, AuditEntry, Notification, User
from tests.web.conftest import NOW


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_list_keeps_to_what_the_coordinator_manages(world, as_role, make, session):
    other_coord_a = make.user("coordinator", district_id=world.district_a.id, username="coord-a-two")
    make.user("provider", person_id=world.person_b.id, district_id=world.district_b.id, username="lawyer-b")
    page = as_role("coord_a").get("/accounts/?state=").get_data(as_text=True)
    assert world.users["provider"].username in page and world.users["village"].username in page
    assert "lawyer-b" not in page and other_coord_a.username not in page
    # A coordinator account of the own district is not the district coordinator's to manage.
    assert as_role("coord_a").get(f"/accounts/{other_coord_a.id}").status_code == 404
    city = as_role("city").get("/accounts/?role=coordinator").get_data(as_text=True)
    assert other_coord_a.username in city and world.users["provider"].username not in city


def test_search_by_name_and_state(world, as_role, session):
    provider = world.users["provider"]
    provider.locked_until = NOW + timedelta(minutes=10)
    session.flush()
    client = as_role("coord_a")
    locked = client.get("/accounts/?state=locked").get_data(as_text=True)
    assert provider.username in locked and world.users["village"].username not in locked
    found = client.get(f"/accounts/?q={provider.username.upper()}").get_data(as_text=True)
    assert provider.username in found and world.users["village"].username not in found


def test_create_an_account_for_a_person_sends_an_invitation(world, as_role, make, session):
    person = make.person(world.district_a, name="赵律师", email="zhao@example.com")
    client = as_role("coord_a")
    assert client.get(f"/accounts/new?ref={person.external_id}").headers["Location"].endswith(
        f"/accounts/new/person/{person.id}")
    answer = client.post(f"/accounts/new/person/{person.id}", data={"username": "zhao", "email": "zhao@example.com"})
    assert answer.status_code == 302
    user = session.scalar(select(User).where(User.username == "zhao"))
    assert (user.role, user.person_id, user.district_id) == ("provider", person.id, world.district_a.id)
    message = session.scalar(select(Notification).where(Notification.kind == "invitation"))
    assert (message.channel, message.recipient) == ("email", "zhao@example.com")
    assert "http://localhost/invitation/" in message.body
    assert count(session, AuditEntry, AuditEntry.action.in_(("account.create", "account.invite")),
                 AuditEntry.user_id == world.users["coord_a"].id) == 2
    # Another district's coordinator cannot make one for A's people, nor see the new account.
    other = make.person(world.district_a)
    assert as_role("coord_b").post(f"/accounts/new/person/{other.id}", data={}).status_code == 404
    assert as_role("coord_b").get(f"/accounts/{user.id}").status_code == 404


def test_a_taken_username_is_refused_in_the_readers_language(world, as_role, make, session):
    person = make.person(world.district_a)
    answer = as_role("coord_a").post(f"/accounts/new/person/{person.id}?lang=en",
                                     data={"username": world.users["village"].username}, follow_redirects=True)
    assert "is taken" in answer.get_data(as_text=True)
    assert session.scalar(select(User).where(User.person_id == person.id)) is None


def test_bulk_creates_300_village_accounts_in_one_go(world, as_role, make, session):
    for i in range(300):
        make.site(world.district_a, phone=f"1380000{i:04d}")
    before = count(session, User)
    answer = as_role("coord_a").post("/accounts/bulk?lang=en", data={"what": "villages",
                                                                     "district": str(world.district_a.id)},
                                     follow_redirects=True)
    text = answer.get_data(as_text=True)
    # The world's village of A has its representative already: 300 new ones.
    assert "300 accounts created" in text and "300 by SMS" in text
    assert count(session, User) - before == 300
    assert count(session, Notification, Notification.kind == "invitation", Notification.channel == "sms") == 300
    assert count(session, AccountToken, AccountToken.purpose == "invite") == 300


def test_bulk_is_all_or_nothing(world, as_role, make, session):
    villages = [make.site(world.district_a) for _ in range(20)]
    make.user("provider", person_id=make.person(world.district_b).id, username=villages[7].external_id.lower())
    before = count(session, User), count(session, Notification)
    answer = as_role("coord_a").post("/accounts/bulk?lang=en", data={"what": "villages",
                                                                     "district": str(world.district_a.id)},
                                     follow_redirects=True)
    assert "Nothing was created" in answer.get_data(as_text=True)
    assert (count(session, User), count(session, Notification)) == before


def test_bulk_in_another_district_is_refused(world, as_role):
    answer = as_role("coord_b").post("/accounts/bulk", data={"what": "people", "district": str(world.district_a.id)})
    # Not among the form's choices: the form refuses it before any service call.
    assert answer.status_code == 200
    assert "甲村" not in answer.get_data(as_text=True)


def test_unlock_deactivate_and_reactivate(world, as_role, session):
    provider = world.users["provider"]
    provider.failed_logins, provider.locked_until = 9, NOW + timedelta(hours=1)
    session.flush()
    client = as_role("coord_a")
    assert client.post(f"/accounts/{provider.id}/unlock").status_code == 302
    session.refresh(provider)
    assert provider.locked_until is None and provider.failed_logins == 0
    epoch = provider.session_epoch
    client.post(f"/accounts/{provider.id}/deactivate")
    session.refresh(provider)
    assert not provider.active and provider.session_epoch == epoch + 1
    client.post(f"/accounts/{provider.id}/reactivate")
    session.refresh(provider)
    assert provider.active
    actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == provider.username)
                                   .order_by(AuditEntry.id)))
    assert actions[-3:] == ["account.unlock", "account.deactivate", "account.reactivate"]


def test_resend_replaces_the_invitation(world, as_role, make, session):
    village = make.site(world.district_a, phone="13900001111")
    client = as_role("coord_a")
    client.post(f"/accounts/new/village/{village.id}", data={"username": "cun-1"})
    user = session.scalar(select(User).where(User.username == "cun-1"))
    client.post(f"/accounts/{user.id}/resend")
    tokens = list(session.scalars(select(AccountToken).where(AccountToken.user_id == user.id)
                                  .order_by(AccountToken.id)))
    assert len(tokens) == 2 and tokens[0].expires_at == NOW and tokens[1].expires_at > NOW
    assert count(session, Notification, Notification.recipient == "13900001111") == 2


def test_only_the_city_manages_coordinator_accounts(world, as_role, session):
    coord_a = world.users["coord_a"]
    assert as_role("coord_a").post(f"/accounts/{coord_a.id}/scope", data={"scope": "city"}).status_code == 403
    city = as_role("city")
    assert city.post(f"/accounts/{coord_a.id}/scope", data={"scope": str(world.district_b.id)}).status_code == 302
    session.refresh(coord_a)
    assert coord_a.district_id == world.district_b.id and not coord_a.city_wide
    city.post(f"/accounts/{coord_a.id}/scope", data={"scope": "city"})
    session.refresh(coord_a)
    assert coord_a.city_wide and coord_a.district_id is None
    assert count(session, AuditEntry, AuditEntry.action == "account.scope") == 2
    # A new coordinator account, invited; it is the city's to make, not a district's.
    assert as_role("coord_b").get("/accounts/new/coordinator").status_code == 403
    city = as_role("city")
    city.post("/accounts/new/coordinator", data={"username": "new-coord", "scope": str(world.district_a.id),
                                                 "email": "c@example.com"})
    made = session.scalar(select(User).where(User.username == "new-coord"))
    assert made.role == "coordinator" and made.district_id == world.district_a.id
    # Nobody deactivates their own account here.
    city.post(f"/accounts/{world.users['city'].id}/deactivate")
    session.refresh(world.users["city"])
    assert world.users["city"].active


def test_the_detail_page_offers_what_the_account_needs(world, as_role, make, session):
    village = make.site(world.district_a, phone="13900002222")
    client = as_role("coord_a")
    client.post(f"/accounts/new/village/{village.id}", data={"username": "cun-2"})
    invited = session.scalar(select(User).where(User.username == "cun-2"))
    page = client.get(f"/accounts/{invited.id}?lang=en").get_data(as_text=True)
    assert "Invited" in page and f"/accounts/{invited.id}/resend" in page and "139****2222" in page
    assert "/scope" not in page  # a district coordinator changes no scope
    city = as_role("city").get(f"/accounts/{world.users['coord_a'].id}").get_data(as_text=True)
    assert f"/accounts/{world.users['coord_a'].id}/scope" in city and "The whole city" in city


def test_nul_and_other_control_characters_never_reach_a_query(world, as_role, session):
    """PostgreSQL refuses NUL in text (a DataError, 500): found by the form fuzzer on role=%00."""
    client = as_role("coord_a")
    listing = client.get("/accounts/?role=%00&state=%00&q=" + world.users["provider"].username + "%00")
    assert listing.status_code == 200 and world.users["provider"].username in listing.get_data(as_text=True)
    assert client.get("/accounts/new?ref=YZ%00").status_code == 302
    made = client.post(f"/accounts/new/person/{world.person_b.id}", data={"username": "a\x00b"})
    assert made.status_code == 404  # B's person; and A's with a NUL name:
    person = world.person_a
    session.delete(world.users["provider"])
    session.flush()
    answer = client.post(f"/accounts/new/person/{person.id}", data={"username": "a\x00b", "email": "x\x00@example.com"})
    assert answer.status_code == 302
    assert session.scalar(select(User.username).where(User.person_id == person.id)) == "ab"
