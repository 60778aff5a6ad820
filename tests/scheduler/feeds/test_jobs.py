"""Feed jobs: a publish touching many feeds leaves them to a job that renders them after
the publish commits, chunk by chunk with its progress; a failure leaves every feed as
consistent as before, and the feeds not yet reached serve their previous rendering."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from models import Assignment, FeedEvent, FeedJob, FeedRender, FeedToken
from scheduler.core.clock import FixedClock
from scheduler.feeds import bulk, jobs
from scheduler.feeds.render import STALE_AT_MOST, cached_feed
from scheduler.week import drafts
from tests.factories import Factory

NOW = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
WEEK = date(2026, 11, 30)
DOMAIN = "paiban.example.org"
TOKENS = [f"tok{n:02d}" + "x" * 38 for n in range(6)]


def week_with_feeds(factory, people: int = 6) -> tuple[int, list[int]]:
    """A district whose draft staffs `people` lawyers, each with a live feed URL (TOKENS)."""
    from scheduler.feeds.urls import hash_token

    with factory.begin() as s:
        make = Factory(s)
        d = make.district()
        village = make.site(d, name="甲村")
        draft = drafts.get_or_create_draft(s, d.id, WEEK, None)
        ids = []
        for n in range(people):
            person = make.person(d, name=f"律师{n}")
            slot = make.slot(village, start=datetime(2026, 11, 30, 1, tzinfo=UTC) + timedelta(hours=n))
            draft.assignments.append(Assignment(slot_id=slot.id, person_id=person.id, line_index=0,
                                                source="manual"))
            s.add(FeedToken(subject_kind="person", subject_id=person.id, token_hash=hash_token(TOKENS[n]),
                            created_at=NOW))
            ids.append(person.id)
        return d.id, ids


def publish(factory, district_id: int, *, defer: bool, now: datetime = NOW) -> int:
    with factory.begin() as s:
        return drafts.publish(s, district_id, WEEK, None, now=now, feed_domain=DOMAIN, defer_feeds=defer).id


def count(factory, model, *where) -> int:
    with factory() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def small_threshold(monkeypatch):
    monkeypatch.setattr(jobs, "THRESHOLD", 2)
    monkeypatch.setattr(jobs, "JOB_CHUNK", 2)


def test_a_large_deferred_publish_leaves_a_job_that_renders_every_feed(committed_factory, small_threshold):
    district_id, ids = week_with_feeds(committed_factory)
    version = publish(committed_factory, district_id, defer=True)
    with committed_factory() as s:
        job = jobs.job_of_version(s, version)
        assert (job.state, job.done, job.total) == ("queued", 0, 6)
    assert count(committed_factory, FeedRender) == 0
    assert jobs.next_queued(committed_factory) == job.id
    assert jobs.run_feed_job(committed_factory, job.id, clock=FixedClock(NOW), domain=DOMAIN) == "done"
    with committed_factory() as s:
        job = s.get(FeedJob, job.id)
        assert jobs.progress(job, NOW) == {"id": job.id, "state": "done", "done": 6, "total": 6, "live": False,
                                           "error": None}
        assert job.started_at == NOW and job.finished_at == NOW
    assert count(committed_factory, FeedRender, FeedRender.rendered_at == NOW) == 6
    assert count(committed_factory, FeedEvent) == 6
    assert jobs.next_queued(committed_factory) is None


def test_a_job_runs_once(committed_factory, small_threshold):
    district_id, _ = week_with_feeds(committed_factory)
    version = publish(committed_factory, district_id, defer=True)
    with committed_factory() as s:
        job_id = jobs.job_of_version(s, version).id
    assert jobs.run_feed_job(committed_factory, job_id, clock=FixedClock(NOW)) == "done"
    assert jobs.run_feed_job(committed_factory, job_id, clock=FixedClock(NOW)) == "done"
    with pytest.raises(LookupError):
        jobs.run_feed_job(committed_factory, job_id + 1000, clock=FixedClock(NOW))


@pytest.mark.parametrize("defer", [False, True])
def test_a_small_publish_or_one_not_deferred_renders_its_feeds_itself(committed_factory, defer, monkeypatch):
    monkeypatch.setattr(jobs, "THRESHOLD", 6 if defer else 2)
    district_id, _ = week_with_feeds(committed_factory)
    version = publish(committed_factory, district_id, defer=defer)
    with committed_factory() as s:
        assert jobs.job_of_version(s, version) is None
    assert count(committed_factory, FeedRender, FeedRender.rendered_at == NOW) == 6


def test_progress_moves_chunk_by_chunk_and_a_failure_leaves_the_rest_as_it_was(committed_factory, small_threshold,
                                                                               monkeypatch):
    district_id, ids = week_with_feeds(committed_factory)
    # A first publish renders every feed (not deferred); the second's job fails half way.
    publish(committed_factory, district_id, defer=False)
    with committed_factory.begin() as s:
        draft = drafts.get_or_create_draft(s, district_id, WEEK, None)
        for a in draft.assignments:
            a.line_index = 1  # not in the feeds: nothing changes for calendars ...
        s.execute(FeedEvent.__table__.update().values(content_hash="stale"))  # ... but every event is "changed"
    later = NOW + timedelta(hours=1)
    version = publish(committed_factory, district_id, defer=True, now=later)
    # Until the job reaches them, the feeds serve their previous rendering, for at most STALE_AT_MOST.
    assert count(committed_factory, FeedRender, FeedRender.expires_at == later + STALE_AT_MOST) == 6
    with committed_factory() as s:
        served = cached_feed(s, TOKENS[0], later, domain=DOMAIN)
        assert served is not None and not served.rendered
        job_id = jobs.job_of_version(s, version).id
    real, calls = bulk.ical.render, []

    def fail_in_the_second_chunk(*args, **kw):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args, **kw)

    monkeypatch.setattr(bulk.ical, "render", fail_in_the_second_chunk)
    assert jobs.run_feed_job(committed_factory, job_id, clock=FixedClock(later), domain=DOMAIN) == "failed"
    with committed_factory() as s:
        job = s.get(FeedJob, job_id)
        assert (job.state, job.done, job.total) == ("failed", 2, 6) and "disk full" in job.error
        events = {e.subject_id: e for e in s.scalars(select(FeedEvent))}
        renders = {r.subject_id: r for r in s.scalars(select(FeedRender))}
    # The first chunk is done: events and rendering both new. The rest: both as before.
    for person_id in ids:
        done = person_id in ids[:2]
        assert (events[person_id].content_hash != "stale") is done
        assert (renders[person_id].rendered_at == later) is done
        assert events[person_id].sequence == (1 if done else 0)


def test_a_job_whose_runner_died_is_shown_lost_once_its_feeds_render_on_demand(committed_factory, small_threshold):
    district_id, _ = week_with_feeds(committed_factory)
    version = publish(committed_factory, district_id, defer=True)
    with committed_factory() as s:
        job = jobs.job_of_version(s, version)
        assert jobs.progress(job, NOW + STALE_AT_MOST)["state"] == "queued"
        late = jobs.progress(job, NOW + STALE_AT_MOST + timedelta(seconds=1))
        assert (late["state"], late["live"]) == ("lost", False)
