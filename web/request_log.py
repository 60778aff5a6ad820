"""One structured log line per request (logger `scheduler.request`): method, path with any
feed token masked, endpoint, status, duration, user id and a request id that is echoed in
the `X-Request-ID` header. Health probes log at DEBUG so they do not drown the rest."""
from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

from scheduler.ops.logs import redact

log = logging.getLogger("scheduler.request")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
QUIET_ENDPOINTS = ("health.healthz", "health.readyz", "static")


def _start() -> None:
    g.request_started = time.perf_counter()
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def _finish(response: Response) -> Response:
    started = g.pop("request_started", None)
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers.setdefault("X-Request-ID", request_id)
    # Flask-Login keeps the loaded user in g; reading it from there never loads one.
    user = g.get("_login_user")
    fields = {
        "event": "request",
        "request_id": request_id,
        "method": request.method,
        "path": redact(request.path),
        "endpoint": request.endpoint,
        "status": response.status_code,
        "ms": round((time.perf_counter() - started) * 1000, 1) if started is not None else None,
        "bytes": response.calculate_content_length(),
        "user_id": getattr(user, "id", None),
    }
    level = logging.DEBUG if request.endpoint in QUIET_ENDPOINTS else logging.INFO
    log.log(level, "%s %s %s", request.method, fields["path"], response.status_code, extra=fields)
    return response


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
