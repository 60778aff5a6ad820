"""The API's refusals: scheduler's refusals turned into problems with the same codes and
the same sentences as the pages (reused from each feature's messages), plus the API's own
(tokens, scopes, rate limits)."""
from __future__ import annotations

from scheduler.core.checking import FieldProblem
from scheduler.mine.self_service import SelfServiceError
from scheduler.swaps.operations import SwapRefused
from scheduler.week.drafts import NothingToPublish, StaleDraft
from scheduler.week.edits import EditRefused
from web.api.problems import ApiProblem, FieldError
from web.mine.messages import self_service_error
from web.requests.messages import problem_text
from web.swaps.messages import swap_refused
from web.week import messages as week_messages

# A refusal about the state of things, not the input: 409, as an HTTP client expects.
CONFLICTS = frozenset({"already_declined", "already_asked", "declined", "started", "not_open",
                       "no_longer_assigned", "already_rated", "closed", "in_slot"})


def field_errors(problems: list[FieldProblem]) -> list[FieldError]:
    return [FieldError(p.field, p.code, problem_text(p)) for p in problems]


def problems(problems_list: list[FieldProblem]) -> ApiProblem:
    """Every problem of a request at once (一次性告知)."""
    first = problems_list[0].code if len(problems_list) == 1 else "invalid_input"
    status = 409 if all(p.code in CONFLICTS for p in problems_list) else 422
    return ApiProblem(status, first, errors=field_errors(problems_list))


def refusal(error: Exception, field: str | None = None) -> ApiProblem:
    """A scheduler refusal as the problem the API answers."""
    if isinstance(error, SelfServiceError):
        text, code = self_service_error(error), error.code
    elif isinstance(error, SwapRefused):
        text, code = " ".join(swap_refused(error)), error.code
    elif isinstance(error, EditRefused):
        return ApiProblem(409, "hard_rule", " ".join(swap_refused(error)))
    elif isinstance(error, StaleDraft):
        return ApiProblem(409, "stale_draft", week_messages.stale_draft(error))
    elif isinstance(error, NothingToPublish):
        return ApiProblem(409, "nothing_to_publish", week_messages.nothing_to_publish())
    else:
        raise TypeError(f"no API wording for {type(error).__name__}")
    status = 409 if code in CONFLICTS else 404 if code in ("not_assigned", "unknown_colleague") else 422
    errors = [FieldError(field, code, text)] if field and status == 422 else []
    return ApiProblem(status, code, text, errors)
