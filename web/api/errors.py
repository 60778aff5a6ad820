"""Every refusal under /api/ answers problem+json, whichever layer raised it: the API's own
problems, scheduler's access refusals, Flask's HTTP errors (404 of an unknown path, 405,
413), and an unexpected error (500, logged)."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from scheduler.core.access import AccessDenied, NotVisible
from web.api import auth
from web.api.problems import ApiProblem, from_problem, is_api_request, problem_response

HTTP_CODES = {400: "bad_request", 401: "token_missing", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 410: "gone", 413: "too_large", 415: "media_type",
              429: "rate_limited"}


def http_problem(error: HTTPException):
    status = error.code or 500
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return problem_response(status, HTTP_CODES.get(status, "error"), headers=headers)


def access_problem(error: Exception):
    if isinstance(error, NotVisible):
        return problem_response(404, "not_found")
    return problem_response(403, "forbidden")


def server_problem(error: Exception):
    current_app.logger.exception("API error", exc_info=error)
    return problem_response(500, "server_error")


def _count_address() -> None:
    if is_api_request():
        auth.count_address()


def register(bp: Blueprint) -> None:
    bp.register_error_handler(ApiProblem, from_problem)
    bp.register_error_handler(AccessDenied, access_problem)
    bp.register_error_handler(NotVisible, access_problem)
    bp.before_request(_count_address)


def init_app(app: Flask) -> None:
    app.register_error_handler(ApiProblem, from_problem)  # raised outside the blueprint's views
