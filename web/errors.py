"""Error pages in the reader's language, and the mapping of `scheduler` refusals to HTTP."""
from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from scheduler.core.access import AccessDenied, NotVisible
from web.api.errors import access_problem, http_problem, server_problem
from web.api.problems import is_api_request

PAGES = {400, 403, 404, 405, 413, 500}


def _page(code: int, reason: str | None = None, headers: dict[str, str] | None = None):
    return render_template(f"errors/{code}.html", code=code, reason=reason), code, headers or {}


def http_error(error: HTTPException):
    if is_api_request():
        return http_problem(error)
    code = error.code or 500
    if code not in PAGES:
        return error
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return _page(code, headers=headers)


def csrf_error(error: CSRFError):
    return _page(400, "csrf")


def access_denied(error: AccessDenied):
    return access_problem(error) if is_api_request() else _page(403)


def not_visible(error: NotVisible):
    return access_problem(error) if is_api_request() else _page(404)


def server_error(error: Exception):
    if is_api_request():
        return server_problem(error)
    return _page(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(AccessDenied, access_denied)
    app.register_error_handler(NotVisible, not_visible)
    app.register_error_handler(500, server_error)
