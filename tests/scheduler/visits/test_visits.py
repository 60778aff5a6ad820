"""After a visit: the provider's outcome (every problem at once, correctable, closes the
request) and the village's rating (1 to 5, once, only for visits it received)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models import Assignment, VisitOutcome, VisitRating, VisitRequest
from scheduler.core.access import AccessDenied, NotVisible
from scheduler.visits import operations as visits
from scheduler.week import drafts
from tests.factories import MONDAY

VISIT = datetime(2026, 12, 1, 1, tzinfo=UTC)
AFTER = VISIT + timedelta(hours=3)


@pytest.fixture
def done(session, make):
    d = make.district()
    village = make.site(d, name="湾底村")
    owner = make.user("coordinator", district_id=d.id)
    lawyer = make.person(d, name="王律师")
    other = make.person(d, name="李律师")
    provider = make.user("provider", person_id=lawyer.id, district_id=d.id)
    rep = make.user("village", village_id=village.id, district_id=d.id)
    other_rep = make.user("village", village_id=make.site(d).id, district_id=d.id)
    request = VisitRequest(village_id=village.id, district_id=d.id, topic="宅基地纠纷", kind="consultation",
                           owner_id=owner.id)
    session.add(request)
    session.flush()
    visit = make.slot(village, start=VISIT, hours=2, request_id=request.id)
    later = make.slot(village, start=VISIT + timedelta(days=2), hours=2)
    unpublished = make.slot(village, start=VISIT - timedelta(days=1))
    draft = drafts.get_or_create_draft(session, d.id, MONDAY, None)
    for slot in (visit, later):
        draft.assignments.append(Assignment(slot_id=slot.id, person_id=lawyer.id, line_index=0))
    session.flush()
    drafts.publish(session, d.id, MONDAY, None, now=VISIT - timedelta(days=4))
    request.status = "confirmed"  # agreed with the village after publishing
    draft.assignments.append(Assignment(slot_id=unpublished.id, person_id=lawyer.id, line_index=0))
    session.flush()
    return dict(provider=provider, rep=rep, other_rep=other_rep, visit=visit, later=later, unpublished=unpublished,
                request=request, lawyer=lawyer, other=other, village=village)


def test_the_provider_sees_begun_places_and_records_the_outcome(session, done):
    assert [v.slot.id for v in visits.served(session, done["provider"], AFTER)] == [done["visit"].id]
    row = visits.record_outcome(session, done["provider"], done["visit"].id, consultations="5", disputes_mediated=1,
                                opinions_written="", hours="2.5", notes=" 解答土地承包问题 ", now=AFTER)
    assert (row.consultations, row.disputes_mediated, row.opinions_written, row.hours, row.notes) == (
        5, 1, 0, 2.5, "解答土地承包问题")
    assert done["request"].status == "done"
    # A correction replaces the figures instead of adding a second record.
    visits.record_outcome(session, done["provider"], done["visit"].id, consultations=6, hours=2, now=AFTER)
    (only,) = session.scalars(select(VisitOutcome)).all()
    assert (only.consultations, only.hours) == (6, 2.0)
    assert visits.served(session, done["provider"], AFTER)[0].outcome == only


def test_every_problem_of_an_outcome_at_once(session, done):
    with pytest.raises(visits.VisitRefused) as refused:
        visits.record_outcome(session, done["provider"], done["later"].id, consultations="-1",
                              disputes_mediated="abc", opinions_written="5000", hours="",
                              notes="当事人电话13812345678", now=AFTER)
    assert [(p.code, p.field) for p in refused.value.problems] == [
        ("not_started", "slot"), ("count_invalid", "consultations"), ("count_invalid", "disputes_mediated"),
        ("count_invalid", "opinions_written"), ("hours_required", "hours"), ("personal_data", "notes")]
    with pytest.raises(visits.VisitRefused) as refused:
        visits.record_outcome(session, done["provider"], done["visit"].id, hours="25", now=AFTER)
    assert [(p.code, p.params) for p in refused.value.problems] == [("hours_invalid", {"max": 24})]
    assert session.scalars(select(VisitOutcome)).all() == []
    assert done["request"].status == "confirmed"


def test_only_ones_own_published_places(session, done, make):
    with pytest.raises(NotVisible):
        visits.record_outcome(session, done["provider"], done["unpublished"].id, hours=1, now=AFTER)
    stranger = make.user("provider", person_id=done["other"].id)
    with pytest.raises(NotVisible):
        visits.record_outcome(session, stranger, done["visit"].id, hours=1, now=AFTER)
    with pytest.raises(AccessDenied):
        visits.served(session, done["rep"], AFTER)


def test_the_village_rates_a_visit_it_received_once(session, done):
    (visit,) = visits.village_visits(session, done["rep"], AFTER)
    assert visit.slot.id == done["visit"].id and [p.name for p in visit.people] == ["王律师"] and visit.rating is None
    rating = visits.rate_visit(session, done["rep"], done["visit"].id, "5", " 解答耐心 ", AFTER)
    assert (rating.score, rating.comment, rating.request_id, rating.village_id) == (
        5, "解答耐心", done["request"].id, done["village"].id)
    assert visits.village_visits(session, done["rep"], AFTER)[0].rating == rating
    with pytest.raises(visits.VisitRefused) as refused:
        visits.rate_visit(session, done["rep"], done["visit"].id, "4", "", AFTER)
    assert [p.code for p in refused.value.problems] == ["already_rated"]


def test_every_problem_of_a_rating_at_once(session, done):
    with pytest.raises(visits.VisitRefused) as refused:
        visits.rate_visit(session, done["rep"], done["visit"].id, "6", "好" * 1001, AFTER)
    assert [p.code for p in refused.value.problems] == ["score_invalid", "comment_too_long"]
    with pytest.raises(visits.VisitRefused) as refused:
        visits.rate_visit(session, done["rep"], done["visit"].id, "", "身份证330203199001011234", AFTER)
    assert [p.code for p in refused.value.problems] == ["score_required", "personal_data"]
    assert session.scalars(select(VisitRating)).all() == []


def test_no_rating_of_a_visit_elsewhere_or_not_yet_made(session, done):
    with pytest.raises(NotVisible):
        visits.rate_visit(session, done["other_rep"], done["visit"].id, 5, "", AFTER)
    with pytest.raises(NotVisible):
        visits.rate_visit(session, done["rep"], done["later"].id, 5, "", AFTER)
