"""A request's life after it arrives: the owner's queue, hand-overs (首问负责制), confirming
the scheduled time with the village, cancelling with a reason, closing after the visit; and
what the village sees of its requests.

received -> scheduled (a published version staffs one of its windows, see
`scheduler.requests.plan`) -> confirmed (the coordinator agreed the time with the village) ->
done (after the visit); or cancelled, with its reason, at any point before done.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from models import RequestHandover, RequestWindow, Site, Slot, Township, User, VisitRequest
from scheduler.core import audit
from scheduler.core.access import AccessDenied, NotVisible, can_see_district, district_filter, require_role
from scheduler.core.checking import FieldProblem
from scheduler.core.config import DEFAULT_FEED_DOMAIN
from scheduler.core.personal_data import has_personal_data
from scheduler.feeds.render import refresh_feeds
from scheduler.notices.publish import notices_for_cancellation
from scheduler.notices.routing import village_reach
from scheduler.requests.plan import OPEN_STATUSES, Staffed, planned_visits

REASON_MAX = 256


class RequestActionRefused(Exception):
    """A refused step. `problems` lists everything wrong with it at once (一次性告知), each
    with a code for the translated message and its params; `code` is the first one's."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.problems = [FieldProblem("", code, params)]

    @property
    def code(self) -> str:
        return self.problems[0].code

    @property
    def params(self):
        return self.problems[0].params


@dataclass(frozen=True)
class RequestRow:
    request: VisitRequest
    visit: Staffed | None


@dataclass(frozen=True)
class RequestDetail:
    request: VisitRequest
    visit: Staffed | None
    handovers: tuple[RequestHandover, ...]
    is_owner: bool
    can_confirm: bool
    can_cancel: bool
    can_close: bool
    # The village can be told by e-mail (a representative has an address on file).
    village_reachable: bool
    # Display names of the accounts in the hand-overs.
    user_names: dict[int, str]


def _options():
    return (selectinload(VisitRequest.windows), selectinload(VisitRequest.village),
            selectinload(VisitRequest.owner),
            selectinload(VisitRequest.handovers))


def load_request(session: Session, actor: User, request_id: int) -> VisitRequest:
    """The request if the actor may see it: coordinators of its district and its own
    village's representatives; anyone else gets "no such request"."""
    require_role(actor, "coordinator", "village")
    request = session.get(VisitRequest, request_id, options=_options())
    if request is None:
        raise NotVisible(f"No request {request_id}.")
    if actor.role == "village":
        if request.village_id != actor.village_id:
            raise NotVisible(f"No request {request_id}.")
    elif not can_see_district(actor, request.district_id):
        raise NotVisible(f"No request {request_id}.")
    return request


def _rows(session: Session, requests: list[VisitRequest]) -> list[RequestRow]:
    visits = planned_visits(session, [r.id for r in requests])
    return [RequestRow(r, visits.get(r.id)) for r in requests]


def _first_window():
    return select(func.min(RequestWindow.start_at)).where(RequestWindow.request_id == VisitRequest.id) \
        .correlate(VisitRequest).scalar_subquery()


def request_list(session: Session, actor: User, *, status: str = "open", mine: bool = False,
                 village_id: int | None = None, district_id: int | None = None, limit: int = 500) -> list[RequestRow]:
    """Requests the coordinator may see; open ones first by urgency then by their earliest
    acceptable time, so the queue reads top-down."""
    require_role(actor, "coordinator")
    query = select(VisitRequest).where(district_filter(actor, VisitRequest.district_id)).options(*_options())
    if status == "open":
        query = query.where(VisitRequest.status.in_(OPEN_STATUSES))
    elif status != "all":
        query = query.where(VisitRequest.status == status)
    if mine:
        query = query.where(VisitRequest.owner_id == actor.id)
    if village_id is not None:
        query = query.where(VisitRequest.village_id == village_id)
    if district_id is not None:
        if not can_see_district(actor, district_id):
            raise AccessDenied(f"District {district_id} is outside this account's scope.")
        query = query.where(VisitRequest.district_id == district_id)
    urgent_first = case((VisitRequest.urgency == "urgent", 0), else_=1)
    query = query.order_by(urgent_first, _first_window(), VisitRequest.id).limit(limit)
    return _rows(session, list(session.scalars(query)))


