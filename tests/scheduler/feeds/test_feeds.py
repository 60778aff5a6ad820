"""Feeds over the database: secret revocable tokens, published versions only, stable UIDs,
SEQUENCE and cancellations remembered across versions, the window, and no villager data.
Every feed is read back through the icalendar parser."""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import event, select

from models import Assignment, FeedEvent, FeedRender, FeedToken, Person, Site, Slot, VisitRequest
from scheduler.core.config import Settings, SettingsError
from scheduler.core.weeks import monday_of, to_local
from scheduler.feeds.render import cached_feed, refresh_feeds
from scheduler.feeds.tokens import TokenExists, issue_token, revoke
from scheduler.feeds.urls import feed_urls
from scheduler.week import drafts

NOW = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
WEEK = date(2026, 11, 30)
DOMAIN = "paiban.example.org"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


# The moment every feed call of a test works at (`now=CLOCK.now`, publishing included), and
# the UID domain of the settings' SCHEDULER_BASE_URL (`domain=DOMAIN`).
CLOCK = Clock()


@pytest.fixture
def clock() -> Clock:
    CLOCK.now = NOW
    return CLOCK


@dataclass
class World:
    district: object
    village: Site
    window: Site
    wang: Person
    li: Person
    visit: Slot
    shift: Slot


