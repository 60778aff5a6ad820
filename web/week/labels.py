"""Display names of the week's vocabularies, in the reader's language."""
from __future__ import annotations

from flask_babel import format_decimal, get_locale
from flask_babel import lazy_gettext as _l

SLOT_KINDS = {
    "visit": _l("Village visit"),
    "event": _l("Square event"),
    "shift": _l("Window shift"),
}
CHANNEL_NAMES = {
    "sms": _l("SMS"),
    "wecom": _l("WeCom"),
    "email": _l("e-mail"),
}
JOB_STATES = {
    "queued": _l("Waiting to start"),
    "running": _l("Solving"),
    "done": _l("Finished"),
    "failed": _l("Failed"),
    "cancelled": _l("Cancelled"),
    "discarded": _l("Result not stored"),
    "lost": _l("Stopped: its worker died"),
}
CHANGE_KINDS = {
    "added": _l("Added"),
    "removed": _l("Taken off"),
    "moved": _l("Moved"),
}
REQUEST_KINDS = {
    "consultation": _l("Consultation"),
    "legal_opinion": _l("Legal opinion"),
    "mediation": _l("Joining a mediation"),
}
REQUEST_STATUSES = {
    "received": _l("Received"),
    "scheduled": _l("Scheduled"),
    "confirmed": _l("Confirmed"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}
# The objective's terms, as the assign page shows a suggestion's cost (solver.objective.TERMS).
OBJECTIVE_TERMS = {
    "unfilled": _l("open places"),
    "choice": _l("requested time"),
    "unpaired": _l("not the standing adviser"),
    "km": _l("travel (km)"),
    "fairness": _l("fairness (hours from target)"),
    "undesired": _l("undesired time"),
    "change": _l("change from the published version"),
}
URGENCIES = {"normal": _l("Normal"), "urgent": _l("Urgent")}
SOLVER_STATUSES = {
    "optimal": _l("optimal"),
    "feasible": _l("the best found in the time limit"),
    "infeasible": _l("no schedule satisfies the hard rules"),
    "unknown": _l("no schedule found in the time limit"),
}


def _lookup(table: dict[str, object], value: str | None) -> str:
    return str(table.get(value or "", value or ""))


def slot_kind(value: str | None) -> str:
    return _lookup(SLOT_KINDS, value)


def job_state(value: str | None) -> str:
    return _lookup(JOB_STATES, value)


def channel_name(value: str | None) -> str:
    return _lookup(CHANNEL_NAMES, value)


def change_kind(value: str | None) -> str:
    return _lookup(CHANGE_KINDS, value)


def solver_status(value: str | None) -> str:
    return _lookup(SOLVER_STATUSES, value)


def request_kind(value: str | None) -> str:
    return _lookup(REQUEST_KINDS, value)


def request_status(value: str | None) -> str:
    return _lookup(REQUEST_STATUSES, value)


def urgency(value: str | None) -> str:
    return _lookup(URGENCIES, value)


def in_language(zh: str | None, en: str | None) -> str:
    """Pick the text of a bilingual pair (the solver's reasons, the rule names)."""
    english = str(get_locale() or "") == "en"
    return (en if english else zh) or zh or en or ""


def reason_text(reason: dict) -> str:
    return in_language(reason.get("zh"), reason.get("en")) or str(reason.get("code", ""))


def objective_term(value: str | None) -> str:
    return _lookup(OBJECTIVE_TERMS, value)


def points(value: float) -> str:
    """A change of the objective with its sign: "+12.5", "−2,990" (lower is better)."""
    text = format_decimal(abs(value), format="#,##0.#")
    return ("−" if value < -0.05 else "+") + text


def bilingual(item) -> str:
    """The reader's half of an object's `zh` / `en` names (a hard rule's, say)."""
    return in_language(item.zh, item.en)
