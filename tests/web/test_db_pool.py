"""The web app's PostgreSQL pool has DATABASE_POOL_SIZE connections (10 by default): at least
the threads that serve requests, so none opens a connection of its own."""
from __future__ import annotations

import pytest

from scheduler.core.config import Settings, SettingsError
from web import create_app
from web.db import database

PG = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # never connected to: engines connect lazily


def app_with(tmp_path, **env):
    settings = Settings.from_env({"SCHEDULER_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "s", **env})
    return create_app({"DATABASE_URL": PG}, settings=settings)


def test_the_pool_keeps_ten_connections_unless_told_otherwise(tmp_path):
    assert database(app_with(tmp_path)).engine.pool.size() == 10
    assert database(app_with(tmp_path, DATABASE_POOL_SIZE="16")).engine.pool.size() == 16


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_a_pool_of_no_connections_is_refused(tmp_path, value):
    with pytest.raises(SettingsError, match="DATABASE_POOL_SIZE"):
        Settings.from_env({"SCHEDULER_INSTANCE_PATH": str(tmp_path), "DATABASE_POOL_SIZE": value})


def test_sqlite_keeps_sqlalchemys_own_pool(tmp_path):
    settings = Settings.from_env({"SCHEDULER_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "s"})
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite"}, settings=settings)
    assert database(app).pool_size is None
