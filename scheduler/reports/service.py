"""Service reports (质量评价制): what was served per person, village, township and month, with
volunteers' service hours and the villages' ratings, from the newest published version of
every week. Only places that have begun count; hours are those the provider recorded, or
the planned length of the place where nothing was recorded.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import Assignment, District, Person, Site, Slot, User, VisitOutcome, VisitRating, VisitRequest
from scheduler.core.access import district_filter, require_district, require_role
from scheduler.core.versions import newest_versions
from scheduler.core.weeks import DEFAULT_ZONE, to_local, to_utc
from scheduler.core.zh_names import roles_zh
from scheduler.transfer.exports.sheets import Table

MONTHS_MAX = 24


class ReportRangeError(ValueError):
    """The months asked for make no report; `code` says why."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code, self.params = code, params


@dataclass
class Figures:
    places: int = 0
    hours: float = 0.0
    consultations: int = 0
    disputes: int = 0
    opinions: int = 0
    scores: list[int] = field(default_factory=list)

    @property
    def ratings(self) -> int:
        return len(self.scores)

    @property
    def mean_score(self) -> float | None:
        return round(sum(self.scores) / len(self.scores), 2) if self.scores else None


@dataclass
class RequestCounts:
    received: int = 0
    done: int = 0
    cancelled: int = 0


@dataclass(frozen=True)
class Row:
    key: str  # an external id, a township name or a month "YYYY-MM"
    name: str
    extra: str  # township of a village, organisation of a volunteer
    figures: Figures
    requests: RequestCounts | None = None
    roles: tuple[str, ...] = ()  # of a person


@dataclass(frozen=True)
class ServiceReport:
    first_month: date
    last_month: date
    districts: tuple[District, ...]
    people: tuple[Row, ...]
    volunteers: tuple[Row, ...]
    villages: tuple[Row, ...]
    townships: tuple[Row, ...]
    months: tuple[Row, ...]
    total: Figures


