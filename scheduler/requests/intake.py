"""Taking in a village visit request (预约服务).

One-time notice (一次性告知制): `check_request` looks at everything the request says and
returns every missing or invalid item at once, each as a `FieldProblem` with a code and the
parameters its message needs; the web layer words them in the reader's language. Nothing is
stored unless there is no problem at all.

First-contact responsibility (首问负责制): a request gets its owner the moment it arrives:
the coordinator who takes it by phone or in person, or the district's default coordinator
when the village sends it from the web.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import RequestWindow, Site, User, VisitRequest
from models.visit_request import REQUEST_KINDS, REQUEST_URGENCIES
from scheduler.core import audit
from scheduler.core.access import can_see_district, require_role
from scheduler.core.checking import FieldProblem
from scheduler.core.personal_data import has_personal_data

TOPIC_MAX = 200
DETAILS_MAX = 2000
PEOPLE_MAX = 1000
WINDOWS_MAX = 5
WINDOW_MIN = timedelta(minutes=30)
WINDOW_MAX = timedelta(hours=8)
AHEAD_MAX_DAYS = 180
# Coordinators write down requests that reach them by phone or at the counter.
STAFF_CHANNELS = ("phone", "in_person")
DEFAULT_ZONE = "Asia/Shanghai"
# Requests keep counts, never villagers' identities: an ID card number or a mobile number in
# the text, however it is written, is refused rather than stored (scheduler.core.personal_data).


class RequestRefused(Exception):
    """The request was not stored; `problems` lists everything to fix, all at once."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.code}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class WindowInput:
    """An acceptable time as typed: a local date and a start and end time of day."""

    day: str | date | None = None
    start: str | time | None = None
    end: str | time | None = None

    def is_blank(self) -> bool:
        return all(_blank(v) for v in (self.day, self.start, self.end))


@dataclass(frozen=True)
class RequestInput:
    topic: str | None = None
    kind: str | None = None
    people_count: str | int | None = None
    windows: tuple[WindowInput, ...] = ()
    urgency: str | None = "normal"
    details: str | None = None
    # Coordinators say how the request reached them and for which village; a village
    # representative's request is always for their own village, by web.
    channel: str | None = None
    village_id: str | int | None = None


@dataclass(frozen=True)
class CleanRequest:
    village: Site
    topic: str
    kind: str
    people_count: int
    urgency: str
    details: str | None
    channel: str
    windows: tuple[tuple[datetime, datetime], ...]  # UTC, most preferred first
    owner: User


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: str | None) -> str:
    return (value or "").strip()


def default_owner(session: Session, district_id: int) -> User | None:
    """Who owns a request that arrives by web: the district's longest-serving active
    coordinator (the lowest account id), else the longest-serving city-wide one."""
    district_wide = session.scalar(
        select(User).where(User.role == "coordinator", User.active, User.district_id == district_id,
                           User.city_wide.is_(False)).order_by(User.id).limit(1))
    if district_wide is not None:
        return district_wide
    return session.scalar(select(User).where(User.role == "coordinator", User.active, User.city_wide)
                          .order_by(User.id).limit(1))


def _village(session: Session, actor: User, data: RequestInput, problems: list[FieldProblem]) -> Site | None:
    if actor.role == "village":
        return session.get(Site, actor.village_id)
    if _blank(data.village_id):
        problems.append(FieldProblem("village", "village_required"))
        return None
    try:
        village = session.get(Site, int(data.village_id))
    except (TypeError, ValueError):
        village = None
    if village is None or village.kind != "village" or not village.active \
            or not can_see_district(actor, village.district_id):
        problems.append(FieldProblem("village", "village_unknown"))
        return None
    return village


def _check_text(data: RequestInput, problems: list[FieldProblem]) -> tuple[str, str | None]:
    topic, details = _text(data.topic), _text(data.details)
    if not topic:
        problems.append(FieldProblem("topic", "topic_required"))
    elif len(topic) > TOPIC_MAX:
        problems.append(FieldProblem("topic", "topic_too_long", {"max": TOPIC_MAX}))
    if len(details) > DETAILS_MAX:
        problems.append(FieldProblem("details", "details_too_long", {"max": DETAILS_MAX}))
    for name, value in (("topic", topic), ("details", details)):
        if has_personal_data(value):
            problems.append(FieldProblem(name, "personal_data"))
    return topic, details or None


def _check_choices(actor: User, data: RequestInput, problems: list[FieldProblem]) -> tuple[str, str, str]:
    kind = _text(data.kind)
    if not kind:
        problems.append(FieldProblem("kind", "kind_required"))
    elif kind not in REQUEST_KINDS:
        problems.append(FieldProblem("kind", "kind_unknown", {"value": kind[:32]}))
    urgency = _text(data.urgency) or "normal"
    if urgency not in REQUEST_URGENCIES:
        problems.append(FieldProblem("urgency", "urgency_unknown", {"value": urgency[:32]}))
    if actor.role == "village":
        channel = "web"
    else:
        channel = _text(data.channel)
        if not channel:
            problems.append(FieldProblem("channel", "channel_required"))
        elif channel not in STAFF_CHANNELS:
            problems.append(FieldProblem("channel", "channel_unknown", {"value": channel[:32]}))
    return kind, urgency, channel


