"""The standing demand a district's weeks are generated from: window-shift templates
(窗口值班) and square events (广场服务), each with its demand lines.

Every function takes the acting user and keeps to their districts (objects of another
district are `NotVisible`); every problem with the input is reported at once
(`checking.Refused`); changes are audited. The caller commits.

Weeks whose slots were already generated keep them (generation never rewrites a slot), so
an edit reaches the weeks generated after it; cancelling an event also cancels its slots
that have not started and tells the people published for them, since nobody should be sent
to an event that will not happen.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import EventLine, ShiftTemplate, ShiftTemplateLine, Site, Slot, SquareEvent, User
from scheduler.core import audit
from scheduler.core.access import require_district, require_role, require_visible
from scheduler.core.checking import (
    FieldProblem,
    LineInput,
    Problems,
    changes,
    check_lines,
    check_order,
    check_priority,
    check_text,
    check_validity,
    plain,
)
from scheduler.core.config import DEFAULT_FEED_DOMAIN
from scheduler.demand.event_notices import notices_for_event_cancellation
from scheduler.feeds.render import refresh_feeds
from scheduler.skills import vocabulary as skill_vocabulary

TEMPLATE_SITE_KINDS = ("window", "centre", "station")
EVENT_SITE_KINDS = ("square", "centre")
NAME_MAX = 64
TITLE_MAX = 128
DESCRIPTION_MAX = 2000


@dataclass(frozen=True)
class TemplateInput:
    site_id: int | None = None
    name: str | None = None
    weekday: int | None = None
    start: time | None = None
    end: time | None = None
    priority: int | None = 3
    valid_from: date | None = None
    valid_to: date | None = None
    lines: tuple[LineInput, ...] = ()


@dataclass(frozen=True)
class EventInput:
    """`start_at` and `end_at` are aware datetimes (entered in the site's local time)."""

    site_id: int | None = None
    title: str | None = None
    description: str | None = None
    start_at: datetime | None = None
    end_at: datetime | None = None
    priority: int | None = 4
    lines: tuple[LineInput, ...] = ()


def demand_sites(session: Session, user: User, district_id: int, kinds: tuple[str, ...]) -> list[Site]:
    """The district's active sites of these kinds: where shifts or events can be held."""
    require_role(user, "coordinator")
    require_district(user, district_id)
    return list(session.scalars(select(Site).where(Site.district_id == district_id, Site.kind.in_(kinds),
                                                   Site.active).order_by(Site.name, Site.id)))


def district_templates(session: Session, user: User, district_id: int) -> list[ShiftTemplate]:
    require_role(user, "coordinator")
    require_district(user, district_id)
    return list(session.scalars(
        select(ShiftTemplate).join(Site).where(Site.district_id == district_id)
        .options(selectinload(ShiftTemplate.lines), selectinload(ShiftTemplate.site))
        .order_by(Site.name, Site.id, ShiftTemplate.weekday, ShiftTemplate.start_time, ShiftTemplate.id)))


def district_events(session: Session, user: User, district_id: int, since: datetime) -> list[SquareEvent]:
    """Events that end after `since`, cancelled ones included, soonest first."""
    require_role(user, "coordinator")
    require_district(user, district_id)
    return list(session.scalars(
        select(SquareEvent).join(Site).where(Site.district_id == district_id, SquareEvent.end_at > since)
        .options(selectinload(SquareEvent.lines), selectinload(SquareEvent.site))
        .order_by(SquareEvent.start_at, SquareEvent.id)))


def _check_site(session: Session, out: Problems, district_id: int, site_id: int | None,
                kinds: tuple[str, ...]) -> None:
    if site_id is None:
        out.add("site", "required")
        return
    site = session.get(Site, site_id)
    if site is None or site.district_id != district_id:
        out.add("site", "site_foreign")
    elif site.kind not in kinds:
        out.add("site", "site_kind", kind=site.kind)


def check_template(session: Session, district_id: int, data: TemplateInput) -> Problems:
    out = Problems()
    _check_site(session, out, district_id, data.site_id, TEMPLATE_SITE_KINDS)
    check_text(out, "name", data.name, NAME_MAX, required=True)
    if data.weekday is None or not 0 <= data.weekday <= 6:
        out.add("weekday", "required")
    for name in ("start", "end"):
        if getattr(data, name) is None:
            out.add(name, "required")
    check_order(out, "end", data.start, data.end)
    check_priority(out, "priority", data.priority)
    check_validity(out, "valid_to", data.valid_from, data.valid_to)
    check_lines(out, list(data.lines), skill_vocabulary.load(session))
    return out


def check_event(session: Session, district_id: int, data: EventInput) -> Problems:
    out = Problems()
    _check_site(session, out, district_id, data.site_id, EVENT_SITE_KINDS)
    check_text(out, "title", data.title, TITLE_MAX, required=True)
    check_text(out, "description", data.description, DESCRIPTION_MAX, required=False)
    for name in ("start_at", "end_at"):
        value = getattr(data, name)
        if value is None:
            out.add(name, "required")
        elif value.tzinfo is None:
            raise ValueError(f"{name} must be timezone-aware")
    check_order(out, "end_at", data.start_at, data.end_at)
    check_priority(out, "priority", data.priority)
    check_lines(out, list(data.lines), skill_vocabulary.load(session))
    return out


def _coded(session: Session, lines: tuple[LineInput, ...]) -> tuple[LineInput, ...]:
    """The lines with their skills as codes (they were checked: each names a skill)."""
    vocabulary = skill_vocabulary.load(session)
    return tuple(replace(ln, skills=tuple(vocabulary.read(ln.skills)[0])) for ln in lines)


def _lines(model, lines: tuple[LineInput, ...]) -> list:
    return [model(idx=i, roles=list(dict.fromkeys(ln.roles)), count=ln.count, skills=sorted(set(ln.skills)))
            for i, ln in enumerate(lines)]


def _line_dicts(lines) -> list[dict[str, object]]:
    return [{"roles": list(ln.roles), "count": ln.count, "skills": list(ln.skills)} for ln in lines]


def _replace_lines(session: Session, owner, model, lines: tuple[LineInput, ...]) -> None:
    wanted = _line_dicts(_lines(model, lines))
    if _line_dicts(owner.lines) == wanted:
        return
    owner.lines = []
    # The line's key (owner, idx) comes back at once: flush the removals first.
    session.flush()
    owner.lines = _lines(model, lines)


def get_template(session: Session, user: User, template_id: int) -> ShiftTemplate:
    require_role(user, "coordinator")
    template = session.scalar(select(ShiftTemplate).where(ShiftTemplate.id == template_id).options(
        selectinload(ShiftTemplate.lines), selectinload(ShiftTemplate.site)))
    require_visible(user, template.site.district_id if template else None)
    assert template is not None
    return template


def _template_snapshot(t: ShiftTemplate) -> dict[str, object]:
    return {"site_id": t.site_id, "name": t.name, "weekday": t.weekday, "start_time": t.start_time,
            "end_time": t.end_time, "priority": t.priority, "valid_from": t.valid_from, "valid_to": t.valid_to,
            "lines": _line_dicts(t.lines)}


def _set_template(t: ShiftTemplate, data: TemplateInput) -> None:
    t.site_id = data.site_id  # type: ignore[assignment]
    t.name = (data.name or "").strip()
    t.weekday = data.weekday  # type: ignore[assignment]
    t.start_time, t.end_time = data.start, data.end  # type: ignore[assignment]
    t.priority = data.priority  # type: ignore[assignment]
    t.valid_from, t.valid_to = data.valid_from, data.valid_to


def create_template(session: Session, user: User, district_id: int, data: TemplateInput) -> ShiftTemplate:
    require_role(user, "coordinator")
    require_district(user, district_id)
    check_template(session, district_id, data).raise_any()
    template = ShiftTemplate(active=True)
    _set_template(template, data)
    template.lines = _lines(ShiftTemplateLine, _coded(session, data.lines))
    session.add(template)
    session.flush()
    audit.record(session, user, "shift_template.create", "shift_template", template.id, district_id,
                 **plain(_template_snapshot(template)))
    return template


def update_template(session: Session, user: User, template_id: int, data: TemplateInput) -> ShiftTemplate:
    template = get_template(session, user, template_id)
    district_id = template.site.district_id
    check_template(session, district_id, data).raise_any()
    before = _template_snapshot(template)
    _set_template(template, data)
    _replace_lines(session, template, ShiftTemplateLine, _coded(session, data.lines))
    session.flush()
    changed = changes(before, _template_snapshot(template))
    if changed:
        audit.record(session, user, "shift_template.update", "shift_template", template.id, district_id, **changed)
    return template


def set_template_active(session: Session, user: User, template_id: int, active: bool) -> ShiftTemplate:
    template = get_template(session, user, template_id)
    if template.active != active:
        template.active = active
        session.flush()
        audit.record(session, user, "shift_template.reactivate" if active else "shift_template.deactivate",
                     "shift_template", template.id, template.site.district_id)
    return template


def get_event(session: Session, user: User, event_id: int) -> SquareEvent:
    require_role(user, "coordinator")
    event = session.scalar(select(SquareEvent).where(SquareEvent.id == event_id).options(
        selectinload(SquareEvent.lines), selectinload(SquareEvent.site)))
    require_visible(user, event.site.district_id if event else None)
    assert event is not None
    return event


def _event_snapshot(e: SquareEvent) -> dict[str, object]:
    return {"site_id": e.site_id, "title": e.title, "description": e.description, "start_at": e.start_at,
            "end_at": e.end_at, "priority": e.priority, "lines": _line_dicts(e.lines)}


def _set_event(e: SquareEvent, data: EventInput) -> None:
    e.site_id = data.site_id  # type: ignore[assignment]
    e.title = (data.title or "").strip()
    e.description = (data.description or "").strip() or None
    e.start_at, e.end_at = data.start_at, data.end_at  # type: ignore[assignment]
    e.priority = data.priority  # type: ignore[assignment]


def create_event(session: Session, user: User, district_id: int, data: EventInput) -> SquareEvent:
    require_role(user, "coordinator")
    require_district(user, district_id)
    check_event(session, district_id, data).raise_any()
    event = SquareEvent(status="planned")
    _set_event(event, data)
    event.lines = _lines(EventLine, _coded(session, data.lines))
    session.add(event)
    session.flush()
    audit.record(session, user, "event.create", "square_event", event.id, district_id,
                 **plain(_event_snapshot(event)))
    return event


def update_event(session: Session, user: User, event_id: int, data: EventInput) -> SquareEvent:
    event = get_event(session, user, event_id)
    district_id = event.site.district_id
    out = check_event(session, district_id, data)
    if event.status == "cancelled":
        out.insert(0, FieldProblem("", "event_cancelled"))
    out.raise_any()
    before = _event_snapshot(event)
    _set_event(event, data)
    _replace_lines(session, event, EventLine, _coded(session, data.lines))
    session.flush()
    changed = changes(before, _event_snapshot(event))
    if changed:
        audit.record(session, user, "event.update", "square_event", event.id, district_id, **changed)
    return event


def generated_slots(session: Session, *, template_id: int | None = None, event_id: int | None = None,
                    after: datetime) -> list[Slot]:
    """Slots already generated from a template or an event that start after `after`."""
    origin = Slot.template_id == template_id if template_id is not None else Slot.event_id == event_id
    return list(session.scalars(select(Slot).where(origin, Slot.start_at > after, Slot.cancelled.is_(False))
                                .order_by(Slot.start_at)))


def cancel_event(session: Session, user: User, event_id: int, now: datetime, *,
                 feed_domain: str = DEFAULT_FEED_DOMAIN) -> list[Slot]:
    """Cancel an event that has not ended; its slots that have not started leave the plan
    and the calendars (UIDs in `feed_domain`), and the people published for them are told.
    Returns those slots."""
    event = get_event(session, user, event_id)
    out = Problems()
    if event.status == "cancelled":
        out.add("", "event_cancelled")
    elif event.end_at <= now:
        out.add("", "event_over")
    out.raise_any()
    event.status = "cancelled"
    slots = generated_slots(session, event_id=event.id, after=now)
    for slot in slots:
        slot.cancelled = True
    session.flush()
    district_id = event.site.district_id
    for week in sorted({s.week_start for s in slots}):
        refresh_feeds(session, district_id, week, now, domain=feed_domain)
    queued, unreachable = notices_for_event_cancellation(session, event, slots, now)
    audit.record(session, user, "event.cancel", "square_event", event.id, district_id, slots=[s.id for s in slots],
                 queued=queued, unreachable=unreachable[:50])
    return slots
