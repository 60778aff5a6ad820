"""Appointment keeping (预约服务制): when a published week changes, everyone affected is told
before the visit, with the reason and the new time or person.

`notices_for_publish` runs inside `scheduler.week.drafts.publish`, in the publishing transaction:
it compares the new version with the one before, moves the request statuses, marks handled
the declines the new version answers, and writes the notices to the outbox
(`notifications`). Only what changed between the two versions is announced, and only what
is still ahead. Sending is separate (`scheduler.notices.outbox`), so a mail server that is down
never holds up a publish.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    Assignment,
    AvailabilityException,
    Decline,
    District,
    Notification,
    Person,
    Schedule,
    Site,
    Slot,
    SwapRequest,
    User,
    VisitRequest,
)
from scheduler.core import audit
from scheduler.notices.routing import Reach, deliver_after, fallback_json, person_reach, village_reach
from scheduler.notices.text import (
    Reason,
    compose,
    one_line,
    people_words,
    person_words,
    reason_words,
    short_when,
    slot_line,
    when,
)
from scheduler.portal.referrals import list_referrals
from scheduler.requests.plan import Staffed, VisitChange, sync_statuses, visit_changes

# Entries of the referral directory a not-ours cancellation names (the page lists them all).
REFERRALS_IN_NOTICE = 5
# Most serious first: the subject of a village's notice names the worst of its changes.
VILLAGE_SUBJECTS = {
    "not_kept": ("【走访未能按时进行】", "Visit cannot take place as booked"),
    "time_changed": ("【走访时间变更】", "Visit moved"),
    "people_changed": ("【走访人员变更】", "New person for your visit"),
    "scheduled": ("【预约已安排】", "Your requested visit is scheduled"),
}


@dataclass
class NoticeReport:
    queued: int = 0
    # People and villages that could not be told: no channel they can be reached by.
    unreachable: list[str] = field(default_factory=list)
    # Messages by the channel they go out on first (the review page's "41 by SMS...").
    by_channel: Counter = field(default_factory=Counter)
    # A preview: who would be told and how; nothing is written.
    dry_run: bool = False
    statuses: list[tuple[int, str, str]] = field(default_factory=list)  # request id, from, to
    declines_handled: int = 0


def enqueue(session: Session, *, recipient: str, subject: str, body: str, kind: str, dedupe_key: str,
            now: datetime, channel: str = "email", params: dict[str, str] | None = None,
            fallback: str | None = None, audience: str | None = None, send_at: datetime | None = None,
            district_id: int | None = None) -> bool:
    """Put a message in the outbox unless one with the same key is there: False when it was.
    `params`: the SMS template's parameters; `fallback`: JSON [[channel, recipient], ...] to
    try when this one fails for good; `send_at`: not before (quiet hours)."""
    values = dict(channel=channel, recipient=recipient, subject=one_line(subject)[:256], body=body, kind=kind,
                  dedupe_key=dedupe_key, status="pending", attempts=0, next_attempt_at=send_at or now,
                  created_at=now, params=json.dumps(params, ensure_ascii=False) if params else None,
                  fallback=fallback, audience=audience, district_id=district_id)
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        # The unique key decides, so two runs at once still enqueue a fact only once.
        statement = insert(Notification).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"]) \
            .returning(Notification.id)
        return session.execute(statement).scalar() is not None
    if session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key)) is not None:
        return False
    session.add(Notification(**values))
    session.flush()
    return True


def tell(session: Session, report, reach: Reach, *, subject: str, body: str, kind: str, dedupe_key: str,
         now: datetime, district_id: int | None, visit_start: datetime | None = None,
         params: dict[str, str] | None = None) -> bool:
    """One addressee told by their first route (the rest as fallback), or counted as
    unreachable; `report` (a NoticeReport or anything with `queued`, `unreachable`,
    `by_channel`, `dry_run`) keeps count. In a dry run nothing is written."""
    if not reach.routes:
        report.unreachable.append(reach.name)
        return False
    if report.dry_run:
        report.by_channel[reach.channel] += 1
        return True
    first = reach.routes[0]
    if not enqueue(session, recipient=first.recipient, subject=subject, body=body, kind=kind, dedupe_key=dedupe_key,
                   now=now, channel=first.channel, params=params, fallback=fallback_json(reach),
                   audience=reach.audience, district_id=district_id,
                   send_at=deliver_after(reach, kind, now, zone_of(session, district_id), visit_start)):
        return False
    report.queued += 1
    report.by_channel[first.channel] += 1
    return True


def zone_of(session: Session, district_id: int | None) -> str:
    district = session.get(District, district_id) if district_id is not None else None
    return district.timezone if district is not None else "Asia/Shanghai"


def reason_for(session: Session, slot: Slot, person: Person) -> Reason:
    """Why `person` no longer holds `slot`, from what is recorded about them."""
    if slot.cancelled:
        return Reason("cancelled")
    declined = session.scalar(select(Decline).where(Decline.slot_id == slot.id, Decline.person_id == person.id)
                              .order_by(Decline.created_at.desc()).limit(1))
    if declined is not None:
        return Reason("declined", declined.reason)
    swapped = session.scalar(select(SwapRequest).where(
        SwapRequest.slot_id == slot.id, SwapRequest.from_person_id == person.id,
        SwapRequest.status.in_(("approved", "applied"))).limit(1))
    if swapped is not None:
        return Reason("swap", session.get(Person, swapped.to_person_id).name)
    if not person.active:
        return Reason("inactive")
    absent = session.scalar(select(AvailabilityException).where(
        AvailabilityException.person_id == person.id, AvailabilityException.kind == "unavailable",
        AvailabilityException.start_at < slot.end_at, AvailabilityException.end_at > slot.start_at).limit(1))
    if absent is not None:
        return Reason("unavailable", absent.note)
    return Reason("replanned")


def _pairs(session: Session, version: Schedule | None) -> set[tuple[int, int]]:
    if version is None:
        return set()
    return set(session.execute(select(Assignment.slot_id, Assignment.person_id)
                               .where(Assignment.schedule_id == version.id)).all())


def notices_for_publish(session: Session, old_version: Schedule | None, new_version: Schedule,
                        now: datetime, *, dry_run: bool = False) -> NoticeReport:
    """Request statuses, handled declines and the outbox for one publish (see the module).
    `dry_run`: who would be told and how, for the review page (`new_version` may then be
    the draft); nothing is changed or written."""
    report = NoticeReport(dry_run=dry_run)
    changes = visit_changes(session, old_version, new_version, now)
    if not dry_run:
        report.statuses = [(r.id, before, r.status) for r, before in sync_statuses(session, changes, now)]
    old_pairs, new_pairs = _pairs(session, old_version), _pairs(session, new_version)
    # A first version announces no person's places (the feeds and rosters carry them).
    removed, added = (old_pairs - new_pairs, new_pairs - old_pairs) if old_version is not None else (set(), set())
    slots = {s.id: s for s in session.scalars(select(Slot).where(Slot.id.in_({s for s, _ in removed | added})))}
    # People of a cancelled visit were told when it was cancelled (`notices_for_cancellation`).
    removed = {(s, p) for s, p in removed if not slots[s].cancelled}
    added = {(s, p) for s, p in added if not slots[s].cancelled}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_({p for _, p in removed | added})))}
    reasons = {(s, p): reason_for(session, slots[s], people[p]) for s, p in removed}
    contact = _contact(session, new_version)
    _person_notices(session, new_version, removed, added, slots, people, reasons, contact, now, report)
    _village_notices(session, new_version, changes, reasons, contact, now, report)
    if dry_run:
        return report
    report.declines_handled = _handle_declines(session, new_version, new_pairs, now)
    if report.queued or report.unreachable or report.statuses:
        audit.record(session, None, "notices.publish", "schedule", new_version.id, new_version.district_id,
                     queued=report.queued, unreachable=report.unreachable[:50],
                     statuses=[list(s) for s in report.statuses])
    return report


def _contact(session: Session, version: Schedule) -> tuple[str, str]:
    publisher = session.get(User, version.published_by_id) if version.published_by_id else None
    name = (publisher.display_name or publisher.username) if publisher else None
    return (f"如有疑问，请联系协调员{name}。" if name else "如有疑问，请联系区公共法律服务中心。",
            f"Questions: please contact the coordinator, {name}." if name
            else "Questions: please contact the district's public legal service centre.")


def _person_notices(session, version, removed, added, slots, people, reasons, contact, now, report) -> None:
    items: dict[int, list[tuple[datetime, str, str]]] = defaultdict(list)
    leaving: dict[int, list[Person]] = defaultdict(list)
    for s, p in removed:
        leaving[s].append(people[p])
    for s, p in removed:
        slot = slots[s]
        if slot.start_at <= now:
            continue
        (lz, le), (rz, re_) = slot_line(slot), reason_words(reasons[(s, p)])
        items[p].append((slot.start_at, f"· 取消：{lz}；原因：{rz}", f"- Taken off: {le}. Reason: {re_}"))
    for s, p in added:
        slot = slots[s]
        if slot.start_at <= now:
            continue
        lz, le = slot_line(slot)
        others = [o for o in leaving.get(s, []) if o.id != p]
        if others:
            names = "、".join(o.name for o in others)
            items[p].append((slot.start_at, f"· 新增：{lz}；接替{names}", f"- Added: {le}, in place of {names}"))
        else:
            items[p].append((slot.start_at, f"· 新增：{lz}", f"- Added: {le}"))
    week = version.week_start
    for person_id, lines in sorted(items.items()):
        person = people[person_id]
        lines.sort()
        body = compose((f"{person.name}您好", person.name),
                       [f"您 {week.isoformat()} 这一周的排班有变更（第 {version.version} 版）：", *[z for _, z, _ in lines],
                        "", contact[0]],
                       [f"Your schedule for the week of {week.isoformat()} has changed (version {version.version}):",
                        *[e for _, _, e in lines], "", contact[1]])
        subject = f"【排班变更】{week.isoformat()} 这一周 / Schedule change, week of {week.isoformat()}"
        tell(session, report, person_reach(person), subject=subject, body=body, kind="change",
             dedupe_key=f"publish:{version.id}:person:{person_id}", now=now, district_id=version.district_id, visit_start=lines[0][0],
             params={"name": person.name, "week": week.isoformat(), "count": str(len(lines))})


def _village_reason(change: VisitChange, reasons: dict[tuple[int, int], Reason]) -> tuple[str, str]:
    before, after = change.before, change.after
    if before is None:
        return "", ""
    staying = {p.id for p in after.people} if after is not None and after.slot.id == before.slot.id else set()
    gone = [p for p in before.people if p.id not in staying]
    for person in gone:
        reason = reasons.get((before.slot.id, person.id))
        if reason is not None:
            # Villages hear the kind of reason, never a provider's own words.
            zh, en = reason_words(reason, with_detail=False)
            pz, pe = person_words(person)
            return f"原定{pz}{zh}", f"{pe}: {en}"
    return reason_words(Reason("replanned"))


def _change_lines(change: VisitChange, reasons) -> tuple[list[str], list[str]]:
    request = change.request
    zh, en = [], []
    if request is not None:
        zh.append(f"预约事项“{request.topic}”（编号 {request.id}）")
        en.append(f"Request “{request.topic}” (no. {request.id})")
    rz, re_ = _village_reason(change, reasons)
    kind, before, after = change.kind, change.before, change.after
    if after is not None:
        (wz, we), (pz, pe) = when(after.slot), people_words(after.people)
    if kind == "scheduled":
        zh.append(f"  已安排：{wz}，{pz}前来。")
        en.append(f"  Scheduled: {we}, with {pe}.")
    elif kind == "people_changed":
        zh += [f"  {wz}的走访改由{pz}前来。", f"  原因：{rz}。"]
        en += [f"  The visit on {we} will be made by {pe}.", f"  Reason: {re_}."]
    elif kind == "time_changed":
        oz, oe = when(before.slot)
        zh += [f"  原定{oz}，现改为{wz}，{pz}前来。", f"  原因：{rz}。"]
        en += [f"  Moved from {oe} to {we}, with {pe}.", f"  Reason: {re_}."]
    else:
        oz, oe = when(before.slot)
        owner = (request.owner.display_name or request.owner.username) if request is not None else None
        zh += [f"  原定{oz}的走访暂时无法进行。", f"  原因：{rz}。",
               f"  负责人{owner}将与您联系，另约时间。" if owner else "  协调员将与您联系，另约时间。"]
        en += [f"  The visit on {oe} cannot take place as booked.", f"  Reason: {re_}.",
               f"  {owner}, who handles your request, will call you to agree another time." if owner
               else "  A coordinator will call you to agree another time."]
    if request is not None and kind != "not_kept":
        owner = request.owner.display_name or request.owner.username
        zh.append(f"  负责人：{owner}")
        en.append(f"  Handled by: {owner}")
    return zh, en


def _village_notices(session, version, changes: list[VisitChange], reasons, contact, now, report) -> None:
    by_village: dict[int, list[VisitChange]] = defaultdict(list)
    for change in changes:
        by_village[change.village.id].append(change)
    for _village_id, items in sorted(by_village.items()):
        village = items[0].village
        zh, en = [f"{village.name}的法律服务走访安排如下（第 {version.version} 版）：", ""], \
                 [f"The legal service visits to {village.name} (version {version.version}):", ""]
        for change in sorted(items, key=lambda c: (c.after or c.before).slot.start_at):
            cz, ce = _change_lines(change, reasons)
            zh += [*cz, ""]
            en += [*ce, ""]
        worst = min((c.kind for c in items), key=list(VILLAGE_SUBJECTS).index)
        head_zh, head_en = VILLAGE_SUBJECTS[worst]
        first = (items[0].after or items[0].before).slot
        sz, se = short_when(first)
        subject = f"{head_zh}{village.name} {sz} / {head_en}: {village.name}, {se}"
        kind = "scheduled" if worst == "scheduled" else "change"
        soonest = min(v.slot.start_at for c in items for v in (c.before, c.after) if v is not None)
        for reach in village_reach(session, village):
            body = compose((f"{village.name}{reach.who}您好", reach.who or village.name), [*zh, contact[0]],
                           [*en, contact[1]])
            tell(session, report, reach, subject=subject, body=body, kind=kind,
                 dedupe_key=f"publish:{version.id}:{reach.audience}", now=now, district_id=version.district_id, visit_start=soonest,
                 params={"village": village.name, "when": sz, "what": head_zh.strip("【】")})


def _handle_declines(session: Session, version: Schedule, pairs: set[tuple[int, int]], now: datetime) -> int:
    """Declines the new version answers (the person is no longer on that slot) are handled."""
    open_declines = session.scalars(
        select(Decline).join(Slot, Slot.id == Decline.slot_id)
        .where(Decline.handled_at.is_(None), Slot.district_id == version.district_id,
               Slot.week_start == version.week_start)).all()
    handled = 0
    for row in open_declines:
        if (row.slot_id, row.person_id) not in pairs:
            row.handled_at = now
            handled += 1
    session.flush()
    return handled


def notices_for_cancellation(session: Session, request: VisitRequest, visit: Staffed | None, reason: str,
                             by_village: bool, now: datetime) -> int:
    """A cancelled request: the people planned for its visit, and (when a coordinator
    cancelled) the village, are told with the reason."""
    report = NoticeReport()
    village = session.get(Site, request.village_id)
    if visit is not None and visit.slot.start_at > now:
        lz, le = slot_line(visit.slot)
        sz, se = short_when(visit.slot)
        for person in visit.people:
            body = compose((f"{person.name}您好", person.name),
                           [f"以下走访已取消：{lz}", f"原因：{reason}"], [f"This visit is cancelled: {le}", f"Reason: {reason}"])
            tell(session, report, person_reach(person), kind="cancellation",
                 subject=f"【走访取消】{visit.slot.site.name} {sz} / Visit cancelled: {visit.slot.site.name}, {se}",
                 body=body, dedupe_key=f"cancel:{request.id}:person:{person.id}", now=now, district_id=village.district_id,
                 visit_start=visit.slot.start_at,
                 params={"site": visit.slot.site.name, "when": sz, "reason": reason})
    if not by_village:
        refer_zh, refer_en = _referral_lines(session, request)
        for reach in village_reach(session, village):
            body = compose((f"{village.name}{reach.who}您好", reach.who or village.name),
                           [f"您村的预约事项“{request.topic}”（编号 {request.id}）已取消。", f"原因：{reason}", *refer_zh],
                           [f"Your request “{request.topic}” (no. {request.id}) is cancelled.", f"Reason: {reason}",
                            *refer_en])
            tell(session, report, reach, kind="cancellation",
                 subject=f"【预约取消】{village.name} / Request cancelled: {village.name}",
                 body=body, dedupe_key=f"cancel:{request.id}:{reach.audience}", now=now, district_id=village.district_id,
                 visit_start=visit.slot.start_at if visit is not None else None,
                 params={"village": village.name, "topic": request.topic, "reason": reason})
    return report.queued


def _referral_lines(session: Session, request: VisitRequest) -> tuple[list[str], list[str]]:
    """For a request refused as not ours, where to go instead (一次性告知): the district's and
    the city's referral directory, at most `REFERRALS_IN_NOTICE` entries."""
    if not request.not_ours:
        return [], []
    zh = list_referrals(session, request.district_id, "zh")[:REFERRALS_IN_NOTICE]
    en = list_referrals(session, request.district_id, "en")[:REFERRALS_IN_NOTICE]
    if not zh:
        return ["此事项不属于公共法律服务受理范围，可拨打 12348 咨询应前往的部门。"], \
            ["This matter is not one for the public legal service; call 12348 to ask where to go."]

    def line(entry) -> str:
        return "，".join(x for x in (entry.name, entry.address, entry.phone, entry.handles) if x)

    def line_en(entry) -> str:
        return ", ".join(x for x in (entry.name, entry.address, entry.phone, entry.handles) if x)

    return (["此事项不属于公共法律服务受理范围，请前往：", *(f"· {line(e)}" for e in zh)],
            ["This matter is not one for the public legal service; please go to:", *(f"- {line_en(e)}" for e in en)])


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Notification).where(Notification.status == "pending"))
