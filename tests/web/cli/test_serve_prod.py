"""`scheduler serve --prod`: gunicorn with several workers, JSON logs without feed tokens."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from click.testing import CliRunner

from web.cli import main
from web.serving import gunicorn_argv

START_S = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


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
    port = free_port()
    env = {**os.environ, "DATABASE_URL": committed_factory.kw["bind"].url.render_as_string(hide_password=False),
           "SCHEDULER_INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "test", "LOG_FORMAT": "json"}
    env.pop("CELERY_BROKER_URL", None)
    env.pop("SCHEDULER_CONFIG", None)
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-c", "from web.cli import main; main()", "serve", "--prod",
                                 "--port", str(port), "--workers", "2"],
                                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"serve --prod exited with {proc.returncode}:\n{log_path.read_text()}")
            try:
                if get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"not serving after {START_S} s:\n{log_path.read_text()}")
            time.sleep(0.2)
        status, body = get(base + "/readyz")
        assert status == 200 and json.loads(body)["status"] == "ready"
        assert get(base + "/feeds/NotARealToken42.ics")[0] == 404
        time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    text = log_path.read_text()
    docs = [json.loads(line) for line in text.splitlines() if line.strip()]  # every line is JSON
    booted = [d for d in docs if d["logger"] == "gunicorn.error" and "Booting worker" in d["msg"]]
    assert len(booted) >= 2
    [feed] = [d for d in docs if d.get("event") == "request" and d.get("endpoint") == "feeds.calendar"]
    assert feed["path"] == "/feeds/[token].ics" and feed["status"] == 404
    assert "NotARealToken42" not in text
