"""Taking in a village visit request: every problem at once (一次性告知), an owner from the
first moment (首问负责制), windows stored in order of preference, nothing stored on refusal."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from models import AuditEntry, VisitRequest
from scheduler.core.access import AccessDenied
from scheduler.requests.intake import (
    RequestInput,
    RequestRefused,
    WindowInput,
    check_request,
    default_owner,
    submit_request,
)

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # 10:00 in Ningbo


@pytest.fixture
def place(make):
    d = make.district()
    village = make.site(d, name="湾底村")
    first = make.user("coordinator", district_id=d.id, display_name="张协调")
    second = make.user("coordinator", district_id=d.id)
    rep = make.user("village", village_id=village.id, district_id=d.id)
    return {"district": d, "village": village, "first": first, "second": second, "rep": rep}


def good(**overrides) -> RequestInput:
    values = dict(topic="土地承包合同纠纷", kind="consultation", people_count="3", urgency="normal",
                  windows=(WindowInput("2026-12-01", "09:00", "11:00"), WindowInput("2026-12-03", "14:00", "16:30")))
    values.update(overrides)
    return RequestInput(**values)


def codes(problems) -> list[tuple[str, str]]:
    return [(p.code, p.field) for p in problems]


def test_a_village_request_is_stored_with_ranked_windows_and_the_default_owner(session, place):
    row = submit_request(session, place["rep"], good(), NOW)
    assert (row.status, row.channel, row.owner_id, row.created_by_id) == (
        "received", "web", place["first"].id, place["rep"].id)
    assert (row.village_id, row.district_id, row.people_count) == (place["village"].id, place["district"].id, 3)
    # Local 09:00 on 1 December is 01:00 UTC.
    assert [(w.rank, w.start_at, w.end_at) for w in row.windows] == [
        (0, datetime(2026, 12, 1, 1, tzinfo=UTC), datetime(2026, 12, 1, 3, tzinfo=UTC)),
        (1, datetime(2026, 12, 3, 6, tzinfo=UTC), datetime(2026, 12, 3, 8, 30, tzinfo=UTC))]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "request.create"))
    assert entry.object_id == str(row.id) and entry.details["owner"] == place["first"].id


def test_every_problem_is_listed_at_once_and_nothing_is_stored(session, place):
    data = RequestInput(topic="", kind="", people_count="0", urgency="soon", windows=(
        WindowInput("2026-12-01", "", "11:00"),              # start missing
        WindowInput("", "", ""),                              # blank row: ignored
        WindowInput("2026-12-02", "15:00", "14:00"),          # end before start
        WindowInput("2026-11-20", "09:00", "10:00"),          # in the past
        WindowInput("2026-13-01", "9:00", "25:00"),           # bad date and bad end
    ))
    with pytest.raises(RequestRefused) as refused:
        submit_request(session, place["rep"], data, NOW)
    assert codes(refused.value.problems) == [
        ("topic_required", "topic"), ("kind_required", "kind"), ("urgency_unknown", "urgency"),
        ("people_count_invalid", "people_count"),
        ("window_start_required", "windows[0].start"),
        ("window_order", "windows[2]"),
        ("window_past", "windows[3]"),
        ("window_date_invalid", "windows[4].day"), ("window_time_invalid", "windows[4].end"),
    ]
    assert [p.params.get("number") for p in refused.value.problems[4:]] == [1, 3, 4, 5, 5]
    assert session.scalar(select(func.count()).select_from(VisitRequest)) == 0


def test_no_windows_and_no_people_count(session, place):
    _, problems = check_request(session, place["rep"], good(windows=(WindowInput(),), people_count=""), NOW)
    assert codes(problems) == [("people_count_required", "people_count"), ("windows_required", "windows")]


def test_window_lengths_overlaps_distance_and_number(session, place):
    windows = (WindowInput("2026-12-01", "09:00", "09:15"), WindowInput("2026-12-01", "08:00", "17:30"),
               WindowInput("2026-12-02", "09:00", "11:00"), WindowInput("2026-12-02", "10:00", "12:00"),
               WindowInput(date(2027, 7, 1), time(9), time(10)), WindowInput("2026-12-04", "9:00", "10:00"))
    _, problems = check_request(session, place["rep"], good(windows=windows), NOW)
    assert codes(problems) == [("too_many_windows", "windows"), ("window_too_short", "windows[0]"),
                               ("window_too_long", "windows[1]"), ("window_overlap", "windows[1]"),
                               ("window_overlap", "windows[3]"), ("window_too_far", "windows[4]")]
    assert problems[0].params == {"max": 5}
    assert problems[3].params == {"number": 2, "other": 1} and problems[5].params["days"] == 180


def test_villagers_personal_data_is_refused(session, place):
    data = good(topic="张三 330203199001011234 离婚", details="联系 13812345678")
    _, problems = check_request(session, place["rep"], data, NOW)
    assert codes(problems) == [("personal_data", "topic"), ("personal_data", "details")]
    # Ordinary numbers (a contract number, a sum of money) are fine.
    _, fine = check_request(session, place["rep"], good(topic="合同编号2026-118，欠款120000元"), NOW)
    assert fine == []


def test_too_long_texts_and_too_many_people(session, place):
    _, problems = check_request(session, place["rep"], good(topic="纠" * 201, details="x" * 2001,
                                                           people_count="5000", kind="divorce"), NOW)
    assert codes(problems) == [("topic_too_long", "topic"), ("details_too_long", "details"),
                               ("kind_unknown", "kind"), ("people_count_too_large", "people_count")]


def test_a_coordinator_takes_a_phone_request_and_owns_it(session, place):
    data = good(channel="phone", village_id=str(place["village"].id), urgency="urgent", kind="mediation")
    row = submit_request(session, place["second"], data, NOW)
    assert (row.channel, row.owner_id, row.urgency, row.kind) == ("phone", place["second"].id, "urgent", "mediation")


def test_a_coordinator_must_say_the_channel_and_a_village_they_can_see(session, place, make):
    other = make.site(make.district(), name="别区村")
    window = make.site(place["district"], kind="window")
    for village_id, channel, expected in (
            (None, None, [("village_required", "village"), ("channel_required", "channel")]),
            (other.id, "web", [("village_unknown", "village"), ("channel_unknown", "channel")]),
            (window.id, "phone", [("village_unknown", "village")]),
            ("abc", "in_person", [("village_unknown", "village")])):
        _, problems = check_request(session, place["first"], good(village_id=village_id, channel=channel), NOW)
        assert codes(problems) == expected


def test_the_default_owner_falls_back_to_a_city_coordinator(session, make, place):
    lonely = make.district()
    assert default_owner(session, lonely.id) is None
    city = make.user("coordinator", city_wide=True)
    assert default_owner(session, lonely.id) == city
    assert default_owner(session, place["district"].id) == place["first"]
    place["first"].active = False
    assert default_owner(session, place["district"].id) == place["second"]


def test_a_district_without_any_coordinator_says_so(session, make):
    d = make.district()
    village = make.site(d)
    rep = make.user("village", village_id=village.id, district_id=d.id)
    _, problems = check_request(session, rep, good(), NOW)
    assert codes(problems) == [("no_coordinator", "village")]


def test_providers_cannot_request(session, make, place):
    provider = make.user("provider", person_id=make.person(place["district"]).id)
    with pytest.raises(AccessDenied):
        check_request(session, provider, good(), NOW)


def test_windows_are_local_to_the_village(session, place):
    row = submit_request(session, place["rep"], good(windows=(WindowInput("2026-12-01", "07:30", "08:30"),)), NOW)
    # 07:30 in Ningbo is 23:30 UTC the day before.
    assert row.windows[0].start_at == datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert row.windows[0].end_at - row.windows[0].start_at == timedelta(hours=1)
