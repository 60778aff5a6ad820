"""Refusals from `scheduler.mine.self_service`, in the reader's language."""
from __future__ import annotations

from flask_babel import gettext as _

from scheduler.mine import ics_budget
from scheduler.mine.self_service import SelfServiceError
from web.requests.messages import reason_personal_data


def self_service_error(error: SelfServiceError) -> str:
    messages = {
        "reason_required": lambda: _("Say why you decline."),
        "reason_too_long": lambda: _("The reason is too long (at most %(max)s characters).",
                                     max=error.params.get("max", 256)),
        "reason_personal_data": reason_personal_data,
        "not_assigned": lambda: _("You hold no published assignment for this."),
        "started": lambda: _("This assignment has already started; call your coordinator."),
        "already_declined": lambda: _("You have already declined this assignment."),
        "bad_rule": lambda: _("Choose a weekday and a kind."),
        "bad_kind": lambda: _("Choose a kind."),
        "time_order": lambda: _("The end must be after the start."),
        "from_decline": lambda: _("This period comes from a decline; your coordinator handles it."),
        "from_calendar": lambda: _("This period comes from your calendar file; upload the file again instead."),
        "ics_unreadable": lambda: _("This file is not a calendar (.ics) file that can be read."),
        "ics_too_large": lambda: _("The calendar file is too large (at most 2 MB)."),
        "ics_too_many": lambda: _("The calendar file has too many busy periods."),
        "ics_too_frequent": lambda: _("The calendar file has an event that repeats every minute or every second; "
                                      "such files are not read. Remove that event and export the file again."),
        "ics_too_many_events": lambda: _("The calendar file has too many events (at most %(max)s in or near the "
                                         "next 180 days): export only the coming months.",
                                         max=ics_budget.MAX_EVENTS),
        "ics_too_complex": lambda: _("The calendar file would take too long to read: too many events or "
                                     "repetitions, or events repeating since long ago. Export only the coming "
                                     "months and try again."),
        "ics_unsupported_rule": lambda: _("The calendar file has an event that repeats in a way that cannot be read "
                                          "safely (for example every day on 30 February). Change or remove that "
                                          "event and export the file again."),
    }
    return messages.get(error.code, lambda: str(error))()
