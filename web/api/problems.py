"""Errors of the JSON API as RFC 9457 problem details (`application/problem+json`), worded
in the reader's language (Accept-Language, else the token's account, else Chinese).

Every problem carries `code`, the same refusal code the pages use (scheduler's codes, e.g.
`reason_required`, `stale_draft`), so a client can branch on it; `errors` lists each field's
problem at once (一次性告知), as the pages do.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import Response, json, request
from flask_babel import get_locale
from flask_babel import gettext as _

API_PREFIX = "/api/"
PROBLEM_TYPE = "tag:legal-scheduler,2026:problem/{code}"
MEDIA_TYPE = "application/problem+json"


def titles() -> dict[int, str]:
    return {
        400: _("Bad request"), 401: _("Not signed in"), 403: _("Not allowed"), 404: _("Not found"),
        405: _("Method not allowed"), 409: _("Conflict"), 410: _("Gone"), 413: _("Too large"),
        415: _("Unsupported media type"), 422: _("Invalid input"), 429: _("Too many requests"),
        500: _("Server error"), 503: _("Unavailable"),
    }


def generic_detail(status: int) -> str:
    return {
        400: _("The request could not be read."),
        401: _("Send a valid personal access token: Authorization: Bearer <token>."),
        403: _("This account or token may not do this."),
        404: _("There is no such object here, or it is outside this account's districts."),
        405: _("This address does not take that method."),
        409: _("Someone changed this in the meantime; read it again and retry."),
        413: _("The request body is too large."),
        415: _("Send the body as application/json."),
        422: _("Some values are not valid; see errors."),
        429: _("Too many requests. Wait a little, then try again."),
        500: _("Something went wrong on our side. It has been logged."),
        503: _("The service is busy; try again shortly."),
    }.get(status, _("The request was refused."))


def own_words(code: str) -> str | None:
    return {
        "token_missing": _("Send a personal access token: Authorization: Bearer <token>."),
        "token_invalid": _("This token is not known. Check it, or make a new one under “API tokens”."),
        "token_expired": _("This token has expired. Make a new one under “API tokens”."),
        "token_revoked": _("This token was revoked. Make a new one under “API tokens”."),
        "account_inactive": _("The token's account is deactivated."),
        "role_forbidden": _("This operation is not for this kind of account."),
        "scope_missing": _("This token may only read; make one with the write scope to change things."),
        "rate_limited": _("Too many requests. Wait a little, then try again."),
        "not_found": _("There is no such object here, or it is outside this account's districts."),
        "forbidden": _("This account may not see or change this."),
    }.get(code)


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    detail: str


@dataclass
class ApiProblem(Exception):
    status: int
    code: str
    detail: str | None = None
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


def content_language() -> str:
    return "en" if str(get_locale() or "").startswith("en") else "zh-Hans"


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def problem_response(status: int, code: str, detail: str | None = None, errors: Iterable[FieldError] = (),
                     headers: dict[str, str] | None = None) -> Response:
    body: dict[str, object] = {
        "type": PROBLEM_TYPE.format(code=code),
        "title": titles().get(status, _("Error")),
        "status": status,
        "detail": detail or own_words(code) or generic_detail(status),
        "code": code,
        "instance": request.path,
    }
    errors = list(errors)
    if errors:
        body["errors"] = [{"field": e.field, "code": e.code, "detail": e.detail} for e in errors]
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=MEDIA_TYPE)
    response.headers["Content-Language"] = content_language()
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def from_problem(error: ApiProblem) -> Response:
    return problem_response(error.status, error.code, error.detail, error.errors, error.headers)
