"""Service reports per person, volunteer, village, township and month: only published places
that have begun, recorded hours or else the planned ones, a rating counted once per place
(but for each person who served it), requests received and how they ended; sheets for export."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from models import Assignment, Organisation, VisitOutcome, VisitRating, VisitRequest
from scheduler.core.access import AccessDenied
from scheduler.core.weeks import monday_of
from scheduler.reports.service import ReportRangeError, report_tables, service_report
from scheduler.transfer.exports import to_xlsx
from scheduler.week import drafts

NOW = datetime(2026, 12, 10, 4, tzinfo=UTC)
PUBLISHED = datetime(2026, 11, 20, 2, tzinfo=UTC)  # before the first week published
NOV, DEC = date(2026, 11, 1), date(2026, 12, 1)


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour - 8, tzinfo=UTC)


@pytest.fixture
def served(session, make):
    d = make.district(name="甲区")
    t1, t2 = make.township(d, name="下应街道"), make.township(d, name="邱隘镇")
    v1 = make.site(d, name="湾底村", external_id="V1", township_id=t1.id)
    v2 = make.site(d, name="李家村", external_id="V2", township_id=t1.id)
    window = make.site(d, kind="window", name="邱隘司法所窗口", township_id=t2.id)
    team = Organisation(external_id="ORG-V", district_id=d.id, kind="volunteer_team", name="青年志愿者协会")
    session.add(team)
    session.flush()
    lawyer = make.person(d, name="王律师", external_id="L1")
    volunteer = make.person(d, name="小陈", external_id="L2", roles=("volunteer",), organisation_id=team.id)
    rep = make.user("village", village_id=v1.id, district_id=d.id)
    coordinator = make.user("coordinator", district_id=d.id)

    def slot(site, start, hours, kind="visit"):
        return make.slot(site, start=start, hours=hours, kind=kind, week_start=monday_of(start.date()))

    nov = slot(v1, at(11, 24, 9), 2)
    dec = slot(v1, at(12, 1, 9), 2)
    shift = slot(window, at(12, 2, 9), 3, kind="shift")
    ahead = slot(v2, at(12, 20, 9), 2)
    for week, pairs in ((nov.week_start, [(nov, lawyer)]), (dec.week_start, [(dec, lawyer), (dec, volunteer),
                                                                             (shift, volunteer)]),
                        (ahead.week_start, [(ahead, lawyer)])):
        draft = drafts.get_or_create_draft(session, d.id, week, None)
        for i, (s, p) in enumerate(pairs):
            draft.assignments.append(Assignment(slot_id=s.id, person_id=p.id, line_index=i))
        session.flush()
        drafts.publish(session, d.id, week, None, now=PUBLISHED)
    # Draft-only work is not service.
    draft = drafts.get_or_create_draft(session, d.id, dec.week_start, None)
    draft.assignments.append(Assignment(slot_id=slot(v2, at(12, 3, 9), 2).id, person_id=lawyer.id, line_index=0))
    session.add_all([
        VisitOutcome(slot_id=nov.id, person_id=lawyer.id, consultations=3, disputes_mediated=1, hours=2.5),
        VisitOutcome(slot_id=dec.id, person_id=volunteer.id, consultations=2, hours=1.5),
        VisitRating(slot_id=nov.id, village_id=v1.id, rated_by_id=rep.id, score=4),
        VisitRating(slot_id=dec.id, village_id=v1.id, rated_by_id=rep.id, score=5),
        VisitRequest(village_id=v2.id, district_id=d.id, topic="a", kind="consultation", owner_id=coordinator.id,
                     status="done", created_at=at(11, 20, 10)),
        VisitRequest(village_id=v1.id, district_id=d.id, topic="b", kind="consultation", owner_id=coordinator.id,
                     status="cancelled", cancel_reason="已和解", created_at=at(12, 3, 10)),
    ])
    session.flush()
    return dict(district=d, coordinator=coordinator)


def figures(row) -> tuple:
    f = row.figures
    return (f.places, f.hours, f.consultations, f.disputes, f.opinions, f.ratings, f.mean_score)


def test_two_months_per_person_village_township_and_month(session, served):
    report = service_report(session, served["coordinator"], NOV, DEC, NOW)
    assert [(r.key, r.name, r.roles, figures(r)) for r in report.people] == [
        ("L1", "王律师", ("lawyer",), (2, 4.5, 3, 1, 0, 2, 4.5)),
        ("L2", "小陈", ("volunteer",), (2, 4.5, 2, 0, 0, 1, 5.0))]
    assert [(r.name, r.extra, r.figures.places, r.figures.hours) for r in report.volunteers] == [
        ("小陈", "青年志愿者协会", 2, 4.5)]
    assert [(r.name, r.extra, figures(r), vars(r.requests)) for r in report.villages] == [
        ("李家村", "下应街道", (0, 0, 0, 0, 0, 0, None), {"received": 1, "done": 1, "cancelled": 0}),
        ("湾底村", "下应街道", (3, 6.0, 5, 1, 0, 2, 4.5), {"received": 1, "done": 0, "cancelled": 1})]
    assert [(r.name, figures(r)) for r in report.townships] == [
        ("下应街道", (3, 6.0, 5, 1, 0, 2, 4.5)), ("邱隘镇", (1, 3.0, 0, 0, 0, 0, None))]
    assert [(r.key, figures(r), vars(r.requests)) for r in report.months] == [
        ("2026-11", (1, 2.5, 3, 1, 0, 1, 4.0), {"received": 1, "done": 1, "cancelled": 0}),
        ("2026-12", (3, 6.5, 2, 0, 0, 1, 5.0), {"received": 1, "done": 0, "cancelled": 1})]
    assert (report.total.places, report.total.hours, report.total.mean_score) == (4, 9.0, 4.5)


def test_one_month_and_the_future_not_counted(session, served):
    report = service_report(session, served["coordinator"], DEC, DEC, NOW + timedelta(days=30))
    assert [r.key for r in report.months] == ["2026-12"]
    # The visit of 20 December has begun by then.
    assert report.total.places == 4


def test_scope_and_bad_ranges(session, served, make):
    stranger = make.user("coordinator")
    assert service_report(session, stranger, NOV, DEC, NOW).total.places == 0
    with pytest.raises(AccessDenied):
        service_report(session, stranger, NOV, DEC, NOW, district_id=served["district"].id)
    with pytest.raises(ReportRangeError) as bad:
        service_report(session, served["coordinator"], DEC, NOV, NOW)
    assert bad.value.code == "order"
    with pytest.raises(ReportRangeError) as bad:
        service_report(session, served["coordinator"], date(2024, 1, 1), DEC, NOW)
    assert (bad.value.code, bad.value.params) == ("too_long", {"max": 24})


def test_the_report_as_a_workbook(session, served):
    book = load_workbook(io.BytesIO(to_xlsx(report_tables(service_report(session, served["coordinator"], NOV, DEC,
                                                                          NOW)))))
    assert book.sheetnames == ["按人员 People", "志愿服务时长 Volunteers", "按村社区 Villages", "按镇街道 Townships",
                               "按月 Months"]
    rows = list(book["志愿服务时长 Volunteers"].values)
    assert rows[0][0] == "法律服务统计 2026-11 至 2026-12" and rows[1][0] == "范围：甲区"
    assert ("L2", "小陈", "青年志愿者协会", 2, 4.5) in rows
    assert ("2026-12", 3, 6.5, 2, 0, 0, 1, 5, 1, 0, 1) in list(book["按月 Months"].values)
    assert ("L1", "王律师", "律师", 2, 4.5, 3, 1, 0, 2, 4.5) in list(book["按人员 People"].values)
