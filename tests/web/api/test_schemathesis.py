"""Schemathesis against the live app, over its own OpenAPI document, with each role's token
(and none): whatever the generated input, no answer is a 5xx, and every answer conforms to
the document (status code, media type, headers, body schema). Traffic goes to 127.0.0.1 only
and the run stops by itself (a fixed number of examples per operation, derandomised)."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select
from werkzeug.serving import make_server

from models import Person, Site, User
from models.db import make_engine, make_session_factory
from scheduler.api import tokens
from scheduler.core.database import upgrade
from scheduler.core.weeks import monday_of, to_local
from scheduler.demo.load import load_world
from scheduler.demo.world import build_world
from web import create_app
from web.solve_runner import solve_runner

pytestmark = pytest.mark.slow
# The week of the demo data; the app's clock is the system's, as a user's would be.
NOW = datetime(2026, 11, 26, 2, tzinfo=UTC)
EXAMPLES = 6
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@dataclass
class LiveApi:
    url: str
    headers: dict[str, dict[str, str]]


def _accounts(session) -> dict[str, User]:
    person = session.scalars(select(Person).order_by(Person.id)).first()
    village = session.scalars(select(Site).where(Site.kind == "village").order_by(Site.id)).first()
    made = {
        "coordinator": session.scalars(select(User).where(User.role == "coordinator").order_by(User.id)).first(),
        "city": User(username="api-city", password_hash="x", role="coordinator", city_wide=True),
        "provider": User(username="api-provider", password_hash="x", role="provider", person_id=person.id,
                         district_id=person.district_id),
        "village": User(username="api-village", password_hash="x", role="village", village_id=village.id,
                        district_id=village.district_id),
    }
    session.add_all([u for u in made.values() if u.id is None])
    session.flush()
    return made


@pytest.fixture(scope="module")
def live_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    folder = tmp_path_factory.mktemp("api")
    url = f"sqlite:///{folder}/api.sqlite"
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    world = build_world("tiny", 11, monday_of(to_local(NOW).date()))
    with factory.begin() as session:
        load_world(session, world, coordinator_password="Api-test-2026!", now=NOW)
        headers = {"anonymous": {}}
        for role, user in _accounts(session).items():
            made = tokens.create(session, None, user, name="schemathesis", scopes=["read", "write"], now=NOW,
                                 days=tokens.MAX_DAYS)
            headers[role] = {"Authorization": f"Bearer {made.secret}"}
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SCHEDULER_INSTANCE_PATH", str(folder / "instance"))
        env.setenv("API_LIMIT_PER_TOKEN", "100000 per minute")
        env.setenv("API_LIMIT_PER_ADDRESS", "100000 per minute")
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "api-tests", "SOLVE_RUNNER": "queue"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-api", daemon=True)
    thread.start()
    try:
        yield LiveApi(f"http://127.0.0.1:{server.server_port}", headers)
    finally:
        server.shutdown()
        thread.join(10)
        solve_runner(app).shutdown()
        engine.dispose()


@pytest.mark.parametrize("role", ["anonymous", "provider", "village", "coordinator", "city"])
def test_every_operation_conforms_and_never_fails(live_api: LiveApi, role: str):
    schema = schemathesis.openapi.from_url(f"{live_api.url}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    headers = live_api.headers[role]

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)

        check()
