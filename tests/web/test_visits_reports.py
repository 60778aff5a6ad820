"""After a visit over HTTP: the provider's outcome form and the village's rating form answer
every problem at once and keep what was typed; the coordinators' reports page and its xlsx
and CSV downloads; every refusal code of the services has its sentence."""
from __future__ import annotations

import html
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models import Assignment, VisitOutcome, VisitRating
from scheduler.core.weeks import monday_of, to_local
from scheduler.week import drafts
from tests.web.conftest import NOW, login_as
from web.requests.messages import MESSAGES


@pytest.fixture
def past_visit(session, make, world):
    start = (NOW - timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    week = monday_of(to_local(start).date())
    slot = make.slot(world.village_a, start=start, hours=2, week_start=week)
    draft = drafts.get_or_create_draft(session, world.district_a.id, week, None)
    draft.assignments.append(Assignment(slot_id=slot.id, person_id=world.person_a.id, line_index=0))
    session.flush()
    drafts.publish(session, world.district_a.id, week, None, now=NOW)
    return slot


def problems(page: str) -> list[str]:
    box = re.search(r'<section class="problems".*?</section>', page, re.S)
    return [html.unescape(t) for t in re.findall(r"<li>(.*?)</li>", box.group(0))] if box else []


def test_the_provider_records_an_outcome(client, world, session, past_visit):
    login_as(client, world.users["provider"])
    page = client.get("/my/visits?lang=en").get_data(as_text=True)
    assert "甲村" in page and "Not recorded yet" in page and 'value="2"' in page  # planned hours offered
    prefix = f"s{past_visit.id}-"
    refused = client.post(f"/my/visits/{past_visit.id}/outcome?lang=en", data={
        prefix + "consultations": "-2", prefix + "hours": "30", prefix + "notes": "张三 13812345678"})
    text = refused.get_data(as_text=True)
    assert problems(text) == ["Consultations must be a whole number from 0 to 1000.",
                              "The hours must be a number from 0 to 24.",
                              "Remove the ID card or phone number from the notes: requests keep no villager's "
                              "personal data."]
    assert 'value="-2"' in text
    done = client.post(f"/my/visits/{past_visit.id}/outcome", data={
        prefix + "consultations": "4", prefix + "disputes_mediated": "1", prefix + "hours": "2.5"})
    assert done.status_code == 302
    row = session.scalar(select(VisitOutcome))
    assert (row.consultations, row.disputes_mediated, row.hours) == (4, 1, 2.5)
    assert "Recorded" in client.get("/my/visits?lang=en").get_data(as_text=True)


def test_the_village_rates_a_visit(client, world, session, past_visit):
    login_as(client, world.users["village"])
    page = client.get("/my-village/visits?lang=en").get_data(as_text=True)
    assert "王律师 (Lawyer)" in page and "Send the rating" in page
    prefix = f"s{past_visit.id}-"
    refused = client.post(f"/my-village/visits/{past_visit.id}/rating?lang=en",
                          data={prefix + "comment": "x" * 1001}).get_data(as_text=True)
    assert problems(refused) == ["Choose a score from 1 to 5.",
                                 "The comment is too long (at most 1000 characters)."]
    assert client.post(f"/my-village/visits/{past_visit.id}/rating",
                       data={prefix + "score": "5", prefix + "comment": "很耐心"}).status_code == 302
    rating = session.scalar(select(VisitRating))
    assert (rating.score, rating.comment) == (5, "很耐心")
    assert "Your score: 5 of 5" in client.get("/my-village/visits?lang=en").get_data(as_text=True)


def test_the_reports_page_and_its_downloads(client, world, session, past_visit):
    session.add(VisitOutcome(slot_id=past_visit.id, person_id=world.person_a.id, consultations=7, hours=1.5))
    session.flush()
    login_as(client, world.users["coord_a"])
    page = client.get("/reports/?lang=en").get_data(as_text=True)
    assert re.search(r'id="total-places">1<', page) and re.search(r'id="total-hours">1.5<', page)
    assert "王律师" in page and "甲村" in page and "李律师" not in page
    month = to_local(past_visit.start_at).strftime("%Y-%m")
    book = client.get(f"/reports/export.xlsx?from={month}&to={month}")
    assert book.mimetype.endswith("spreadsheetml.sheet")
    people = list(load_workbook(io.BytesIO(book.data))["按人员 People"].values)
    assert any(row[:5] == (world.person_a.external_id, "王律师", "律师", 1, 1.5) for row in people)
    csv = client.get(f"/reports/export.csv?table=villages&from={month}&to={month}")
    assert csv.mimetype == "text/csv" and "甲村" in csv.data.decode("utf-8-sig")
    assert client.get("/reports/export.csv?table=nonsense").status_code == 400


def test_bad_months_are_told_in_the_readers_language(client, world):
    login_as(client, world.users["coord_a"])
    page = client.get("/reports/?lang=en&from=2026-13&to=2026-01").get_data(as_text=True)
    assert "“2026-13” is not a month (YYYY-MM)." in page
    page = client.get("/reports/?lang=en&from=2026-06&to=2026-01").get_data(as_text=True)
    assert "The last month comes before the first." in page
    assert client.get("/reports/export.xlsx?from=x").status_code == 400


# The code is FieldProblem's second argument, the refusals' first.
CODE = re.compile(r'(?:FieldProblem\(\s*(?:f?"[^"]*"|[\w.]+),|RequestActionRefused\(|ReportRangeError\()\s*"([a-z_]+)"')


def test_every_refusal_code_has_its_sentence():
    root = Path(__file__).resolve().parents[2] / "scheduler"
    used = set()
    for name in ("requests/intake.py", "requests/desk.py", "visits/operations.py", "reports/service.py"):
        used |= set(CODE.findall((root / name).read_text(encoding="utf-8")))
    assert used and not used - set(MESSAGES), sorted(used - set(MESSAGES))