@pytest.fixture
def world(make, clock) -> World:
    d = make.district()
    village = make.site(d, name="甲村", address="甲村村委会", phone="0574-88888888")
    window = make.site(d, kind="window", name="甲镇司法所窗口")
    wang = make.person(d, name="王律师", phone="13812345678")
    li = make.person(d, name="李律师", phone="13987654321")
    visit = make.slot(village, start=datetime(2026, 11, 30, 1, 0, tzinfo=UTC),
                      lines=(("lawyer",), ("lawyer",)))
    shift = make.slot(window, kind="shift", start=datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
    return World(d, village, window, wang, li, visit, shift)


def publish(session, district, *pairs, week=WEEK):
    """Publish a version of the week holding exactly these (slot, person) assignments."""
    draft = drafts.get_or_create_draft(session, district.id, week, None)
    draft.assignments.clear()
    session.flush()
    draft.assignments.extend(Assignment(slot_id=s.id, person_id=p.id, line_index=i, source="manual")
                             for i, (s, p) in enumerate(pairs))
    session.flush()
    # Which renders the live feeds.
    return drafts.publish(session, district.id, week, None, now=CLOCK.now, feed_domain=DOMAIN)


def read(session, token) -> icalendar.Calendar:
    render = cached_feed(session, token, now=CLOCK.now, domain=DOMAIN)
    assert render is not None
    return icalendar.Calendar.from_ical(render.body)


def events(cal) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def person_uid(slot, person) -> str:
    return f"slot-{slot.id}-person-{person.id}@{DOMAIN}"


# --- tokens ---------------------------------------------------------------------------

def test_tokens_are_long_random_and_only_their_hash_is_stored(session, world):
    one = issue_token(session, "person", world.wang.id, now=CLOCK.now, domain=DOMAIN)
    other = issue_token(session, "person", world.li.id, now=CLOCK.now, domain=DOMAIN)
    assert len(one) == 43 and one != other  # token_urlsafe(32): 256 random bits
    row = session.scalar(select(FeedToken).where(FeedToken.subject_id == world.wang.id,
                                                 FeedToken.subject_kind == "person"))
    assert row.token_hash == hashlib.sha256(one.encode()).hexdigest()
    assert one not in {str(v) for v in vars(row).values()}


def test_a_live_url_cannot_be_shown_again_only_replaced(session, world):
    issue_token(session, "person", world.wang.id, now=CLOCK.now, domain=DOMAIN)
    with pytest.raises(TokenExists):
        issue_token(session, "person", world.wang.id, now=CLOCK.now, domain=DOMAIN)


def test_reset_kills_the_old_url_at_once(session, world):
    old = issue_token(session, "village", world.village.id, now=CLOCK.now, domain=DOMAIN)
    assert cached_feed(session, old, now=CLOCK.now, domain=DOMAIN) is not None
    new = issue_token(session, "village", world.village.id, reset=True, now=CLOCK.now, domain=DOMAIN)
    assert cached_feed(session, old, now=CLOCK.now, domain=DOMAIN) is None
    assert cached_feed(session, new, now=CLOCK.now, domain=DOMAIN) is not None


def test_revoked_unknown_and_malformed_tokens_open_nothing(session, world):
    token = issue_token(session, "site", world.window.id, now=CLOCK.now, domain=DOMAIN)
    assert revoke(session, "site", world.window.id, now=CLOCK.now)
    assert cached_feed(session, token, now=CLOCK.now, domain=DOMAIN) is None
    assert cached_feed(session, "A" * 43, now=CLOCK.now, domain=DOMAIN) is None
    assert cached_feed(session, "../../etc/passwd", now=CLOCK.now, domain=DOMAIN) is None


def test_urls_offer_https_and_webcal():
    urls = feed_urls("https://paiban.example.org/", "abc")
    assert urls.https == "https://paiban.example.org/feeds/abc.ics"
    assert urls.webcal == "webcal://paiban.example.org/feeds/abc.ics"


def test_a_bad_base_url_is_refused():
    with pytest.raises(SettingsError, match="SCHEDULER_BASE_URL"):
        Settings.from_env({"SCHEDULER_BASE_URL": "paiban.example.org"})
    assert Settings.from_env({"SCHEDULER_BASE_URL": f"https://{DOMAIN}/"}).feed_domain == DOMAIN


# --- content --------------------------------------------------------------------------

def test_a_persons_feed_has_their_published_assignments_with_stable_uids(session, world):
    token = issue_token(session, "person", world.wang.id, now=CLOCK.now, domain=DOMAIN)
    publish(session, world.district, (world.visit, world.wang), (world.visit, world.li), (world.shift, world.wang))
    got = events(read(session, token))
    assert sorted(got) == sorted([person_uid(world.visit, world.wang), person_uid(world.shift, world.wang)])
    visit = got[person_uid(world.visit, world.wang)]
    assert visit["DTSTART"].dt == world.visit.start_at and visit["DTEND"].dt == world.visit.end_at
    assert visit["DTSTART"].dt.utcoffset() == timedelta(hours=8)
    assert "甲村" in str(visit["SUMMARY"]) and "甲村村委会" in str(visit["LOCATION"])
    assert "李律师" in str(visit["DESCRIPTION"])  # the colleague on the same slot
    assert "王律师" not in str(visit["DESCRIPTION"])
    assert int(visit["SEQUENCE"]) == 0 and str(visit["STATUS"]) == "CONFIRMED"
    assert visit["DTSTAMP"].dt == NOW


def test_village_and_site_feeds_have_one_event_per_slot(session, world):
    village = issue_token(session, "village", world.village.id, now=CLOCK.now, domain=DOMAIN)
    site = issue_token(session, "site", world.window.id, now=CLOCK.now, domain=DOMAIN)
    publish(session, world.district, (world.visit, world.wang), (world.visit, world.li), (world.shift, world.li))
    got = events(read(session, village))
    assert list(got) == [f"slot-{world.visit.id}-village@{DOMAIN}"]
    summary = str(got[f"slot-{world.visit.id}-village@{DOMAIN}"]["SUMMARY"])
    assert "王律师" in summary and "李律师" in summary
    assert list(events(read(session, site))) == [f"slot-{world.shift.id}-site@{DOMAIN}"]


def test_only_the_newest_published_version_counts_never_the_draft(session, world):
    token = issue_token(session, "person", world.wang.id, now=CLOCK.now, domain=DOMAIN)
    publish(session, world.district, (world.visit, world.wang))
    draft = drafts.get_or_create_draft(session, world.district.id, WEEK, None)
    draft.assignments.append(Assignment(slot_id=world.shift.id, person_id=world.wang.id, line_index=0))
    session.flush()
    refresh_feeds(session, world.district.id, WEEK, now=CLOCK.now, domain=DOMAIN)
    assert list(events(read(session, token))) == [person_uid(world.visit, world.wang)]
    publish(session, world.district, (world.shift, world.wang))
    got = events(read(session, token))
    assert str(got[person_uid(world.shift, world.wang)]["STATUS"]) == "CONFIRMED"
    assert str(got[person_uid(world.visit, world.wang)]["STATUS"]) == "CANCELLED"


def test_republishing_the_same_gives_the_same_bytes(session, world, clock):
    token = issue_token(session, "person", world.wang.id, now=CLOCK.now, domain=DOMAIN)
    publish(session, world.district, (world.visit, world.wang))
    first = cached_feed(session, token, now=CLOCK.now, domain=DOMAIN)
    body, etag, modified = first.body, first.etag, first.last_modified
    clock.advance(hours=3)
    publish(session, world.district, (world.visit, world.wang))
    again = cached_feed(session, token, now=CLOCK.now, domain=DOMAIN)
    assert (again.body, again.etag, again.last_modified) == (body, etag, modified)


def test_a_real_change_raises_sequence_and_moves_the_stamp(session, world, clock):
    token = issue_token(session, "person", world.wang.id, now=CLOCK.now, domain=DOMAIN)
    publish(session, world.district, (world.visit, world.wang))
    before = cached_feed(session, token, now=CLOCK.now, domain=DOMAIN)
    etag, modified = before.etag, before.last_modified
    changed = clock.advance(hours=2)
    publish(session, world.district, (world.visit, world.wang), (world.visit, world.li))
    after = cached_feed(session, token, now=CLOCK.now, domain=DOMAIN)
    visit = events(icalendar.Calendar.from_ical(after.body))[person_uid(world.visit, world.wang)]
    assert int(visit["SEQUENCE"]) == 1 and visit["DTSTAMP"].dt == changed
    assert after.etag != etag and after.last_modified > modified


def test_a_cancelled_assignment_stays_seven_days_then_goes(session, world, clock):
    token = issue_token(session, "person", world.wang.id, now=CLOCK.now, domain=DOMAIN)
    publish(session, world.district, (world.visit, world.wang), (world.shift, world.wang))
    cancelled_at = clock.advance(hours=1)
    publish(session, world.district, (world.shift, world.wang))
    uid = person_uid(world.visit, world.wang)
    gone = events(read(session, token))[uid]
    assert str(gone["STATUS"]) == "CANCELLED" and int(gone["SEQUENCE"]) == 1
    assert gone["DTSTAMP"].dt == cancelled_at
    clock.now = cancelled_at + timedelta(days=7) - timedelta(seconds=1)
    assert uid in events(read(session, token))
    clock.now = cancelled_at + timedelta(days=7, seconds=1)
    assert uid not in events(read(session, token))
    assert person_uid(world.shift, world.wang) in events(read(session, token))


def test_sequence_never_falls_when_an_event_comes_back(session, world, clock):
    token = issue_token(session, "person", world.wang.id, now=CLOCK.now, domain=DOMAIN)
    uid = person_uid(world.visit, world.wang)
    seen = []
    for pairs in ([(world.visit, world.wang)], [], [(world.visit, world.wang)], [(world.visit, world.wang)]):
        clock.advance(minutes=5)
        publish(session, world.district, *pairs)
        got = events(read(session, token))[uid]
        seen.append((int(got["SEQUENCE"]), str(got["STATUS"])))
    assert seen == [(0, "CONFIRMED"), (1, "CANCELLED"), (2, "CONFIRMED"), (2, "CONFIRMED")]


def test_a_cancelled_slot_is_cancelled_in_every_feed(session, world, clock):
    person = issue_token(session, "person", world.wang.id, now=CLOCK.now, domain=DOMAIN)
    village = issue_token(session, "village", world.village.id, now=CLOCK.now, domain=DOMAIN)
    publish(session, world.district, (world.visit, world.wang))
    clock.advance(hours=1)
    world.visit.cancelled = True
    session.flush()
    refresh_feeds(session, world.district.id, WEEK, now=CLOCK.now, domain=DOMAIN)
    assert str(events(read(session, person))[person_uid(world.visit, world.wang)]["STATUS"]) == "CANCELLED"
    assert [str(e["STATUS"]) for e in events(read(session, village)).values()] == ["CANCELLED"]


def test_the_window_is_30_days_back_and_180_ahead(session, make, world, clock):
    token = issue_token(session, "person", world.wang.id, now=CLOCK.now, domain=DOMAIN)
    offsets = {-31: False, -29: True, 179: True, 181: False}
    slots = {}
    for days, _ in offsets.items():
        start = NOW + timedelta(days=days)
        week = monday_of(to_local(start).date())
        slots[days] = make.slot(world.village, start=start, week_start=week)
        publish(session, world.district, (slots[days], world.wang), week=week)
    shown = set(events(read(session, token)))
    assert {d for d, s in slots.items() if person_uid(s, world.wang) in shown} == {-29, 179}


def test_no_villagers_data_reaches_any_feed(session, make, world):
    owner = make.user("coordinator", district_id=world.district.id)
    request = VisitRequest(village_id=world.village.id, district_id=world.district.id, kind="consultation",
                           topic="SECRET-TOPIC 土地纠纷 张三", details="SECRET-DETAILS 13800001111",
                           owner_id=owner.id)
    session.add(request)
    session.flush()
    booked = make.slot(world.village, request_id=request.id, start=datetime(2026, 12, 2, 6, tzinfo=UTC))
    tokens = [issue_token(session, "person", world.wang.id, now=CLOCK.now, domain=DOMAIN),
              issue_token(session, "village", world.village.id, now=CLOCK.now, domain=DOMAIN)]
    publish(session, world.district, (booked, world.wang))
    for token in tokens:
        body = cached_feed(session, token, now=CLOCK.now, domain=DOMAIN).body.decode()
        assert "SECRET" not in body and "13800001111" not in body and "张三" not in body
        assert "13812345678" not in body  # nor the staff's own phone numbers
        assert "预约走访" in body


def test_one_broken_event_does_not_break_the_feed(session, world, clock, caplog):
    token = issue_token(session, "person", world.wang.id, now=CLOCK.now, domain=DOMAIN)
    publish(session, world.district, (world.visit, world.wang), (world.shift, world.wang))
    broken = session.scalar(select(FeedEvent).where(FeedEvent.uid == person_uid(world.visit, world.wang)))
    broken.content = {**broken.content, "start": "not a time"}
    session.flush()
    clock.advance(days=2)  # past the cached rendering's expiry
    with caplog.at_level(logging.WARNING):
        got = events(read(session, token))
    assert list(got) == [person_uid(world.shift, world.wang)]
    assert any(broken.uid in r.getMessage() for r in caplog.records)


def test_feeds_without_a_live_url_are_not_rendered_at_publish(session, world):
    publish(session, world.district, (world.visit, world.wang))
    assert session.scalar(select(FeedRender).where(FeedRender.subject_id == world.wang.id)) is None


def test_a_current_feed_costs_one_query(session, world):
    token = issue_token(session, "person", world.wang.id, now=CLOCK.now, domain=DOMAIN)
    publish(session, world.district, (world.visit, world.wang))
    statements = []
    bind = session.get_bind()

    def count(*_args):
        statements.append(_args[2])

    event.listen(bind, "before_cursor_execute", count)
    try:
        session.expire_all()
        assert cached_feed(session, token, now=CLOCK.now, domain=DOMAIN) is not None
    finally:
        event.remove(bind, "before_cursor_execute", count)
    assert len(statements) == 1, statements


def test_publishing_refreshes_the_feeds(session, world):
    token = issue_token(session, "person", world.wang.id, now=CLOCK.now, domain=DOMAIN)
    draft = drafts.get_or_create_draft(session, world.district.id, WEEK, None)
    draft.assignments.append(Assignment(slot_id=world.visit.id, person_id=world.wang.id, line_index=0))
    session.flush()
    drafts.publish(session, world.district.id, WEEK, None, now=CLOCK.now, feed_domain=DOMAIN)
    assert person_uid(world.visit, world.wang) in events(read(session, token))



def test_two_changes_within_a_second_still_move_last_modified(session, world, clock):
    token = issue_token(session, "person", world.wang.id, now=CLOCK.now, domain=DOMAIN)
    clock.advance(seconds=5, microseconds=250)
    publish(session, world.district, (world.visit, world.wang))
    first = cached_feed(session, token, now=CLOCK.now, domain=DOMAIN).last_modified
    clock.advance(microseconds=10)
    publish(session, world.district, (world.visit, world.wang), (world.visit, world.li))
    second = cached_feed(session, token, now=CLOCK.now, domain=DOMAIN).last_modified
    assert second > first and second.microsecond == first.microsecond == 0


def test_publishing_renders_again_only_the_feeds_that_changed(session, world, clock):
    issue_token(session, "person", world.wang.id, now=CLOCK.now, domain=DOMAIN)
    issue_token(session, "person", world.li.id, now=CLOCK.now, domain=DOMAIN)
    publish(session, world.district, (world.visit, world.wang), (world.shift, world.li))
    clock.advance(hours=1)
    publish(session, world.district, (world.visit, world.wang), (world.visit, world.li), (world.shift, world.li))
    rendered = dict(session.execute(select(FeedRender.subject_id, FeedRender.rendered_at)
                                    .where(FeedRender.subject_kind == "person")).all())
    assert rendered == {world.wang.id: clock.now, world.li.id: clock.now}
    clock.advance(hours=1)
    publish(session, world.district, (world.visit, world.wang), (world.visit, world.li))
    session.expire_all()
    rendered = dict(session.execute(select(FeedRender.subject_id, FeedRender.rendered_at)
                                    .where(FeedRender.subject_kind == "person")).all())
    assert rendered[world.li.id] == clock.now  # lost the shift
    assert rendered[world.wang.id] == clock.now - timedelta(hours=1)  # untouched since
