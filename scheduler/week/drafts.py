"""Drafts and published versions of a district's week.

A solve writes into the week's single draft (locked assignments stay, the rest is replaced);
publishing copies the draft into a new, immutable, numbered version. Editors hold the draft's
`lock_version`: a write based on a stale copy raises `StaleDraft` instead of overwriting.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, literal, select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from models import Assignment, OpenPlace, Person, Schedule, Slot, User
from scheduler.core import audit
from scheduler.core.config import DEFAULT_FEED_DOMAIN
from scheduler.core.versions import current_draft, latest_published, previous_version
from scheduler.feeds.jobs import publish_feeds
from scheduler.notices.publish import notices_for_publish
from scheduler.swaps.publish import swaps_published
from solver.problem import Solution


class StaleDraft(Exception):
    """Someone else changed the draft since the caller read it."""


class DraftChanged(StaleDraft):
    """A solve's result arrived after the week's draft changed (a hand edit, an approved swap,
    a publish) since the solver read the week: storing it would undo that change, so it is
    refused. `read` and `now` are the draft's lock_version then and now (None: no draft)."""

    def __init__(self, read: int | None, now: int | None) -> None:
        super().__init__(f"the draft changed while solving (version {read} when read, {now} now)")
        self.read, self.now = read, now


class NothingToPublish(Exception):
    pass


def get_or_create_draft(session: Session, district_id: int, week_start: date, actor: User | None) -> Schedule:
    draft = current_draft(session, district_id, week_start)
    if draft is None:
        published = latest_published(session, district_id, week_start)
        draft = Schedule(district_id=district_id, week_start=week_start, state="draft",
                         based_on_id=published.id if published else None,
                         created_by_id=actor.id if actor else None)
        session.add(draft)
        session.flush()
        if published is not None:
            # A new draft starts as a copy of what is published, so edits are edits of it.
            _copy_contents(published, draft)
    return draft


def touch(draft: Schedule, now: datetime) -> None:
    """Mark the draft changed at `now`: its row is written, so its `lock_version` rises and an
    editor holding the old version gets a conflict, even when `now` equals the last stamp (a
    fixed clock, or two changes within the clock's resolution).

    The row is written at once: two editors who both read the same version pass
    `check_fresh`, and the second one's UPDATE then matches no row (on PostgreSQL it waits for
    the first to commit). SQLAlchemy reports that as StaleDataError, which is turned into
    `StaleDraft` here so that the caller tells the editor instead of failing with a 500."""
    draft.updated_at = now
    flag_modified(draft, "updated_at")
    session = object_session(draft)
    if session is None:
        return
    try:
        session.flush()
    except StaleDataError as error:
        raise StaleDraft("the draft was changed by another editor at the same moment") from error


def draft_version(session: Session, district_id: int, week_start: date) -> int | None:
    """The week's draft's lock_version, None when the week has no draft."""
    draft = current_draft(session, district_id, week_start)
    return draft.lock_version if draft is not None else None


def check_version(session: Session, district_id: int, week_start: date, expected: int | None) -> None:
    """Refuse a write based on a copy that no longer shows the week's draft as it is.

    `expected` is the draft's lock_version as the caller read it, None when it read no draft:
    a draft made since then (by anyone) makes that copy stale too."""
    draft = current_draft(session, district_id, week_start)
    if draft is None:
        if expected is not None:
            raise StaleDraft("the draft you edited is gone")
        return
    if expected is None:
        raise StaleDraft(f"a draft (version {draft.lock_version}) was started since you opened the week")
    check_fresh(draft, expected)


def check_fresh(draft: Schedule, expected_lock_version: int | None) -> None:
    if expected_lock_version is not None and draft.lock_version != expected_lock_version:
        raise StaleDraft(
            f"the draft changed since you opened it (version {expected_lock_version}, now {draft.lock_version})"
        )


def store_solution(session: Session, district_id: int, week_start: date, solution: Solution,
                   actor: User | None, expected_lock_version: int | None = None, *, now: datetime) -> Schedule:
    draft = get_or_create_draft(session, district_id, week_start, actor)
    check_fresh(draft, expected_lock_version)
    slots = dict(session.execute(
        select(Slot.external_id, Slot.id).where(Slot.district_id == district_id, Slot.week_start == week_start)
    ).all())
    people = dict(session.execute(select(Person.external_id, Person.id).where(
        Person.external_id.in_({a.person for a in solution.assignments}))).all())
    locked = {(a.slot_id, a.person_id) for a in draft.assignments if a.locked}
    draft.assignments = [a for a in draft.assignments if a.locked]
    draft.open_places = []
    # The unit of work inserts before it deletes: remove the old rows first, or a place the
    # new solution keeps (or leaves open again) would collide with itself on its unique key.
    session.flush()
    for a in solution.assignments:
        key = (slots[a.slot], people[a.person])
        if key not in locked:
            draft.assignments.append(Assignment(slot_id=key[0], person_id=key[1], line_index=a.line,
                                                source="solver"))
    draft.open_places = [
        OpenPlace(slot_id=slots[o.slot], line_index=o.line, missing=o.missing,
                  reasons=[{"code": r.code, "zh": r.zh, "en": r.en, **dict(r.params)} for r in o.reasons])
        for o in solution.unfilled
    ]
    draft.solver_status = solution.status
    draft.objective = solution.objective
    draft.bound = solution.bound
    draft.solve_stats = dict(solution.stats)
    draft.solved_at = now
    touch(draft, now)
    session.flush()
    audit.record(session, actor, "solve", "schedule", draft.id, district_id, week=week_start.isoformat(),
                 status=solution.status, objective=solution.objective,
                 assignments=len(solution.assignments), open_places=len(solution.unfilled))
    return draft


