"""Migration 0007 masks the contact details that person edits wrote to the audit log before
entries were masked (issue 13, row 7), and leaves the log append-only."""
from __future__ import annotations

import json

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from models.db import make_engine
from scheduler.core.database import alembic_config

OLD = {"phone": ["13812345678", "13987654321"], "email": ["wang@example.com", None],
       "name": ["王律师", "王大律师"]}
NEW = {"phone": ["138****5678", "139****4321"], "email": ["w***@example.com", None],
       "name": ["王律师", "王大律师"]}


def _to(engine, url, revision):
    cfg = alembic_config(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _add(conn, action, details):
    conn.execute(text("INSERT INTO audit_log (at, action, object_type, object_id, details) "
                      "VALUES (CURRENT_TIMESTAMP, :action, 'person', '7', :details)"),
                 {"action": action, "details": json.dumps(details, ensure_ascii=False)})


def _details(conn):
    rows = conn.execute(text("SELECT action, details FROM audit_log ORDER BY id")).all()
    return [(a, d if isinstance(d, dict) else json.loads(d)) for a, d in rows]


def test_old_person_edits_lose_their_full_numbers_and_the_log_stays_append_only(empty_database_url):
    engine = make_engine(empty_database_url)
    _to(engine, empty_database_url, "0006_job_leases")
    with engine.begin() as conn:
        _add(conn, "person.update", OLD)
        _add(conn, "person.update", NEW)  # written masked already: unchanged
        _add(conn, "import.people", {"phone": ["13812345678"]})  # not a person edit: unchanged
    _to(engine, empty_database_url, "0007_mask_contacts_in_audit")
    with engine.begin() as conn:
        assert _details(conn) == [("person.update", NEW), ("person.update", NEW),
                                  ("import.people", {"phone": ["13812345678"]})]
    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    engine.dispose()
