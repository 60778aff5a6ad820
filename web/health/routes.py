"""The probes. A failing check names the check and the kind of error, never a URL or a
password: the answer is public."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from alembic.runtime.migration import MigrationContext
from flask import current_app, jsonify
from sqlalchemy import text

from scheduler.core.database import head_revision
from web.db import db
from web.health import bp


@lru_cache(maxsize=1)
def _head() -> str | None:
    return head_revision()


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks = {"database": _database(), "broker": _broker()}
    ready = all(check["ok"] for check in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503


def _database() -> dict[str, Any]:
    try:
        session = db()
        session.execute(text("SELECT 1"))
        revision = MigrationContext.configure(session.connection()).get_current_revision()
    except Exception as exc:  # any failure means not ready
        return {"ok": False, "error": exc.__class__.__name__}
    finally:
        # A probe holds no transaction open (and no SQLite read lock) after it answers.
        db().rollback()
    head = _head()
    if revision != head:
        # Old code on a new schema or the reverse: take no traffic until the upgrade is done.
        return {"ok": False, "error": "schema not at the newest migration", "revision": revision, "head": head}
    return {"ok": True, "revision": revision}


def _broker() -> dict[str, Any]:
    url = current_app.config.get("CELERY_BROKER_URL")
    if not url:
        return {"ok": True, "configured": False}
    from kombu import Connection

    timeout = float(current_app.config["READINESS_TIMEOUT_S"])
    try:
        with Connection(url, connect_timeout=timeout,
                        transport_options={"socket_timeout": timeout, "socket_connect_timeout": timeout}) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
            channel = conn.default_channel
            if hasattr(channel, "client") and hasattr(channel.client, "ping"):
                channel.client.ping()
    except Exception as exc:  # any failure means not ready
        return {"ok": False, "configured": True, "error": exc.__class__.__name__}
    return {"ok": True, "configured": True}
