"""Problems and refusals from `scheduler.requests.intake`, `scheduler.requests.desk`,
`scheduler.visits.operations` and `scheduler.reports.service`, in the reader's language. Every code
those modules use has its sentence here (a test checks)."""
from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

from scheduler.core.checking import FieldProblem
from web.week.labels import request_status

MESSAGES: dict[str, Callable[[dict], str]] = {
    # The request form (一次性告知: all of these can come back together).
    "village_required": lambda p: _("Choose the village (community) the request is for."),
    "village_unknown": lambda p: _("Choose a village (community) of your district."),
    "no_coordinator": lambda p: _("No coordinator serves this district yet, so the request cannot be taken "
                                  "online. Please call 12348."),
    "topic_required": lambda p: _("Say what the visit is about."),
    "topic_too_long": lambda p: _("Keep the topic to %(max)d characters; put the rest under details.", **p),
    "details_too_long": lambda p: _("The details are too long (at most %(max)d characters).", **p),
    "personal_data": lambda p: _("Remove the ID card or phone number from %(field)s: requests keep no "
                                 "villager's personal data.", field=FIELD_NAMES.get(p["field"], p["field"])()),
    "kind_required": lambda p: _("Choose the kind of help: consultation, legal opinion or joining a mediation."),
    "kind_unknown": lambda p: _("Choose the kind of help from the list."),
    "urgency_unknown": lambda p: _("Choose normal or urgent."),
    "channel_required": lambda p: _("Say how the request reached you: by phone or in person."),
    "channel_unknown": lambda p: _("Choose by phone or in person."),
    "people_count_required": lambda p: _("Say how many people the request concerns."),
    "people_count_invalid": lambda p: _("The number of people must be a whole number, at least 1."),
    "people_count_too_large": lambda p: _("The number of people looks too large (at most %(max)d).", **p),
    "windows_required": lambda p: _("Give at least one time that suits you."),
    "too_many_windows": lambda p: _("Give at most %(max)d times.", **p),
    "window_date_required": lambda p: _("Time %(number)d: give the date.", **p),
    "window_start_required": lambda p: _("Time %(number)d: give the start time.", **p),
    "window_end_required": lambda p: _("Time %(number)d: give the end time.", **p),
    "window_date_invalid": lambda p: _("Time %(number)d: “%(value)s” is not a date (YYYY-MM-DD).", **p),
    "window_time_invalid": lambda p: _("Time %(number)d: “%(value)s” is not a time of day (HH:MM).", **p),
    "window_order": lambda p: _("Time %(number)d: the end must be after the start.", **p),
    "window_too_short": lambda p: _("Time %(number)d: allow at least %(minutes)d minutes.", **p),
    "window_too_long": lambda p: _("Time %(number)d: at most %(hours)d hours; give several times instead.", **p),
    "window_past": lambda p: _("Time %(number)d has already begun; choose a later time.", **p),
    "window_too_far": lambda p: _("Time %(number)d is too far ahead (at most %(days)d days).", **p),
    "window_overlap": lambda p: _("Time %(number)d overlaps time %(other)d.", **p),
    # Steps of a request's life.
    "closed": lambda p: _("This request is already closed (%(status)s).", status=request_status(p.get("status"))),
    "reason_required": lambda p: _("Give the reason."),
    "reason_too_long": lambda p: _("The reason is too long (at most %(max)d characters).", **p),
    "reason_personal_data": lambda p: reason_personal_data(),
    "unknown_coordinator": lambda p: _("Choose a coordinator of this district to hand the request to."),
    "same_owner": lambda p: _("That coordinator already owns this request."),
    "already_confirmed": lambda p: _("This visit is already confirmed with the village."),
    "not_scheduled": lambda p: _("No published schedule serves this request yet."),
    "visit_over": lambda p: _("The visit is already over."),
    "visit_ahead": lambda p: _("The visit has not taken place yet."),
    "visit_started": lambda p: _("The visit has already begun; it can no longer be cancelled."),
    "not_ours_coordinator": lambda p: _("Only a coordinator refuses a request as not ours."),
    # After the visit.
    "not_started": lambda p: _("This place has not begun yet; record the outcome afterwards."),
    "count_invalid": lambda p: _("%(field)s must be a whole number from 0 to %(max)d.",
                                 field=FIELD_NAMES[p["field"]](), max=p["max"]),
    "hours_required": lambda p: _("Give the hours served."),
    "hours_invalid": lambda p: _("The hours must be a number from 0 to %(max)d.", **p),
    "notes_too_long": lambda p: _("The notes are too long (at most %(max)d characters).", **p),
    "already_rated": lambda p: _("You have already rated this visit. Thank you!"),
    "score_required": lambda p: _("Choose a score from 1 to 5."),
    "score_invalid": lambda p: _("The score must be from 1 to 5."),
    "comment_too_long": lambda p: _("The comment is too long (at most %(max)d characters).", **p),
    # Reports.
    "order": lambda p: _("The last month comes before the first."),
    "too_long": lambda p: _("A report covers at most %(max)d months.", **p),
}

FIELD_NAMES: dict[str, Callable[[], str]] = {
    "topic": lambda: _("the topic"),
    "details": lambda: _("the details"),
    "notes": lambda: _("the notes"),
    "comment": lambda: _("the comment"),
    "consultations": lambda: _("Consultations"),
    "disputes_mediated": lambda: _("Disputes mediated"),
    "opinions_written": lambda: _("Legal opinions written"),
}


def reason_personal_data() -> str:
    """One sentence for every reason refused for an ID card or mobile number in it: a request's
    hand-over or cancellation, a decline, a swap asked, refused or rejected."""
    return _("Remove the ID card or phone number from the reason: reasons are kept and shown to others, so "
             "they must hold no one's personal data.")


def problem_text(problem: FieldProblem) -> str:
    words = MESSAGES.get(problem.code)
    if words is None:
        return problem.code
    return words({**problem.params, "field": problem.field})


def texts(problems: list[FieldProblem]) -> list[str]:
    return [problem_text(p) for p in problems]