def _copy_contents(source: Schedule, target: Schedule) -> None:
    target.assignments = [
        Assignment(slot_id=a.slot_id, person_id=a.person_id, line_index=a.line_index, locked=a.locked,
                   source=a.source, made_by_id=a.made_by_id)
        for a in source.assignments
    ]
    target.open_places = [
        OpenPlace(slot_id=o.slot_id, line_index=o.line_index, missing=o.missing, reasons=list(o.reasons))
        for o in source.open_places
    ]
    for field in ("solver_status", "objective", "bound", "solve_stats", "solved_at"):
        setattr(target, field, getattr(source, field))


def _copy_rows(session: Session, draft_id: int, version_id: int, now: datetime) -> int:
    """Copy the draft's assignments and open places into the new version with one
    INSERT ... SELECT each (a city's draft has thousands; one ORM insert each took seconds);
    returns the assignments copied."""
    copied = session.execute(insert(Assignment).from_select(
        ["schedule_id", "slot_id", "person_id", "line_index", "locked", "source", "made_by_id", "created_at"],
        select(literal(version_id), Assignment.slot_id, Assignment.person_id, Assignment.line_index,
               Assignment.locked, Assignment.source, Assignment.made_by_id, literal(now, Assignment.created_at.type))
        .where(Assignment.schedule_id == draft_id).order_by(Assignment.id)))
    session.execute(insert(OpenPlace).from_select(
        ["schedule_id", "slot_id", "line_index", "missing", "reasons"],
        select(literal(version_id), OpenPlace.slot_id, OpenPlace.line_index, OpenPlace.missing, OpenPlace.reasons)
        .where(OpenPlace.schedule_id == draft_id).order_by(OpenPlace.id)))
    return copied.rowcount


def publish(session: Session, district_id: int, week_start: date, actor: User | None,
            expected_lock_version: int | None = None, *, now: datetime,
            feed_domain: str = DEFAULT_FEED_DOMAIN, defer_feeds: bool = False) -> Schedule:
    """Atomically turn the draft into the next published version, at `now`: what is still
    ahead of `now` is announced; feeds get new events with UIDs in `feed_domain`. With
    `defer_feeds` a publish touching many feeds queues a feed job for them
    (`scheduler.feeds.jobs`), which the caller runs after committing."""
    draft = current_draft(session, district_id, week_start)
    if draft is None:
        raise NothingToPublish("there is no draft for this week: solve or edit the week first")
    check_fresh(draft, expected_lock_version)
    last = session.scalar(select(func.max(Schedule.version)).where(
        Schedule.district_id == district_id, Schedule.week_start == week_start))
    version = Schedule(district_id=district_id, week_start=week_start, state="published",
                       version=(last or 0) + 1, published_at=now, published_by_id=actor.id if actor else None,
                       based_on_id=draft.based_on_id, created_by_id=draft.created_by_id)
    for field in ("solver_status", "objective", "bound", "solve_stats", "solved_at"):
        setattr(version, field, getattr(draft, field))
    session.add(version)
    # Rows added straight to the session (hand edits) are flushed first, so the copy sees them.
    session.flush()
    assignments = _copy_rows(session, draft.id, version.id, now)
    # The draft now continues from the new version; touching it also bumps its lock_version,
    # so an editor still holding the old draft gets a conflict, not a silent overwrite.
    draft.based_on_id = version.id
    session.flush()
    audit.record(session, actor, "publish", "schedule", version.id, district_id, week=week_start.isoformat(),
                 version=version.version, assignments=assignments)
    # Feeds are rendered now, in the publishing transaction, so serving one costs a lookup;
    # with `defer_feeds`, many of them are left to a feed job the caller runs after commit.
    publish_feeds(session, district_id, week_start, version.id, now, domain=feed_domain, defer=defer_feeds)
    notices_for_publish(session, previous_version(session, version), version, now)
    swaps_published(session, version, now)
    return version


def summary(schedule: Schedule) -> dict[str, Any]:
    return {
        "id": schedule.id, "state": schedule.state, "version": schedule.version,
        "assignments": len(schedule.assignments), "open_places": sum(o.missing for o in schedule.open_places),
        "objective": schedule.objective, "solver_status": schedule.solver_status,
    }
