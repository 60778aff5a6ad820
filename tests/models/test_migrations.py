"""The Alembic migrations and the models describe one schema, on both backends."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from models.base import Base
from models.db import make_engine
from scheduler.core.database import alembic_config, current_revision, head_revision, upgrade


def schema_differences(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_models_and_migrations_agree(engine):
    assert schema_differences(engine) == []


def test_a_model_change_without_migration_is_detected(engine):
    from sqlalchemy import Column, Integer, Table

    extra = Table("not_migrated_yet", Base.metadata, Column("id", Integer, primary_key=True))
    try:
        diffs = schema_differences(engine)
    finally:
        Base.metadata.remove(extra)
    assert [d[0] for d in diffs] == ["add_table"]


def test_upgrade_downgrade_upgrade_round_trip(empty_database_url):
    from alembic import command

    engine = make_engine(empty_database_url)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert "audit_log" in inspect(engine).get_table_names()
    cfg = alembic_config(empty_database_url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert schema_differences(engine) == []
    engine.dispose()