def village_requests(session: Session, actor: User) -> list[RequestRow]:
    """The representative's own village's requests, newest first."""
    require_role(actor, "village")
    requests = session.scalars(select(VisitRequest).where(VisitRequest.village_id == actor.village_id)
                               .options(*_options()).order_by(VisitRequest.created_at.desc(), VisitRequest.id.desc()))
    return _rows(session, list(requests))


def detail(session: Session, actor: User, request_id: int, now: datetime) -> RequestDetail:
    request = load_request(session, actor, request_id)
    visit = planned_visits(session, [request.id]).get(request.id)
    coordinator = actor.role == "coordinator"
    ids = {h.from_user_id for h in request.handovers} | {h.to_user_id for h in request.handovers}
    names = {u.id: u.display_name or u.username for u in session.scalars(select(User).where(User.id.in_(ids)))}
    return RequestDetail(
        request, visit, tuple(request.handovers), request.owner_id == actor.id,
        can_confirm=coordinator and request.status == "scheduled" and visit is not None and visit.slot.end_at > now,
        can_cancel=request.status in OPEN_STATUSES and (visit is None or visit.slot.start_at > now),
        can_close=coordinator and request.status in ("scheduled", "confirmed") and visit is not None
        and visit.slot.start_at <= now,
        village_reachable=any(r.routes for r in village_reach(session, request.village)), user_names=names)


def _open(request: VisitRequest) -> None:
    if request.status not in OPEN_STATUSES:
        raise RequestActionRefused("closed", f"the request is already {request.status}", status=request.status)


def _reason(reason: str | None, code: str = "reason_required") -> str:
    text = (reason or "").strip()
    if not text:
        raise RequestActionRefused(code, "say why")
    if len(text) > REASON_MAX:
        raise RequestActionRefused("reason_too_long", f"at most {REASON_MAX} characters", max=REASON_MAX)
    if has_personal_data(text):
        raise RequestActionRefused("reason_personal_data", "an ID card or mobile number in the reason")
    return text


def villages_for_requests(session: Session, actor: User) -> list[tuple[int, str]]:
    """(id, "township · village") of the active villages a coordinator may take requests for."""
    require_role(actor, "coordinator")
    rows = session.execute(
        select(Site.id, Site.name, Township.name).outerjoin(Township, Township.id == Site.township_id)
        .where(Site.kind == "village", Site.active, district_filter(actor, Site.district_id))
        .order_by(Site.district_id, Township.name, Site.name)).all()
    return [(site_id, f"{township} · {name}" if township else name) for site_id, name, township in rows]


def handover_candidates(session: Session, actor: User, request: VisitRequest) -> list[User]:
    """Active coordinators who can see the request's district, other than its owner."""
    require_role(actor, "coordinator")
    return list(session.scalars(select(User).where(
        User.role == "coordinator", User.active, User.id != request.owner_id,
        or_(User.city_wide, User.district_id == request.district_id))
        .order_by(User.city_wide, User.display_name, User.username)))


