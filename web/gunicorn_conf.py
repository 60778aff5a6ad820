"""Gunicorn settings for the web app in production.

`scheduler serve --prod` runs gunicorn with this file and `web:create_app()`; so does

    gunicorn -c python:web.gunicorn_conf 'web:create_app()'

Options given on the command line win over these values; the environment sets them too,
read once here through `scheduler.core.config.Settings` (see docs/configuration.md):

    GUNICORN_BIND          127.0.0.1:8000   behind a TLS proxy (nginx) on the same machine
    WEB_CONCURRENCY        2 x cores + 1    worker processes (each with its own database pool)
    GUNICORN_THREADS       4                threads per worker (feeds and pages wait on I/O)
    GUNICORN_TIMEOUT       60               seconds before a silent worker is restarted
    GUNICORN_MAX_REQUESTS  0                restart a worker after N requests (0: never; keep
                                            0 while solves run on the web workers' threads)
    FORWARDED_ALLOW_IPS    127.0.0.1,::1    proxies whose X-Forwarded-* headers are trusted
    LOG_FORMAT, LOG_LEVEL  json, INFO       see scheduler.ops.logs
"""
from __future__ import annotations

from scheduler.core.config import Settings

_settings = Settings.from_env()

bind = [_settings.gunicorn_bind]
workers = _settings.gunicorn_workers
worker_class = "gthread"
threads = _settings.gunicorn_threads
timeout = _settings.gunicorn_timeout
graceful_timeout = 30
keepalive = 5
max_requests = _settings.gunicorn_max_requests
max_requests_jitter = max_requests // 10
# Each worker builds the app (and its database engine) itself: no connection crosses a fork,
# and `kill -HUP` on the master loads new code.
preload_app = False
forwarded_allow_ips = _settings.forwarded_allow_ips
proc_name = "scheduler-web"

# The app logs every request itself, with feed tokens masked; gunicorn's access log would
# repeat each one with the raw URL. Gunicorn's own messages go through the same handler.
accesslog = None
errorlog = "-"
_level = _settings.log_level
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": _level, "handlers": ["masked"]},
    "loggers": {
        "gunicorn.error": {"level": _level, "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
        "werkzeug": {"level": "WARNING"},
    },
    "handlers": {"masked": {"()": "scheduler.ops.logs.make_handler", "fmt": _settings.log_format}},
    "formatters": {},
}
