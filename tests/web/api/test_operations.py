"""The API's operations do what the pages do: a provider's week and availability, a
village's requests and ratings, a coordinator's week, solve and publish."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from models import AvailabilityRule, Decline, OpenPlace, SolveJob, VisitRequest
from scheduler.core.weeks import to_local
from scheduler.week.drafts import get_or_create_draft
from tests.web import swaps_access
from tests.web.conftest import NOW

WEEK = date(2026, 11, 30)


def test_a_provider_reads_their_published_places(client, bearer, world):
    slot = swaps_access.published_place(world)
    got = client.get("/api/v1/me/assignments", headers=bearer("provider"))
    assert got.status_code == 200
    assert [(i["slot_id"], i["site"]["name"], i["declined"]) for i in got.json["items"]] == \
        [(slot.id, world.window_a.name, False)]


def test_a_provider_replaces_their_availability_all_or_nothing(client, bearer, session, world):
    headers = bearer("provider")
    body = {"rules": [{"weekday": 0, "start": "09:00", "end": "12:00", "kind": "available"},
                      {"weekday": 2, "start": "14:00", "end": "17:00", "kind": "undesired"}],
            "periods": [{"starts_at": "2026-12-09T09:00:00+08:00", "ends_at": "2026-12-09T12:00:00+08:00",
                         "kind": "unavailable", "note": "开庭"}]}
    got = client.put("/api/v1/me/availability", json=body, headers=headers)
    assert got.status_code == 200, got.json
    assert [(r["weekday"], r["kind"]) for r in got.json["rules"]] == [(0, "available"), (2, "undesired")]
    assert got.json["periods"][0]["starts_at"].startswith("2026-12-09T01:00:00")
    wrong = {"rules": [{"weekday": 1, "start": "09:00", "end": "10:00", "kind": "available"},
                       {"weekday": 1, "start": "12:00", "end": "11:00", "kind": "available"}], "periods": []}
    refused = client.put("/api/v1/me/availability", json=wrong, headers=headers)
    assert refused.status_code == 422 and refused.json["code"] == "time_order"
    assert refused.json["errors"][0]["field"] == "rules[1]"
    kept = client.get("/api/v1/me/availability", headers=headers).json
    assert [(r["weekday"], r["kind"]) for r in kept["rules"]] == [(0, "available"), (2, "undesired")]
    assert session.scalar(select(func.count()).select_from(AvailabilityRule)
                          .where(AvailabilityRule.person_id == world.person_a.id)) == 2


def test_a_period_without_a_utc_offset_is_refused(client, bearer):
    body = {"rules": [], "periods": [{"starts_at": "2026-12-09T09:00:00", "ends_at": "2026-12-09T12:00:00",
                                      "kind": "unavailable"}]}
    got = client.put("/api/v1/me/availability", json=body, headers=bearer("provider"))
    assert got.status_code == 422 and got.json["errors"][0]["field"].startswith("periods.0.starts_at")


def test_a_provider_declines_a_place_once(client, bearer, session, world):
    slot = swaps_access.published_place(world)
    headers = bearer("provider")
    got = client.post(f"/api/v1/me/assignments/{slot.id}/decline", json={"reason": "开庭冲突"}, headers=headers)
    assert got.status_code == 201
    assert session.scalar(select(Decline).where(Decline.slot_id == slot.id)).reason == "开庭冲突"
    again = client.post(f"/api/v1/me/assignments/{slot.id}/decline", json={"reason": "开庭冲突"}, headers=headers)
    assert (again.status_code, again.json["code"]) == (409, "already_declined")


def test_a_village_asks_for_a_visit_and_follows_it(client, bearer, session, world):
    day = to_local(NOW + timedelta(days=4)).date().isoformat()
    body = {"topic": "土地承包纠纷", "kind": "mediation", "people_count": 3, "urgency": "urgent",
            "windows": [{"day": day, "start": "09:00", "end": "11:00"}]}
    headers = bearer("village")
    made = client.post("/api/v1/village/requests", json=body, headers=headers)
    assert made.status_code == 201 and made.json["status"] == "received"
    row = session.get(VisitRequest, made.json["id"])
    assert (row.village_id, row.channel, row.people_count) == (world.village_a.id, "web", 3)
    listed = client.get("/api/v1/village/requests", headers=headers).json["items"]
    assert [r["id"] for r in listed] == [row.id]
    one = client.get(f"/api/v1/village/requests/{row.id}", headers=headers).json
    assert one["windows"][0]["starts_at"].startswith(f"{day}T01:00:00")


def test_a_village_sees_no_other_villages_request(client, bearer, session, world):
    other = VisitRequest(village_id=world.village_b.id, district_id=world.district_b.id, topic="x",
                         kind="consultation", owner_id=world.users["coord_b"].id)
    session.add(other)
    session.flush()
    got = client.get(f"/api/v1/village/requests/{other.id}", headers=bearer("village"))
    assert (got.status_code, got.json["code"]) == (404, "not_found")


def test_a_coordinator_reads_the_weeks_open_places_with_reasons(client, bearer, session, make, world):
    visit = make.slot(world.village_a, start=datetime(2026, 12, 1, 1, tzinfo=UTC), lines=(("lawyer",), ("mediator",)))
    draft = get_or_create_draft(session, world.district_a.id, WEEK, None)
    draft.open_places = [OpenPlace(slot_id=visit.id, line_index=1, missing=1, reasons=[
        {"code": "no_role", "zh": "本区没有人民调解员", "en": "no mediator in the district"}])]
    session.flush()
    url = f"/api/v1/districts/{world.district_a.id}/weeks/2026-12-02"  # any day: its Monday
    got = client.get(url, headers={**bearer("coord_a"), "Accept-Language": "en"})
    assert got.status_code == 200
    assert got.json["week_start"] == "2026-11-30" and got.json["places"] == 2 and got.json["open"] == 2
    mediator = next(p for p in got.json["open_places"] if p["line"] == 1)
    assert mediator["reasons"] == [{"code": "no_role", "text": "no mediator in the district"}]
    assert got.json["draft"]["lock_version"] == draft.lock_version


def test_publishing_a_stale_draft_is_409_and_publishes_nothing(client, bearer, session, world):
    draft = get_or_create_draft(session, world.district_a.id, WEEK, None)
    session.flush()
    url = f"/api/v1/districts/{world.district_a.id}/weeks/2026-11-30/publish"
    stale = client.post(url, json={"lock_version": draft.lock_version + 5}, headers=bearer("coord_a"))
    assert (stale.status_code, stale.json["code"]) == (409, "stale_draft")
    done = client.post(url, json={"lock_version": draft.lock_version}, headers=bearer("coord_a"))
    assert done.status_code == 201 and done.json["version"] == 1


def test_a_coordinator_starts_polls_and_cancels_a_solve(client, bearer, session, world):
    headers = bearer("coord_a")
    started = client.post(f"/api/v1/districts/{world.district_a.id}/weeks/2026-11-30/solve", headers=headers)
    assert started.status_code == 202 and started.json["state"] == "queued"
    job_id = started.json["id"]
    assert client.get(f"/api/v1/jobs/{job_id}", headers=headers).json["state"] == "queued"
    cancelled = client.post(f"/api/v1/jobs/{job_id}/cancel", headers=headers)
    assert cancelled.status_code == 200 and cancelled.json["cancel_requested"] is True
    assert session.get(SolveJob, job_id).cancel_requested
    assert client.get(f"/api/v1/jobs/{job_id}", headers=bearer("coord_b")).status_code == 404


def test_a_swap_asked_and_accepted_over_the_api(client, bearer, session, make, world):
    from tests.web.api.conftest import token_header

    slot = swaps_access.published_place(world)
    colleague = make.person(world.district_a, name="同事律师")
    account = make.user("provider", person_id=colleague.id, district_id=world.district_a.id)
    asked = client.post("/api/v1/me/swaps", json={"slot_id": slot.id, "to_person_id": colleague.id, "note": "出差"},
                        headers=bearer("provider"))
    assert asked.status_code == 201 and asked.json["status"] == "requested" and asked.json["mine"] is True
    theirs = token_header(session, account)
    listed = client.get("/api/v1/me/swaps", headers=theirs).json["items"]
    assert [(s["id"], s["mine"], s["from_person"]) for s in listed] == [(asked.json["id"], False, world.person_a.name)]
    taken = client.post(f"/api/v1/me/swaps/{asked.json['id']}/accept", headers=theirs)
    assert taken.status_code == 200 and taken.json["status"] in ("applied", "accepted")
    again = client.post(f"/api/v1/me/swaps/{asked.json['id']}/accept", headers=theirs)
    assert (again.status_code, again.json["code"]) == (409, "not_open")