def _check_count(data: RequestInput, problems: list[FieldProblem]) -> int:
    if _blank(data.people_count):
        problems.append(FieldProblem("people_count", "people_count_required"))
        return 0
    try:
        count = int(str(data.people_count).strip())
    except ValueError:
        count = 0
    if count < 1:
        problems.append(FieldProblem("people_count", "people_count_invalid"))
    elif count > PEOPLE_MAX:
        problems.append(FieldProblem("people_count", "people_count_too_large", {"max": PEOPLE_MAX}))
    return count


def _parse(value: str | date | time | None, kind: type) -> date | time | None:
    if isinstance(value, kind) and not (kind is date and isinstance(value, datetime)):
        return value
    text = str(value).strip()
    if kind is date:
        return date.fromisoformat(text)
    # "9:30" as people type it, as well as the "09:30" of a time input.
    hours, _, rest = text.partition(":")
    return time.fromisoformat(f"{hours.zfill(2)}:{rest}" if rest else text)


def _one_window(w: WindowInput, number: int, zone: ZoneInfo, now: datetime,
                problems: list[FieldProblem]) -> tuple[datetime, datetime] | None:
    where = f"windows[{number - 1}]"
    parts: dict[str, object] = {}
    for part, kind, missing, invalid in (("day", date, "window_date_required", "window_date_invalid"),
                                         ("start", time, "window_start_required", "window_time_invalid"),
                                         ("end", time, "window_end_required", "window_time_invalid")):
        value = getattr(w, part)
        if _blank(value):
            problems.append(FieldProblem(f"{where}.{part}", missing, {"number": number}))
            continue
        try:
            parts[part] = _parse(value, kind)
        except ValueError:
            problems.append(FieldProblem(f"{where}.{part}", invalid, {"number": number, "value": str(value)[:20]}))
    if len(parts) < 3:
        return None
    start = datetime.combine(parts["day"], parts["start"], tzinfo=zone)
    end = datetime.combine(parts["day"], parts["end"], tzinfo=zone)
    if end <= start:
        problems.append(FieldProblem(where, "window_order", {"number": number}))
        return None
    length = end - start
    if length < WINDOW_MIN:
        problems.append(FieldProblem(where, "window_too_short", {"number": number,
                                                            "minutes": int(WINDOW_MIN.total_seconds() // 60)}))
    elif length > WINDOW_MAX:
        problems.append(FieldProblem(where, "window_too_long", {"number": number,
                                                           "hours": int(WINDOW_MAX.total_seconds() // 3600)}))
    if start <= now:
        problems.append(FieldProblem(where, "window_past", {"number": number}))
    elif start - now > timedelta(days=AHEAD_MAX_DAYS):
        problems.append(FieldProblem(where, "window_too_far", {"number": number, "days": AHEAD_MAX_DAYS}))
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def _check_windows(data: RequestInput, zone: str, now: datetime,
                   problems: list[FieldProblem]) -> list[tuple[datetime, datetime]]:
    # Blank rows of the form are left out; numbers follow the rows as the user saw them.
    given = [(i + 1, w) for i, w in enumerate(data.windows) if not w.is_blank()]
    if not given:
        problems.append(FieldProblem("windows", "windows_required"))
        return []
    if len(given) > WINDOWS_MAX:
        problems.append(FieldProblem("windows", "too_many_windows", {"max": WINDOWS_MAX}))
    found: list[tuple[int, tuple[datetime, datetime]]] = []
    for number, w in given:
        window = _one_window(w, number, ZoneInfo(zone), now, problems)
        if window is None:
            continue
        for other, (start, end) in found:
            if window[0] < end and start < window[1]:
                problems.append(FieldProblem(f"windows[{number - 1}]", "window_overlap",
                                        {"number": number, "other": other}))
                break
        found.append((number, window))
    return [w for _, w in found]


def check_request(session: Session, actor: User, data: RequestInput,
                  now: datetime) -> tuple[CleanRequest | None, list[FieldProblem]]:
    """Everything wrong with `data`, at once; the clean request when nothing is."""
    require_role(actor, "village", "coordinator")
    problems: list[FieldProblem] = []
    village = _village(session, actor, data, problems)
    topic, details = _check_text(data, problems)
    kind, urgency, channel = _check_choices(actor, data, problems)
    count = _check_count(data, problems)
    windows = _check_windows(data, village.timezone if village else DEFAULT_ZONE, now, problems)
    owner = None
    if village is not None:
        owner = actor if actor.role == "coordinator" else default_owner(session, village.district_id)
        if owner is None:
            problems.append(FieldProblem("village", "no_coordinator"))
    if problems:
        return None, problems
    return CleanRequest(village, topic, kind, count, urgency, details, channel, tuple(windows), owner), []


def submit_request(session: Session, actor: User, data: RequestInput, now: datetime) -> VisitRequest:
    """Store a request with its windows and owner, or raise `RequestRefused` with every problem."""
    clean, problems = check_request(session, actor, data, now)
    if problems:
        raise RequestRefused(problems)
    assert clean is not None
    row = VisitRequest(village_id=clean.village.id, district_id=clean.village.district_id, topic=clean.topic,
                       details=clean.details, kind=clean.kind, people_count=clean.people_count,
                       urgency=clean.urgency, channel=clean.channel, status="received", owner_id=clean.owner.id,
                       created_by_id=actor.id, created_at=now, updated_at=now)
    row.windows = [RequestWindow(rank=i, start_at=s, end_at=e) for i, (s, e) in enumerate(clean.windows)]
    session.add(row)
    session.flush()
    audit.record(session, actor, "request.create", "visit_request", row.id, row.district_id,
                 channel=row.channel, owner=clean.owner.id, windows=len(row.windows))
    return row
