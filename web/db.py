"""One plain SQLAlchemy session per request, opened on first use and closed at teardown.

Routes get it with `db()`, call `scheduler` functions with it and commit what they changed;
anything not committed is rolled back when the session closes.
"""
from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.db import make_engine, make_session_factory
from scheduler.core.versions import remember_versions
from web.config import app_settings

EXTENSION = "scheduler_db"


class Database:
    def __init__(self, url: str, pool_size: int | None = None) -> None:
        self.url = url
        # PostgreSQL only (DATABASE_POOL_SIZE); SQLite keeps SQLAlchemy's own pool.
        self.pool_size = pool_size if not url.startswith("sqlite") else None
        self._engine: Engine | None = None
        self._factory: sessionmaker[Session] | None = None

    @property
    def engine(self) -> Engine:
        # Created lazily so that forked server workers each open their own connections.
        if self._engine is None:
            self._engine = make_engine(self.url, **({"pool_size": self.pool_size} if self.pool_size else {}))
        return self._engine

    @property
    def factory(self) -> sessionmaker[Session]:
        if self._factory is None:
            self._factory = make_session_factory(self.engine)
        return self._factory

    @factory.setter
    def factory(self, factory: sessionmaker[Session]) -> None:
        # Tests bind requests to their own connection so everything rolls back afterwards.
        self._factory = factory

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def init_app(app: Flask) -> Database:
    database = Database(app.config["DATABASE_URL"], app_settings(app).database_pool_size)
    app.extensions[EXTENSION] = database
    app.teardown_appcontext(_close_session)
    return database


def database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions[EXTENSION]


def db() -> Session:
    if "db_session" not in g:
        g.db_session = database().factory()
        if has_request_context() and request.method in ("GET", "HEAD"):
            # A page asks for the week's draft and published version many times over.
            remember_versions(g.db_session)
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
