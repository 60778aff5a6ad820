"""Publishing a week whose feeds are many: the publish answers with the calendar updates'
progress page, which counts the feeds rendered; a small publish goes straight to the week."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from models import Assignment, FeedJob, FeedToken
from scheduler.feeds import jobs
from scheduler.week.drafts import get_or_create_draft
from tests.factories import MONDAY
from web.dates import app_clock

URL = "/districts/{d}/weeks/2026-11-30"


@pytest.fixture
def draft(session, make, world):
    """District A's draft: 王律师 and a second lawyer at the village, both with feed URLs."""
    draft = get_or_create_draft(session, world.district_a.id, MONDAY, world.users["coord_a"])
    other = make.person(world.district_a, name="李律师")
    for n, person in enumerate((world.person_a, other)):
        slot = make.slot(world.village_a, start=datetime(2026, 12, 1, 1 + n, tzinfo=UTC))
        draft.assignments.append(Assignment(slot_id=slot.id, person_id=person.id, line_index=0, source="manual"))
        session.add(FeedToken(subject_kind="person", subject_id=person.id, token_hash=f"{person.id:064d}",
                              created_at=datetime(2026, 11, 1, tzinfo=UTC)))
    session.flush()
    return draft


def publish(client, world, draft):
    url = URL.format(d=world.district_a.id)
    return client.post(url + "/publish", data={"lock_version": draft.lock_version})


def test_a_publish_past_the_threshold_answers_with_the_calendars_progress(app, as_role, session, world, draft,
                                                                          monkeypatch):
    monkeypatch.setattr(jobs, "THRESHOLD", 1)
    app.config["FEED_RUNNER"] = "inline"
    client = as_role("coord_a")
    response = publish(client, world, draft)
    job = session.query(FeedJob).one()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/calendar-updates/{job.id}")
    html = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Calendars: 2 of 2 updated" in html  # the two people with a feed URL
    assert 'http-equiv="refresh"' not in html and "Every calendar feed now shows the published version." in html


def test_a_queued_job_shows_its_progress_and_reloads(app, as_role, session, world, draft, monkeypatch):
    monkeypatch.setattr(jobs, "THRESHOLD", 1)
    client = as_role("coord_a")
    location = publish(client, world, draft).headers["Location"]
    html = client.get(location + "?lang=en").get_data(as_text=True)
    assert "Calendars: 0 of 2 updated" in html and 'http-equiv="refresh"' in html
    assert session.query(FeedJob).one().state == "queued"  # TESTING leaves it queued


def test_a_small_publish_renders_its_feeds_and_goes_to_the_week(as_role, session, world, draft):
    response = publish(as_role("coord_a"), world, draft)
    assert response.status_code == 302 and response.headers["Location"].endswith("?view=published")
    assert session.query(FeedJob).count() == 0


def test_a_job_left_queued_too_long_says_the_calendars_update_themselves(app, as_role, session, world, draft,
                                                                         monkeypatch):
    monkeypatch.setattr(jobs, "THRESHOLD", 1)
    client = as_role("coord_a")
    location = publish(client, world, draft).headers["Location"]
    app_clock(app).advance(minutes=11)
    html = client.get(location + "?lang=en").get_data(as_text=True)
    assert "then update themselves when next read" in html and 'http-equiv="refresh"' not in html
