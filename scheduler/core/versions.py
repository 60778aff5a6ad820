"""Which version of a week counts: the newest published version, the current draft, the
published version before a given one, and the newest published version of every week.

A week (district, week start) has at most one draft and any number of published versions,
numbered from 1; only the newest published one is what people were told. Every question of
that kind is answered here, each by one query.

A page asks the same questions many times (the figures, the changes, who will be told, the
form's lock version). A session marked with `remember_versions` (the web app marks the
sessions of GET requests) answers the week's draft and newest published version once; any
flush, commit or rollback of the session forgets the answers.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, event, func, select
from sqlalchemy.orm import Session

from models import Schedule

_MEMO = "scheduler_versions"
_UNKNOWN = object()


def remember_versions(session: Session) -> None:
    """Answer this session's draft and newest-version questions once each, until it writes."""
    session.info[_MEMO] = {}


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, *_args: object) -> None:
    memo = session.info.get(_MEMO)
    if memo:
        memo.clear()


def _remembered(session: Session, key: tuple, ask) -> Schedule | None:
    memo = session.info.get(_MEMO)
    if memo is None or session.new or session.dirty or session.deleted:
        return ask()
    found = memo.get(key, _UNKNOWN)
    if found is _UNKNOWN:
        found = memo[key] = ask()
    return found


def latest_published(session: Session, district_id: int, week_start: date, *,
                     before_version: int | None = None) -> Schedule | None:
    """The week's newest published version (below `before_version` when given), or None."""
    if before_version is None:
        return _remembered(session, ("published", district_id, week_start),
                           lambda: latest_published(session, district_id, week_start, before_version=0))
    query = select(Schedule).where(Schedule.district_id == district_id, Schedule.week_start == week_start,
                                   Schedule.state == "published")
    if before_version:
        query = query.where(Schedule.version < before_version)
    return session.scalar(query.order_by(Schedule.version.desc()).limit(1))


def previous_version(session: Session, version: Schedule) -> Schedule | None:
    """The published version of the same week just before `version`."""
    return latest_published(session, version.district_id, version.week_start, before_version=version.version)


def current_draft(session: Session, district_id: int, week_start: date) -> Schedule | None:
    """The week's draft (there is at most one), or None."""
    return _remembered(session, ("draft", district_id, week_start), lambda: session.scalar(
        select(Schedule).where(Schedule.district_id == district_id, Schedule.week_start == week_start,
                               Schedule.state == "draft")))


def newest_versions(district_id: int | None = None, *, first_week: date | None = None,
                    last_week: date | None = None) -> Select[tuple[int]]:
    """Ids of the newest published version of every (district, week), for `IN (...)`:
    of one district when given, of the weeks starting from `first_week` to `last_week`
    (both included) when given."""
    newest = select(Schedule.district_id, Schedule.week_start, func.max(Schedule.version).label("version")) \
        .where(Schedule.state == "published")
    if district_id is not None:
        newest = newest.where(Schedule.district_id == district_id)
    if first_week is not None:
        newest = newest.where(Schedule.week_start >= first_week)
    if last_week is not None:
        newest = newest.where(Schedule.week_start <= last_week)
    newest = newest.group_by(Schedule.district_id, Schedule.week_start).subquery()
    return select(Schedule.id).join(newest, and_(Schedule.district_id == newest.c.district_id,
                                                 Schedule.week_start == newest.c.week_start,
                                                 Schedule.version == newest.c.version))


def current_versions(begin: datetime, end: datetime) -> Select[tuple[int]]:
    """`newest_versions` of every district's week that can touch the window [begin, end)."""
    return newest_versions(first_week=(begin - timedelta(days=8)).date(), last_week=(end + timedelta(days=1)).date())