def month_after(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _months(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _add(figures: Figures, hours: float, outcome: VisitOutcome | None) -> None:
    figures.places += 1
    figures.hours += hours
    if outcome is not None:
        figures.consultations += outcome.consultations
        figures.disputes += outcome.disputes_mediated
        figures.opinions += outcome.opinions_written


def service_report(session: Session, actor: User, first_month: date, last_month: date, now: datetime,
                   district_id: int | None = None) -> ServiceReport:
    require_role(actor, "coordinator")
    first_month, last_month = first_month.replace(day=1), last_month.replace(day=1)
    if last_month < first_month:
        raise ReportRangeError("order", "the last month is before the first")
    if _months(first_month, last_month) > MONTHS_MAX:
        raise ReportRangeError("too_long", f"at most {MONTHS_MAX} months", max=MONTHS_MAX)
    if district_id is not None:
        require_district(actor, district_id)
    scope = [District.id == district_id] if district_id is not None else [district_filter(actor, District.id)]
    districts = tuple(session.scalars(select(District).where(*scope).order_by(District.code)))
    ids = [d.id for d in districts]
    begin = to_utc(first_month, time(), DEFAULT_ZONE)
    end = min(to_utc(month_after(last_month), time(), DEFAULT_ZONE), now)
    rows = session.execute(
        select(Slot, Assignment.person_id).join(Assignment, Assignment.slot_id == Slot.id)
        .where(Slot.district_id.in_(ids), Slot.start_at >= begin, Slot.start_at < end, Slot.cancelled.is_(False),
               Assignment.schedule_id.in_(newest_versions()))
        .options(selectinload(Slot.site).selectinload(Site.township))).all()
    slots = {s.id: s for s, _ in rows}
    people = {p.id: p for p in session.scalars(
        select(Person).where(Person.id.in_({p for _, p in rows}))
        .options(selectinload(Person.roles), selectinload(Person.organisation)))}
    outcomes = {(o.slot_id, o.person_id): o for o in session.scalars(
        select(VisitOutcome).where(VisitOutcome.slot_id.in_(list(slots))))}
    scores: dict[int, list[int]] = defaultdict(list)
    for r in session.scalars(select(VisitRating).where(VisitRating.slot_id.in_(list(slots)))):
        scores[r.slot_id].append(r.score)

    by_person: dict[int, Figures] = defaultdict(Figures)
    by_village: dict[int, Figures] = defaultdict(Figures)
    by_township: dict[str, Figures] = defaultdict(Figures)
    by_month: dict[str, Figures] = defaultdict(Figures)
    total = Figures()
    for slot, person_id in rows:
        outcome = outcomes.get((slot.id, person_id))
        hours = outcome.hours if outcome is not None else (slot.end_at - slot.start_at).total_seconds() / 3600
        township = slot.site.township.name if slot.site.township else "—"
        month = to_local(slot.start_at, slot.site.timezone).strftime("%Y-%m")
        targets = [by_person[person_id], by_township[township], by_month[month], total]
        if slot.site.kind == "village":
            targets.append(by_village[slot.site_id])
        for figures in targets:
            _add(figures, hours, outcome)
        by_person[person_id].scores.extend(scores.get(slot.id, ()))
    # A rating counts once for the place, however many people served the visit.
    for slot_id, given in scores.items():
        slot = slots[slot_id]
        township = slot.site.township.name if slot.site.township else "—"
        month = to_local(slot.start_at, slot.site.timezone).strftime("%Y-%m")
        for figures in (by_village[slot.site_id], by_township[township], by_month[month], total):
            figures.scores.extend(given)

    village_requests, month_requests = _requests(session, ids, first_month, last_month)
    villages = {s.id: s for s in session.scalars(select(Site).where(
        Site.id.in_(set(by_village) | set(village_requests))).options(selectinload(Site.township)))}
    for site_id in village_requests:
        by_village.setdefault(site_id, Figures())
    person_rows = sorted((Row(p.external_id, p.name, "", by_person[p.id], roles=tuple(p.role_names))
                          for p in people.values()), key=lambda r: (-r.figures.hours, r.key))
    volunteers = tuple(Row(p.external_id, p.name, p.organisation.name if p.organisation else "", by_person[p.id])
                       for p in sorted(people.values(), key=lambda p: (-by_person[p.id].hours, p.external_id))
                       if "volunteer" in p.role_names)
    village_rows = sorted((Row(v.external_id, v.name, v.township.name if v.township else "—", by_village[v.id],
                               village_requests.get(v.id, RequestCounts())) for v in villages.values()),
                          key=lambda r: (r.extra, r.name))
    month_keys = []
    month = first_month
    while month <= last_month:
        month_keys.append(month.strftime("%Y-%m"))
        month = month_after(month)
    return ServiceReport(
        first_month, last_month, districts, tuple(person_rows), volunteers, tuple(village_rows),
        tuple(Row(name, name, "", f) for name, f in sorted(by_township.items())),
        tuple(Row(m, m, "", by_month.get(m, Figures()), month_requests.get(m, RequestCounts())) for m in month_keys),
        total)


def _requests(session: Session, district_ids: list[int], first: date, last: date,
              ) -> tuple[dict[int, RequestCounts], dict[str, RequestCounts]]:
    """Requests received in the months, per village and per month, with how they ended."""
    begin = to_utc(first, time(), DEFAULT_ZONE)
    end = to_utc(month_after(last), time(), DEFAULT_ZONE)
    by_village: dict[int, RequestCounts] = defaultdict(RequestCounts)
    by_month: dict[str, RequestCounts] = defaultdict(RequestCounts)
    for village_id, status, created in session.execute(
            select(VisitRequest.village_id, VisitRequest.status, VisitRequest.created_at)
            .where(VisitRequest.district_id.in_(district_ids), VisitRequest.created_at >= begin,
                   VisitRequest.created_at < end)):
        month = to_local(created).strftime("%Y-%m")
        for counts in (by_village[village_id], by_month[month]):
            counts.received += 1
            counts.done += status == "done"
            counts.cancelled += status == "cancelled"
    return dict(by_village), dict(by_month)


FIGURE_HEADINGS = ("服务次数", "服务小时", "咨询人次", "调解纠纷", "法律意见", "评价数", "平均评分")
REQUEST_HEADINGS = ("收到预约", "已办结", "已取消")


def _figures(f: Figures) -> list[object]:
    return [f.places, round(f.hours, 2), f.consultations, f.disputes, f.opinions, f.ratings,
            "" if f.mean_score is None else f.mean_score]


def _requests_cells(r: RequestCounts | None) -> list[object]:
    r = r or RequestCounts()
    return [r.received, r.done, r.cancelled]


def report_tables(report: ServiceReport) -> list[Table]:
    """The report as sheets, headed in Chinese like the other exports."""
    span = f"{report.first_month:%Y-%m} 至 {report.last_month:%Y-%m}"
    where = "、".join(d.name for d in report.districts) or "—"
    preface = [f"法律服务统计 {span}", f"范围：{where}"]
    return [
        Table("按人员 People", ("人员编号", "姓名", "角色", *FIGURE_HEADINGS),
              [[r.key, r.name, roles_zh(r.roles), *_figures(r.figures)] for r in report.people], preface),
        Table("志愿服务时长 Volunteers", ("人员编号", "姓名", "所属团队", "服务次数", "服务小时"),
              [[r.key, r.name, r.extra, r.figures.places, round(r.figures.hours, 2)] for r in report.volunteers],
              preface),
        Table("按村社区 Villages", ("编号", "村（社区）", "镇（街道）", *FIGURE_HEADINGS, *REQUEST_HEADINGS),
              [[r.key, r.name, r.extra, *_figures(r.figures), *_requests_cells(r.requests)] for r in report.villages],
              preface),
        Table("按镇街道 Townships", ("镇（街道）", *FIGURE_HEADINGS),
              [[r.name, *_figures(r.figures)] for r in report.townships], preface),
        Table("按月 Months", ("月份", *FIGURE_HEADINGS, *REQUEST_HEADINGS),
              [[r.key, *_figures(r.figures), *_requests_cells(r.requests)] for r in report.months], preface),
    ]


TABLE_KEYS = ("people", "volunteers", "villages", "townships", "months")
