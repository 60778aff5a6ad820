"""API operations of a village representative: visit requests (create, list, one) and the
ratings of visits the village received."""
from __future__ import annotations

from scheduler.requests import desk
from scheduler.requests.intake import RequestInput, RequestRefused, WindowInput, submit_request
from scheduler.requests.plan import planned_visits
from scheduler.visits import operations as visits
from web.api import bp
from web.api.auth import api_user
from web.api.messages import problems
from web.api.schemas import (
    RatingIn,
    RatingOut,
    RequestIn,
    RequestOut,
    RequestsOut,
    VillageVisitOut,
    VillageVisitsOut,
    VisitRef,
    WindowOut,
)
from web.api.spec import operation
from web.dates import now
from web.db import db

TAG = "village"


def _request(row, staffed) -> RequestOut:
    visit = None if staffed is None else VisitRef(slot_id=staffed.slot.id, starts_at=staffed.slot.start_at,
                                                  ends_at=staffed.slot.end_at)
    return RequestOut(id=row.id, status=row.status, topic=row.topic, kind=row.kind, urgency=row.urgency,
                      people_count=row.people_count, created_at=row.created_at,
                      windows=[WindowOut(starts_at=w.start_at, ends_at=w.end_at)
                               for w in sorted(row.windows, key=lambda w: w.rank)],
                      visit=visit, cancel_reason=row.cancel_reason)


@bp.post("/village/requests")
@operation(roles=("village",), scope="write", tag=TAG, ok=RequestOut, status=201, json=RequestIn)
def create_request(json: RequestIn):
    """Ask for a visit to my village. Every problem of the request comes back at once."""
    data = RequestInput(topic=json.topic, kind=json.kind, people_count=json.people_count, urgency=json.urgency,
                        details=json.details,
                        windows=tuple(WindowInput(w.day, w.start, w.end) for w in json.windows))
    session = db()
    try:
        row = submit_request(session, api_user(), data, now())
    except RequestRefused as refused:
        session.rollback()
        raise problems(refused.problems) from refused
    session.commit()
    return _request(row, None), 201


@bp.get("/village/requests")
@operation(roles=("village",), scope="read", tag=TAG, ok=RequestsOut)
def my_requests():
    """My village's requests, newest first, with the visit planned for each."""
    return RequestsOut(items=[_request(r.request, r.visit) for r in desk.village_requests(db(), api_user())])


@bp.get("/village/requests/<int:request_id>")
@operation(roles=("village",), scope="read", tag=TAG, ok=RequestOut)
def one_request(request_id: int):
    """One of my village's requests and its status."""
    row = desk.load_request(db(), api_user(), request_id)
    return _request(row, planned_visits(db(), [row.id]).get(row.id))


@bp.get("/village/visits")
@operation(roles=("village",), scope="read", tag=TAG, ok=VillageVisitsOut)
def my_visits():
    """Visits my village received (the last months), with my rating of each."""
    return VillageVisitsOut(items=[
        VillageVisitOut(slot_id=v.slot.id, starts_at=v.slot.start_at, ends_at=v.slot.end_at,
                        people=[p.name for p in v.people], rating=v.rating.score if v.rating else None)
        for v in visits.village_visits(db(), api_user(), now())])


@bp.post("/village/visits/<int:slot_id>/rating")
@operation(roles=("village",), scope="write", tag=TAG, ok=RatingOut, status=201, json=RatingIn)
def rate_visit(slot_id: int, json: RatingIn):
    """Rate a visit my village received (1 to 5), once."""
    session = db()
    try:
        row = visits.rate_visit(session, api_user(), slot_id, json.score, json.comment, now())
    except visits.VisitRefused as refused:
        session.rollback()
        raise problems(refused.problems) from refused
    session.commit()
    return RatingOut(slot_id=row.slot_id, score=row.score, comment=row.comment), 201
