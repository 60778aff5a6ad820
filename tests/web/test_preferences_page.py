"""The "how I am told" page: a provider sets their own channels; the page shows where
notices go now, masked."""
from __future__ import annotations

from tests.web.conftest import login_as


def test_a_provider_chooses_sms_then_email_and_sees_where_notices_go(client, session, world):
    person = world.person_a  # phone 13812345678, no e-mail yet
    person.email = "wang@example.org"
    session.flush()
    login_as(client, world.users["provider"])
    assert client.get("/my/notices").headers["Location"].endswith(f"/people/{person.id}/notices")
    answer = client.post(f"/people/{person.id}/notices?lang=en",
                         data={"first": "sms", "second": "email", "third": "", "reminders": "y"})
    assert answer.status_code == 302
    session.refresh(person)
    assert (person.notify_channels, person.quiet_hours, person.reminders) == ("sms,email", False, True)
    page = client.get(f"/people/{person.id}/notices?lang=en").get_data(as_text=True)
    assert '<span data-route="sms">SMS 138****5678</span> → <span data-route="email">' in page
    assert "13812345678" not in page


def test_a_channel_chosen_twice_is_refused_with_a_reason(client, session, world):
    login_as(client, world.users["provider"])
    answer = client.post(f"/people/{world.person_a.id}/notices?lang=en", data={"first": "sms", "second": "sms"},
                         follow_redirects=True)
    assert "Each channel can be chosen once." in answer.get_data(as_text=True)
    session.refresh(world.person_a)
    assert world.person_a.notify_channels == ""
