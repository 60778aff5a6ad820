"""Liveness, readiness and the per-request log line."""
from __future__ import annotations

import json
import logging
import os

from sqlalchemy.orm import sessionmaker

from models.db import make_engine
from tests.web.conftest import build_app
from web.db import database

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
NOWHERE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_healthz_answers_without_touching_the_database(app, client):
    database(app).factory = None  # would fail on first use
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_without_a_broker_checks_the_database_and_its_schema(app, client):
    app.config["CELERY_BROKER_URL"] = None
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] and body["checks"]["database"]["revision"]
    assert body["checks"]["broker"] == {"ok": True, "configured": False}


def test_readyz_reports_a_reachable_broker(app, client):
    app.config["CELERY_BROKER_URL"] = REDIS_URL
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["checks"]["broker"] == {"ok": True, "configured": True}


def test_readyz_is_503_when_the_broker_is_down_and_names_no_url(app, client):
    app.config["CELERY_BROKER_URL"] = NOWHERE
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not ready" and body["checks"]["broker"]["ok"] is False
    assert "127.0.0.1" not in response.get_data(as_text=True)


def test_readyz_is_503_when_the_database_is_unreachable(app, client):
    database(app).factory = sessionmaker(bind=make_engine("postgresql+psycopg://nobody:secret@127.0.0.1:1/none"))
    app.config["CELERY_BROKER_URL"] = None
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"]["ok"] is False
    assert "secret" not in response.get_data(as_text=True)


def test_readyz_is_503_while_the_schema_is_behind_the_code(app, client, monkeypatch):
    from web.health import routes

    monkeypatch.setattr(routes, "_head", lambda: "a-newer-revision")
    app.config["CELERY_BROKER_URL"] = None
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"]["head"] == "a-newer-revision"


def test_each_request_logs_one_line_with_the_feed_token_masked(client, caplog):
    with caplog.at_level(logging.INFO, logger="scheduler.request"):
        response = client.get("/feeds/SeCrEtToKeN123.ics", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    [record] = [r for r in caplog.records if getattr(r, "event", None) == "request"]
    assert record.path == "/feeds/[token].ics" and record.status == response.status_code
    assert record.request_id == "abc-123" and record.ms >= 0
    assert "SeCrEtToKeN123" not in record.getMessage() + json.dumps(record.__dict__, default=str)


def test_a_strange_request_id_is_replaced(client):
    strange = "<script>" + "x" * 100
    response = client.get("/healthz", headers={"X-Request-ID": strange})
    assert response.headers["X-Request-ID"] != strange and len(response.headers["X-Request-ID"]) == 32


def test_the_broker_setting_comes_from_the_environment(engine, session, tmp_path, monkeypatch):
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("CELERY_BROKER_URL", NOWHERE)
    app = build_app(engine, session, tmp_path)
    assert app.config["CELERY_BROKER_URL"] == NOWHERE
    assert app.test_client().get("/readyz").status_code == 503
