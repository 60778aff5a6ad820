"""`scheduler serve` without --prod (issue 13, row 13): Flask's development server logged every
request line raw, a calendar feed's secret token included. Now its log is masked as the
production one: the app's request line with `/feeds/[token].ics`, in text."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.smtp_server import free_port

START_S = 60
TOKEN = "NotARealToken42"


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_development_server_masks_feed_tokens_in_its_log(committed_factory, tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": committed_factory.kw["bind"].url.render_as_string(hide_password=False),
           "SCHEDULER_INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "test"}
    for name in ("CELERY_BROKER_URL", "SCHEDULER_CONFIG", "LOG_FORMAT"):
        env.pop(name, None)
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-c", "from web.cli import main; main()", "serve", "--port", str(port)],
                                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"serve exited with {proc.returncode}:\n{log_path.read_text()}")
            try:
                if get(base + "/healthz") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"not serving after {START_S} s:\n{log_path.read_text()}")
            time.sleep(0.2)
        assert get(f"{base}/feeds/{TOKEN}.ics") == 404
        assert get(f"{base}/feeds/{TOKEN}.ics?x=13812345678") == 404
        time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    text = log_path.read_text()
    assert TOKEN not in text and "13812345678" not in text
    assert "INFO scheduler.request: GET /feeds/[token].ics 404" in text
    assert f"Serving on http://127.0.0.1:{port}/" in text
