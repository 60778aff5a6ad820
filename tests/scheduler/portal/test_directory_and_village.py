"""The directory (hours from the shift templates with holidays and make-up days, the
published duty with badge numbers) and the village page (adviser's office phone, published
visits only, public numbers, calendar, search)."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from models import Assignment, Organisation, Pairing, ShiftTemplate, ShiftTemplateLine
from scheduler.core.access import NotVisible
from scheduler.core.weeks import monday_of
from scheduler.portal import directory, village
from scheduler.week.drafts import get_or_create_draft, publish

NATIONAL_DAY_WEEK = date(2026, 10, 5)  # Mon-Wed days off, Saturday 10 October worked as a Wednesday


def _template(session, site, weekday, start, end):
    session.add(ShiftTemplate(site_id=site.id, name="班", weekday=weekday, start_time=start, end_time=end,
                              lines=[ShiftTemplateLine(idx=0, roles=["lawyer"], count=1, skills=[])]))
    session.flush()


def _assign(session, slot, person, *, published: bool, now):
    draft = get_or_create_draft(session, slot.district_id, slot.week_start, None)
    draft.assignments.append(Assignment(slot_id=slot.id, person_id=person.id, line_index=0))
    session.flush()
    if published:
        publish(session, slot.district_id, slot.week_start, None, now=now)


def test_opening_hours_follow_holidays_and_make_up_days(session, make):
    window = make.site(kind="window", phone="0574-8888")
    _template(session, window, 2, time(9), time(12))  # Wednesdays
    _template(session, window, 2, time(11), time(17))
    _template(session, window, 3, time(9), time(12))  # Thursdays
    page = directory.site_page(session, window.id, date(2026, 10, 8), "zh")
    hours = {h.day: h for h in page.hours}
    assert hours[date(2026, 10, 7)].hours == () and hours[date(2026, 10, 7)].holiday
    assert hours[date(2026, 10, 8)].hours == ("09:00–12:00",)
    saturday = hours[date(2026, 10, 10)]
    assert saturday.hours == ("09:00–17:00",) and saturday.makeup and saturday.weekday == "周六"
    assert page.site.office_phone == "0574-8888" and not page.published and page.today == ()
    assert directory.site_page(session, window.id, date(2026, 10, 8), "en").hours[0].weekday == "Mon"


def test_on_duty_is_read_from_the_published_roster_only(session, make):
    district = make.district(complaint_phone="0574-110")
    window = make.site(district, kind="window")
    person = make.person(district, name="值班律师", phone="13812345678", badge_no="NB-7")
    monday = monday_of(date(2026, 11, 26))
    start = datetime(2026, 11, 26, 1, tzinfo=UTC)  # 09:00 Beijing time
    slot = make.slot(window, start=start, week_start=monday, kind="shift")
    now = datetime(2026, 11, 25, tzinfo=UTC)
    _assign(session, slot, person, published=False, now=now)
    page = directory.site_page(session, window.id, date(2026, 11, 26), "zh", complaint_phone="0574-999")
    assert not page.published and page.today == () and all(not d.people for d in page.week)
    publish(session, district.id, monday, None, now=now)
    page = directory.site_page(session, window.id, date(2026, 11, 26), "zh")
    assert page.published and page.today[0].name == "值班律师" and page.today[0].badge_no == "NB-7"
    assert page.today[0].role == "律师" and page.today[0].hours == "09:00–12:00"
    assert (page.numbers.hotline, page.numbers.complaint) == ("12348", "0574-110")
    assert "13812345678" not in repr(page)
    with pytest.raises(NotVisible):
        directory.site_page(session, make.site(district).id, date(2026, 11, 26))
    assert [s.id for s in directory.list_sites(session, district_id=district.id)] == [window.id]


def test_village_page_shows_adviser_office_phone_and_published_visits_only(session, make):
    district = make.district(hotline="12348-1")
    firm = Organisation(external_id="ORG-T", district_id=district.id, kind="law_firm", name="甬正律所",
                        phone="0574-555")
    session.add(firm)
    session.flush()
    home = make.site(district, name="湾底村", visit_every_weeks=2, visit_weekday=2, visit_start=time(9, 30))
    adviser = make.person(district, name="王明", phone="13812341234", organisation_id=firm.id)
    session.add(Pairing(site_id=home.id, person_id=adviser.id, valid_from=date(2020, 1, 1)))
    now = datetime(2026, 11, 25, tzinfo=UTC)
    monday = monday_of(date(2026, 11, 26))
    published = make.slot(home, start=datetime(2026, 11, 26, 1, 30, tzinfo=UTC), week_start=monday)
    _assign(session, published, adviser, published=True, now=now)
    drafted = make.slot(home, start=datetime(2026, 11, 27, 1, 30, tzinfo=UTC), week_start=monday)
    _assign(session, drafted, make.person(district, name="草稿律师"), published=False, now=now)
    page = village.village_page(session, home.external_id, now, "zh", complaint_phone="0574-999")
    assert page.adviser.name == "王明" and page.adviser.office_phone == "0574-555" and page.adviser.role == "律师"
    assert [(v.start, v.people) for v in page.visits] == [("09:30", "王明")]
    assert (page.numbers.hotline, page.numbers.complaint) == ("12348-1", "0574-999")
    assert page.rhythm.startswith("每 2 周周三 09:30")
    assert "13812341234" not in repr(page) and "草稿律师" not in repr(page)
    assert village.village_page(session, str(home.id), now, "en").rhythm == "Every 2 weeks, Wed 09:30"
    calendar = village.village_calendar(session, home.external_id, now)
    assert calendar.count(b"BEGIN:VEVENT") == 1 and "王明".encode() in calendar and b"13812341234" not in calendar
    assert village.public_village_url("https://x.example/", "YZ V1") == "https://x.example/v/YZ%20V1"


def test_village_lookup_and_search(session, make):
    district = make.district()
    township = make.township(district, name="下应街道")
    home = make.site(district, name="湾底村", township_id=township.id)
    make.site(district, name="旧村", active=False)
    for ref in ("nope", str(make.site(district, kind="window").id), "旧村"):
        with pytest.raises(NotVisible):
            village.village_page(session, ref, datetime(2026, 11, 25, tzinfo=UTC))
    assert [v.id for v in village.search_villages(session, district.id)] == [home.id]
    assert [v.id for v in village.search_villages(session, None, "下应")] == [home.id]
    assert village.search_villages(session, None, "100%_") == [] and village.search_villages(session, None) == []
    assert village.next_visits(session, home, datetime(2026, 11, 25, tzinfo=UTC) + timedelta(days=1)) == ()
