"""The JSON API's rows of the route x role table (`tests/web/test_route_access.py`): each
operation called with a token of each role's account (anonymous: no token), with a valid body
where it takes one, and the status each role gets. Objects belong to district A."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import object_session

from scheduler.core.weeks import to_local
from tests.web import swaps_access as answers
from tests.web.conftest import NOW
from tests.web.route_table import (
    Route,
    district_a_only,
    every,
    job_a,
    no_args,
    request_a,
    visit_served_a,
    week_a,
)


@dataclass(frozen=True)
class ApiRoute(Route):
    body: Callable[[object], dict] | None = None


def token_only(**ok: int) -> dict[str, object]:
    """No token: 401; a token of another kind of account: 403."""
    return every(403, anonymous=401, **ok)


def district_a(ok: int, foreign: int = 403) -> dict[str, object]:
    return district_a_only(ok=ok, foreign=foreign) | {"anonymous": 401}


def availability(_world) -> dict:
    return {"rules": [{"weekday": 0, "start": "09:00", "end": "12:00", "kind": "available"}], "periods": []}


def place_of_a(world) -> dict:
    return {"slot_id": answers.published_place(world).id}


def swap_body(world) -> dict:
    from tests.factories import Factory

    make = Factory(object_session(world.person_a))
    colleague = make.person(world.district_a, name="同事律师")
    make.user("provider", person_id=colleague.id, district_id=world.district_a.id)
    return {"slot_id": answers.published_place(world).id, "to_person_id": colleague.id}


def request_body(_world) -> dict:
    day = to_local(NOW + timedelta(days=4)).date().isoformat()
    return {"topic": "土地承包纠纷", "kind": "consultation", "people_count": 3,
            "windows": [{"day": day, "start": "09:00", "end": "11:00"}]}


def draft_version_a(world) -> dict:
    """The draft of district A's week, with its lock version as a body."""
    from scheduler.core.weeks import parse_week
    from scheduler.week.drafts import get_or_create_draft

    draft = get_or_create_draft(object_session(world.person_a), world.district_a.id,
                                parse_week(week_a(world)["week"]), None)
    object_session(world.person_a).flush()
    return {"lock_version": draft.lock_version}


def token_of_provider(world) -> dict:
    from scheduler.api import tokens

    made = tokens.create(object_session(world.person_a), None, world.users["provider"], name="app", scopes=["read"],
                         now=NOW)
    return {"token_id": made.token.id}


API_ROUTES: dict[str, Route] = {
    "api.openapi": Route("GET", no_args, every(200)),
    "api.docs_page": Route("GET", no_args, every(200)),
    "api.docs_asset": Route("GET", lambda w: {"name": "swagger-ui.css"}, every(200)),
    "api.services": ApiRoute("GET", no_args, every(200)),
    "api.sites": ApiRoute("GET", no_args, every(200)),
    "api.site": ApiRoute("GET", lambda w: {"site_id": w.window_a.id}, every(200)),
    "api.villages": ApiRoute("GET", lambda w: {"district_id": w.district_a.id}, every(200)),
    "api.village_page": ApiRoute("GET", lambda w: {"ref": w.village_a.external_id}, every(200)),
    "api.referral_list": ApiRoute("GET", no_args, every(200)),
    "api.me": ApiRoute("GET", no_args, every(200, anonymous=401)),
    "api.my_assignments": ApiRoute("GET", no_args, token_only(provider=200)),
    "api.my_availability": ApiRoute("GET", no_args, token_only(provider=200)),
    "api.replace_availability": ApiRoute("PUT", no_args, token_only(provider=200), body=availability),
    "api.decline": ApiRoute("POST", place_of_a, token_only(provider=201), body=lambda w: {"reason": "开庭冲突"}),
    "api.my_swaps": ApiRoute("GET", no_args, token_only(provider=200)),
    "api.ask_swap": ApiRoute("POST", no_args, token_only(provider=201), body=swap_body),
    "api.accept_swap": ApiRoute("POST", answers.asked_of_a, token_only(provider=200)),
    "api.refuse_swap": ApiRoute("POST", answers.asked_of_a, token_only(provider=200), body=lambda w: {}),
    "api.withdraw_swap": ApiRoute("POST", answers.asked_by_a, token_only(provider=200)),
    "api.create_request": ApiRoute("POST", no_args, token_only(village=201), body=request_body),
    "api.my_requests": ApiRoute("GET", no_args, token_only(village=200)),
    "api.one_request": ApiRoute("GET", request_a, token_only(village=200)),
    "api.my_visits": ApiRoute("GET", no_args, token_only(village=200)),
    "api.rate_visit": ApiRoute("POST", visit_served_a, token_only(village=201), body=lambda w: {"score": 5}),
    "api.week_summary": ApiRoute("GET", week_a, district_a(200)),
    "api.start_solve": ApiRoute("POST", week_a, district_a(202)),
    "api.job_status": ApiRoute("GET", job_a, district_a(200, foreign=404)),
    "api.cancel_job": ApiRoute("POST", job_a, district_a(200, foreign=404)),
    "api.publish": ApiRoute("POST", week_a, district_a(201), body=draft_version_a),
    "api_tokens.index": Route("GET", no_args, every(200, anonymous="login")),
    "api_tokens.revoke": Route("POST", token_of_provider, every(404, anonymous="login", provider=302)),
}