def hand_over(session: Session, actor: User, request_id: int, to_user_id: int | None, reason: str | None,
              now: datetime) -> RequestHandover:
    """Give the request a new owner; the hand-over says from whom, to whom, why and when.
    Any coordinator of the district may do it (the owner may be away)."""
    require_role(actor, "coordinator")
    request = load_request(session, actor, request_id)
    _open(request)
    problems: list[FieldProblem] = []
    target = session.get(User, to_user_id) if to_user_id else None
    if target is None or target not in handover_candidates(session, actor, request):
        code = "same_owner" if target is not None and target.id == request.owner_id else "unknown_coordinator"
        problems.append(FieldProblem("to_user", code))
    try:
        text = _reason(reason)
    except RequestActionRefused as refused:
        problems += [FieldProblem("reason", p.code, p.params) for p in refused.problems]
    if problems:
        error = RequestActionRefused(problems[0].code, "the hand-over is incomplete")
        error.problems = problems
        raise error
    row = RequestHandover(request_id=request.id, from_user_id=request.owner_id, to_user_id=target.id, reason=text,
                          at=now)
    session.add(row)
    request.owner_id, request.updated_at = target.id, now
    session.flush()
    session.refresh(request, ["owner", "handovers"])
    audit.record(session, actor, "request.handover", "visit_request", request.id, request.district_id,
                 from_user=row.from_user_id, to_user=row.to_user_id, reason=text)
    return row


def confirm(session: Session, actor: User, request_id: int, now: datetime) -> VisitRequest:
    """The coordinator has agreed the scheduled time with the village."""
    require_role(actor, "coordinator")
    request = load_request(session, actor, request_id)
    _open(request)
    visit = planned_visits(session, [request.id]).get(request.id)
    if request.status == "confirmed":
        raise RequestActionRefused("already_confirmed", "already confirmed")
    if request.status != "scheduled" or visit is None:
        raise RequestActionRefused("not_scheduled", "nothing published for this request yet")
    if visit.slot.end_at <= now:
        raise RequestActionRefused("visit_over", "the visit is over")
    request.status, request.updated_at = "confirmed", now
    session.flush()
    audit.record(session, actor, "request.confirm", "visit_request", request.id, request.district_id,
                 slot=visit.slot.id)
    return request


def close(session: Session, actor: User, request_id: int, now: datetime) -> VisitRequest:
    """The visit has taken place: the request is done."""
    require_role(actor, "coordinator")
    request = load_request(session, actor, request_id)
    _open(request)
    visit = planned_visits(session, [request.id]).get(request.id)
    if visit is None:
        raise RequestActionRefused("not_scheduled", "nothing published for this request yet")
    if visit.slot.start_at > now:
        raise RequestActionRefused("visit_ahead", "the visit has not taken place yet")
    request.status, request.updated_at = "done", now
    session.flush()
    audit.record(session, actor, "request.done", "visit_request", request.id, request.district_id, slot=visit.slot.id)
    return request


def cancel(session: Session, actor: User, request_id: int, reason: str | None, now: datetime, *,
           feed_domain: str = DEFAULT_FEED_DOMAIN, not_ours: bool = False) -> VisitRequest:
    """Cancel with a reason (a coordinator, or the village withdrawing its own request). Its
    visit slots leave the plan and the calendars (UIDs in `feed_domain`), and whoever was to
    come is told. `not_ours` (a coordinator only): refused as not a matter of the public legal
    service; the request's page then shows the referral directory (`scheduler.portal.referrals`)."""
    request = load_request(session, actor, request_id)
    _open(request)
    if not_ours and actor.role != "coordinator":
        raise RequestActionRefused("not_ours_coordinator", "only a coordinator refuses a request as not ours")
    text = _reason(reason)
    visit = planned_visits(session, [request.id]).get(request.id)
    if visit is not None and visit.slot.start_at <= now:
        raise RequestActionRefused("visit_started", "the visit has already begun")
    request.status, request.cancel_reason, request.updated_at = "cancelled", text, now
    request.not_ours = not_ours
    slots = session.scalars(select(Slot).where(Slot.request_id == request.id, Slot.cancelled.is_(False))).all()
    for slot in slots:
        slot.cancelled = True
    session.flush()
    notices_for_cancellation(session, request, visit, text, by_village=actor.role == "village", now=now)
    # Calendars stop showing the visit now, not when their cached copy expires.
    for week in sorted({s.week_start for s in slots}):
        refresh_feeds(session, request.district_id, week, now, domain=feed_domain)
    audit.record(session, actor, "request.cancel", "visit_request", request.id, request.district_id, reason=text,
                 slots=[s.id for s in slots], not_ours=not_ours)
    return request
