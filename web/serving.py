"""`scheduler serve --prod`: the web app under gunicorn with `web.gunicorn_conf`; and the
logging of Flask's development server (`scheduler serve`, `scheduler quickstart`)."""
from __future__ import annotations

import os
import sys

from scheduler.core.config import Settings
from scheduler.ops.logs import configure_logging

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


def development_logging(settings: Settings) -> None:
    """Logs of the development server masked as in production (`scheduler.ops.logs`): one
    line per request from the app with feed tokens and mobile numbers masked, in text unless
    LOG_FORMAT is set. werkzeug's own access lines, which carried the raw path (a calendar
    feed's secret token), stay off; its warnings and errors still go through the masking."""
    fmt = settings.log_format if settings.environ.get("LOG_FORMAT") else "text"
    configure_logging(fmt, settings.log_level)
