"""Shared fixtures: a real database per backend (SQLite file and PostgreSQL), migrated once
per session with Alembic, and a session per test that rolls back everything it did."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from models.db import make_engine
from scheduler.core.database import upgrade

# Both backends by default: PostgreSQL is production, SQLite the embedded default.
BACKENDS = [b.strip() for b in os.environ.get("TEST_DATABASES", "sqlite,postgresql").split(",") if b.strip()]
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


class ScratchDatabases:
    """Creates empty databases on a backend and removes them at the end of the run."""

    def __init__(self, backend: str, tmp_dir: str) -> None:
        self.backend = backend
        self.tmp_dir = tmp_dir
        self.created: list[str] = []
        self._admin: Engine | None = None

    def new_url(self) -> str:
        name = f"sched_test_{uuid.uuid4().hex[:12]}"
        if self.backend == "sqlite":
            return f"sqlite:///{self.tmp_dir}/{name}.sqlite"
        if self._admin is None:
            self._admin = make_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with self._admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as exc:  # turn any connection failure into one clear message
            pytest.fail(
                f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL} ({exc.__class__.__name__}: {exc}). "
                "Start it (.ci/run does), point TEST_POSTGRES_URL at one, or set TEST_DATABASES=sqlite.",
                pytrace=False,
            )
        self.created.append(name)
        return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    def drop_all(self) -> None:
        if self._admin is None:
            return
        with self._admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def scratch_databases(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScratchDatabases]:
    scratch = ScratchDatabases(request.param, str(tmp_path_factory.mktemp(request.param)))
    yield scratch
    scratch.drop_all()


@pytest.fixture(scope="session")
def backend(scratch_databases: ScratchDatabases) -> str:
    return scratch_databases.backend


@pytest.fixture(scope="session")
def engine(scratch_databases: ScratchDatabases) -> Iterator[Engine]:
    """One migrated database per backend for the whole run."""
    eng = make_engine(scratch_databases.new_url())
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work, commits included, is rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db
    finally:
        db.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def empty_database_url(scratch_databases: ScratchDatabases) -> str:
    """A fresh, unmigrated database for tests of migrations and loaders."""
    return scratch_databases.new_url()


@pytest.fixture
def make(session: Session):
    from tests.factories import Factory

    return Factory(session)


@pytest.fixture
def committed_factory(empty_database_url: str):
    """A sessionmaker on a fresh migrated database whose commits are real: for code that
    opens its own transactions (jobs, command line, loaders)."""
    from models.db import make_session_factory

    eng = make_engine(empty_database_url)
    upgrade(eng)
    yield make_session_factory(eng)
    eng.dispose()
