"""The coordinator's availability week for a person: the half-hour grid, adding and removing
weekly times and dated periods, refusals in the reader's language, other districts 404."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from models import AuditEntry, AvailabilityException, AvailabilityRule

WEEK = "2026-11-30"


def text(response) -> str:
    return response.get_data(as_text=True)


def cell(page: str, day: str, at: str) -> str:
    """The class of the grid cell whose link is labelled "<day> <at>: ..."."""
    marker = f'aria-label="{day} {at}:'
    before = page[:page.index(marker)]
    return before[before.rindex("<td class=\"") + 11:before.rindex('">')]


def test_the_grid_shows_rules_and_periods_in_both_languages(as_role, world, session):
    p = world.person_a.id
    session.add(AvailabilityRule(person_id=p, weekday=0, start_time=time(9), end_time=time(12)))
    session.add(AvailabilityRule(person_id=p, weekday=0, start_time=time(11), end_time=time(12), kind="undesired"))
    court = datetime(2026, 11, 30, 2, tzinfo=UTC)  # Monday 10:00 local
    session.add(AvailabilityException(person_id=p, kind="unavailable", start_at=court,
                                      end_at=court + timedelta(minutes=30), note="开庭"))
    session.flush()
    client = as_role("coord_a")
    en = text(client.get(f"/people/{p}/availability?week=2026-12-02&lang=en"))
    assert "Availability of 王律师" in en and "Week of November 30, 2026" in en
    assert cell(en, "Monday", "09:00") == "slot s-available"
    assert cell(en, "Monday", "10:00") == "slot s-unavailable"
    assert cell(en, "Monday", "11:30") == "slot s-available undesired"
    assert cell(en, "Monday", "12:00") == "slot s-outside"
    assert "开庭" in en and "entered" in en
    zh = text(client.get(f"/people/{p}/availability?week={WEEK}&lang=zh"))
    assert "王律师 的可服务时间" in zh and "不在可服务时间内" in zh and "手工录入" in zh


def test_a_cell_fills_in_the_forms(as_role, world):
    page = text(as_role("coord_a").get(f"/people/{world.person_a.id}/availability?week={WEEK}&day=3&at=14:30"))
    assert '<option selected value="3">' in page
    assert 'name="rule-start" required type="time" value="14:30"' in page
    assert 'name="period-start" required type="datetime-local" value="2026-12-03T14:30"' in page
    assert 'name="period-end" required type="datetime-local" value="2026-12-03T15:30"' in page


def test_add_and_remove_a_weekly_time_and_a_period(as_role, world, session):
    client = as_role("coord_a")
    p = world.person_a.id
    response = client.post(f"/people/{p}/availability/rules", data={
        "rule-weekday": "2", "rule-start": "14:00", "rule-end": "17:00", "rule-kind": "available",
        "rule-valid_from": "2026-12-01", "rule-week": WEEK})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"?week={WEEK}")
    rule = session.scalars(select(AvailabilityRule).where(AvailabilityRule.person_id == p)).one()
    assert (rule.weekday, rule.start_time, str(rule.valid_from)) == (2, time(14), "2026-12-01")
    client.post(f"/people/{p}/availability/periods", data={
        "period-start": "2026-12-02T15:00", "period-end": "2026-12-02T16:00", "period-kind": "unavailable",
        "period-note": "培训", "period-week": WEEK})
    period = session.scalars(select(AvailabilityException).where(AvailabilityException.person_id == p)).one()
    assert period.start_at == datetime(2026, 12, 2, 7, tzinfo=UTC)
    page = text(client.get(f"/people/{p}/availability?week={WEEK}&lang=en"))
    assert cell(page, "Wednesday", "14:00") == "slot s-available"
    assert cell(page, "Wednesday", "15:00") == "slot s-unavailable"
    client.post(f"/people/{p}/availability/rules/{rule.id}/delete", data={"week": WEEK})
    client.post(f"/people/{p}/availability/periods/{period.id}/delete", data={"week": WEEK})
    assert session.scalars(select(AvailabilityRule).where(AvailabilityRule.person_id == p)).all() == []
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "person")).all()
    assert sorted(actions) == ["availability.period_add", "availability.period_remove", "availability.rule_add",
                               "availability.rule_remove"]


def test_refusals_are_worded_for_the_coordinator(as_role, world, session):
    client = as_role("coord_a")
    p = world.person_a.id
    wrong = client.post(f"/people/{p}/availability/rules?lang=en", data={
        "rule-weekday": "1", "rule-start": "14:00", "rule-end": "13:00", "rule-kind": "available",
        "rule-week": WEEK}, follow_redirects=True)
    assert "The end must be after the start." in text(wrong)
    start = datetime(2026, 12, 1, 1, tzinfo=UTC)
    upload = AvailabilityException(person_id=p, kind="unavailable", start_at=start, end_at=start + timedelta(hours=1),
                                   source="calendar")
    session.add(upload)
    session.flush()
    kept = client.post(f"/people/{p}/availability/periods/{upload.id}/delete?lang=en", data={"week": WEEK},
                       follow_redirects=True)
    assert "comes from the person&#39;s own calendar file" in text(kept)
    assert session.get(AvailabilityException, upload.id) is not None
    missing = client.post(f"/people/{p}/availability/periods?lang=zh", data={"period-kind": "unavailable"},
                          follow_redirects=True)
    assert "起：该字段是必填字段。" in text(missing) and "至：该字段是必填字段。" in text(missing)


def test_another_districts_person_is_404_even_with_a_broken_form(as_role, world, session):
    client = as_role("coord_b")
    p = world.person_a.id
    assert client.get(f"/people/{p}/availability").status_code == 404
    assert client.post(f"/people/{p}/availability/rules", data={}).status_code == 404
    assert client.post(f"/people/{p}/availability/periods", data={}).status_code == 404
    rule = AvailabilityRule(person_id=p, weekday=0, start_time=time(9), end_time=time(12))
    session.add(rule)
    session.flush()
    assert client.post(f"/people/{p}/availability/rules/{rule.id}/delete").status_code == 404
    # Coordinator A cannot reach B's rule through A's person either.
    theirs = AvailabilityRule(person_id=world.person_b.id, weekday=0, start_time=time(9), end_time=time(12))
    session.add(theirs)
    session.flush()
    assert as_role("coord_a").post(f"/people/{p}/availability/rules/{theirs.id}/delete").status_code == 404
    assert session.get(AvailabilityRule, theirs.id) is not None


def test_the_person_page_links_to_the_availability_week(as_role, world):
    page = text(as_role("coord_a").get(f"/people/{world.person_a.id}"))
    assert f'href="/people/{world.person_a.id}/availability"' in page
