"""`scheduler serve --prod`: the web app under gunicorn with `web.gunicorn_conf`."""
from __future__ import annotations

import os
import sys

from scheduler.core.config import Settings

APP = "web:create_app()"
CONFIG = "python:web.gunicorn_conf"


def gunicorn_argv(host: str, port: int, workers: int | None = None) -> list[str]:
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    argv = [sys.executable, "-m", "gunicorn", "--config", CONFIG, "--bind", address]
    if workers is not None:
        argv += ["--workers", str(workers)]
    return argv + [APP]


def exec_gunicorn(settings: Settings, host: str, port: int, workers: int | None = None) -> None:
    """Replace this process with gunicorn, so signals from a service manager reach it. Its
    workers read the same environment (`settings.child_environ()`) into their own settings;
    SCHEDULER_CONFIG left unset means production there."""
    argv = gunicorn_argv(host, port, workers)
    os.execve(argv[0], argv, settings.child_environ())
