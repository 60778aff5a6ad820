"""`scheduler serve --prod`: gunicorn with several workers, JSON logs without feed tokens."""
from __future__ import annotations

import json

from click.testing import CliRunner

from tests.web.cli.served import get, serving
from web.cli import main
from web.serving import gunicorn_argv


def test_the_gunicorn_command_line():
    argv = gunicorn_argv("::1", 8080, 3)
    assert argv[1:] == ["-m", "gunicorn", "--config", "python:web.gunicorn_conf", "--bind", "[::1]:8080",
                        "--workers", "3", "web:create_app()"]
    assert "--workers" not in gunicorn_argv("127.0.0.1", 8000)


def test_workers_without_prod_is_a_usage_error(committed_factory, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", committed_factory.kw["bind"].url.render_as_string(hide_password=False))
    result = CliRunner().invoke(main, ["serve", "--workers", "2"])
    assert result.exit_code == 2 and "--workers goes with --prod" in result.output


def test_serve_prod_runs_gunicorn_with_probes_and_masked_json_logs(committed_factory, tmp_path):
    with serving(committed_factory, tmp_path, "--prod", "--workers", "2",
                 env={"LOG_FORMAT": "json", "SCHEDULER_BASE_URL": "https://paiban.example.gov.cn"}) as base:
        status, body = get(base + "/readyz")
        assert status == 200 and json.loads(body)["status"] == "ready"
        assert get(base + "/feeds/NotARealToken42.ics")[0] == 404
    text = (tmp_path / "serve.log").read_text()
    docs = [json.loads(line) for line in text.splitlines() if line.strip()]  # every line is JSON
    booted = [d for d in docs if d["logger"] == "gunicorn.error" and "Booting worker" in d["msg"]]
    assert len(booted) >= 2
    [feed] = [d for d in docs if d.get("event") == "request" and d.get("endpoint") == "feeds.calendar"]
    assert feed["path"] == "/feeds/[token].ics" and feed["status"] == 404
    assert "NotARealToken42" not in text
