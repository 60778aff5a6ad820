"""`scheduler serve` in a process of its own for the tests that read what it logs: started on
a free loopback port against a test database, waited for until /healthz answers, stopped
with its whole process group (gunicorn's workers included)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.smtp_server import free_port

START_S = 60


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@contextmanager
def serving(factory, folder: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """Yield the base URL of `scheduler serve ARGS` once it answers; its log (stdout and
    stderr) is `folder / "serve.log"`, complete once the block has ended."""
    port = free_port()
    environ = {**os.environ, "DATABASE_URL": factory.kw["bind"].url.render_as_string(hide_password=False),
               "SCHEDULER_INSTANCE_PATH": str(folder / "instance"), "SECRET_KEY": "test"}
    for name in ("CELERY_BROKER_URL", "SCHEDULER_CONFIG", "LOG_FORMAT"):
        environ.pop(name, None)
    environ.update(env or {})
    log_path = folder / "serve.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-c", "from web.cli import main; main()", "serve", *args,
                                 "--port", str(port)],
                                env=environ, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"serve {' '.join(args)} exited with {proc.returncode}:\n{log_path.read_text()}")
            try:
                if get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"not serving after {START_S} s:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield base
        time.sleep(0.5)  # let the last request lines reach the log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
