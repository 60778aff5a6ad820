"""Serving a cached feed on an app's own session (bound to an engine): on PostgreSQL the
lookup is a lone autocommit SELECT that leaves the session's transaction unstarted; an
expired feed is still rendered in the session, for the caller to commit."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models import FeedRender
from scheduler.feeds.render import cached_feed
from scheduler.feeds.tokens import issue_token
from tests.factories import Factory
from tests.scheduler.feeds.test_jobs import NOW


def test_an_unchanged_feed_is_served_without_opening_the_sessions_transaction(committed_factory, backend):
    with committed_factory.begin() as s:
        person = Factory(s).person()
        token = issue_token(s, "person", person.id, now=NOW)
    with committed_factory() as s:
        served = cached_feed(s, token, NOW)
        assert served is not None and not served.rendered and served.body.startswith(b"BEGIN:VCALENDAR")
        # PostgreSQL: no BEGIN ... ROLLBACK around the lookup; SQLite reads in the session.
        assert s.in_transaction() is (backend == "sqlite")
        assert cached_feed(s, "x" * 43, NOW) is None


def test_an_expired_feed_is_rendered_in_the_session_for_the_caller_to_commit(committed_factory):
    with committed_factory.begin() as s:
        person = Factory(s).person()
        token = issue_token(s, "person", person.id, now=NOW)
    later = NOW + timedelta(days=2)
    with committed_factory() as s:
        served = cached_feed(s, token, later)
        assert served is not None and served.rendered and s.in_transaction()
        s.commit()
    with committed_factory() as s:
        assert s.scalar(select(FeedRender.rendered_at)) == later
