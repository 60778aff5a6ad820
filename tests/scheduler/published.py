"""A small published week for export and print tests: a township window with two shifts (one
place left open), a village visit with its outcome and rating, and a later draft that must
not leak into anything published."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from models import Assignment, Organisation, Pairing, Person, Schedule, Site, Slot, VisitOutcome, VisitRating

WEEK = date(2026, 3, 2)
PUBLISHED_AT = datetime(2026, 2, 27, 2, tzinfo=UTC)  # the Friday before, 10:00 in Ningbo


@dataclass
class Published:
    district: object
    window: Site
    village: Site
    lawyer: Person
    notary: Person
    shift: Slot
    visit: Slot
    schedule: Schedule


def at(day: int, hour: int) -> datetime:
    # Local 08:30 on 2 March 2026 is 00:30 UTC.
    return datetime(2026, 3, day, hour - 8, 30, tzinfo=UTC)


def published_week(session, make) -> Published:
    district = make.district(name="甲区", code="JQ")
    township = make.township(district, name="下应街道")
    firm = Organisation(external_id="ORG-1", district_id=district.id, kind="law_firm", name="甬正律师事务所",
                        phone="0574-87001234")
    session.add(firm)
    session.flush()
    window = make.site(district, external_id="JQ-W1", kind="window", name="下应司法所窗口", township_id=township.id,
                       phone="0574-88990000")
    village = make.site(district, external_id="JQ-V1", name="湾底村", township_id=township.id)
    lawyer = make.person(district, external_id="JQ-L1", name="王明", phone="13812341234", organisation_id=firm.id)
    notary = make.person(district, external_id="JQ-N1", name="李华", phone="13900005678", roles=("notary",))
    session.add(Pairing(site_id=village.id, person_id=lawyer.id, valid_from=date(2025, 1, 1)))
    shift = make.slot(window, start=at(2, 8), hours=3.5, kind="shift", lines=(("lawyer",), ("notary",)), week_start=WEEK)
    afternoon = make.slot(window, start=at(3, 14), hours=3, kind="shift", lines=(("lawyer",),), week_start=WEEK)
    visit = make.slot(village, start=at(4, 9), hours=2, kind="visit", lines=(("lawyer",),), week_start=WEEK)
    coordinator = make.user("coordinator", district_id=district.id)
    schedule = make.schedule(district, week_start=WEEK, state="published", version=1, published_at=PUBLISHED_AT)
    session.add_all([Assignment(schedule_id=schedule.id, slot_id=shift.id, person_id=lawyer.id, line_index=0),
                     Assignment(schedule_id=schedule.id, slot_id=shift.id, person_id=notary.id, line_index=1),
                     Assignment(schedule_id=schedule.id, slot_id=visit.id, person_id=lawyer.id, line_index=0)])
    session.flush()
    draft = make.schedule(district, week_start=WEEK, state="draft")
    session.add(Assignment(schedule_id=draft.id, slot_id=afternoon.id, person_id=notary.id, line_index=0))
    session.add(VisitOutcome(slot_id=visit.id, person_id=lawyer.id, consultations=5, disputes_mediated=1,
                             opinions_written=2, hours=2))
    rep = make.user("village", village_id=village.id, district_id=district.id)
    session.add(VisitRating(slot_id=visit.id, village_id=village.id, rated_by_id=rep.id, score=5, comment="解答耐心"))
    session.flush()
    assert coordinator
    return Published(district, window, village, lawyer, notary, shift, visit, schedule)
