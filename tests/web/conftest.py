"""The web app on each test backend, with a client, a small two-district world and login helpers.

The app is built on the `engine` fixture's database URL; its request sessions are then bound
to the test's own connection (savepoint mode), so every request sees the test's rows and
everything, commits included, is rolled back after the test.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from models import District, Organisation, Pairing, Person, Site, User
from scheduler.auth.accounts import hash_password
from scheduler.auth.second_factor import STEP_SECONDS, code_at, step_of
from scheduler.core.clock import Clock, FixedClock
from tests.factories import TOTP_SECRET
from web import create_app
from web.auth.session import SEEN_AT, SIGNED_IN_AT, session_id
from web.dates import app_clock
from web.db import database

PASSWORD = "correct horse battery"
# The moment web tests run at: each app's clock stands still there unless a test moves it
# (`app_clock(app)`). Thursday 26 November 2026, 10:00 in Ningbo: the week of
# tests.factories.MONDAY is next week.
NOW = datetime(2026, 11, 26, 2, tzinfo=UTC)


@pytest.fixture(scope="session")
def password_hash() -> str:
    # scrypt is slow on purpose: hash once per run, not once per user.
    return hash_password(PASSWORD)


def build_app(engine, session: Session, tmp_path, *, clock: Clock | None = None, **config) -> Flask:
    settings = {
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "SECRET_KEY": "test-secret",
        **config,
    }
    app = create_app(settings, clock=clock or FixedClock(NOW))
    database(app).factory = sessionmaker(
        bind=session.get_bind(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    return app


@pytest.fixture
def app(engine, session, tmp_path, monkeypatch) -> Flask:
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    return build_app(engine, session, tmp_path)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass
class World:
    district_a: District
    district_b: District
    person_a: Person
    person_b: Person
    village_a: Site
    village_b: Site
    window_a: Site
    pairing_a: Pairing
    users: dict[str, User]


@pytest.fixture
def world(make, session: Session, password_hash: str) -> World:
    """Two districts, each with a person and a village; district A's village has an adviser;
    one account per role (coordinators of A, of B and of the city, a provider in A, a village
    representative of A's village)."""
    a = make.district(name="甲区")
    b = make.district(name="乙区")
    firm = Organisation(external_id=f"ORG-{a.code}", district_id=a.id, kind="law_firm", name="甲律师事务所")
    session.add(firm)
    session.flush()
    person_a = make.person(a, name="王律师", phone="13812345678", organisation_id=firm.id, skills=("family",))
    person_b = make.person(b, name="李律师", phone="13987654321")
    village_a = make.site(a, name="甲村")
    village_b = make.site(b, name="乙村")
    window_a = make.site(a, kind="window", name="甲镇司法所窗口")
    pairing = Pairing(site_id=village_a.id, person_id=person_a.id, valid_from=date(2020, 1, 1))
    session.add(pairing)
    session.flush()
    users = {
        "coord_a": make.user("coordinator", district_id=a.id, password_hash=password_hash),
        "coord_b": make.user("coordinator", district_id=b.id, password_hash=password_hash),
        "city": make.user("coordinator", city_wide=True, password_hash=password_hash),
        "provider": make.user("provider", person_id=person_a.id, district_id=a.id, password_hash=password_hash),
        "village": make.user("village", village_id=village_a.id, district_id=a.id, password_hash=password_hash),
    }
    return World(a, b, person_a, person_b, village_a, village_b, window_a, pairing, users)


def login_as(client: FlaskClient, user: User) -> None:
    """Sign in without the password form (fast: no scrypt), as of the app's clock."""
    stamp = int(app_clock(client.application).now().timestamp())
    with client.session_transaction() as sess:
        sess["_user_id"] = session_id(user)
        sess["_fresh"] = True
        sess[SIGNED_IN_AT] = sess[SEEN_AT] = stamp


def current_code(app: Flask, secret: str = TOTP_SECRET) -> str:
    """A TOTP code of `secret` the app will take now: a code works once, so when this step's
    was used already by the same app, its clock moves to the next step (a FixedClock only)."""
    clock = app_clock(app)
    used = app.extensions.setdefault("tests.totp_steps", {})
    step = step_of(clock.now())
    if used.get(secret, -1) >= step:
        clock.advance(seconds=STEP_SECONDS * (used[secret] - step + 1))
        step = step_of(clock.now())
    used[secret] = step
    return code_at(secret, clock.now())


def login_form(client: FlaskClient, username: str, password: str = PASSWORD, *, query: str = "",
               follow_redirects: bool = False, totp_secret: str | None = TOTP_SECRET, **fields: str):
    """Sign in through the real form; `fields` adds form fields (next), `query` URL arguments.
    When the password step asks for the second factor, the current code of `totp_secret` (the
    factory's, by default) is submitted too, and that answer returned."""
    response = client.post(f"/login{query}", data={"username": username, "password": password, **fields})
    asks_code = response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login/code"
    if asks_code and totp_secret:
        response = client.post(f"/login/code{query}", data={"code": current_code(client.application, totp_secret)})
    if follow_redirects and response.status_code == 302:
        response = client.get(response.headers["Location"], follow_redirects=True)
    return response


@pytest.fixture
def as_role(client: FlaskClient, world: World):
    """`as_role("coord_a")` signs the client in as that world user; "anonymous" signs in no one."""

    def sign_in(role: str) -> FlaskClient:
        if role != "anonymous":
            login_as(client, world.users[role])
        return client

    return sign_in
