"""Refusals of availability changes, worded for the coordinator who acts for the person."""
from __future__ import annotations

from flask_babel import gettext as _

from scheduler.mine.self_service import SelfServiceError
from web.mine.messages import self_service_error


def availability_error(error: SelfServiceError) -> str:
    messages = {
        "validity_order": lambda: _("The last day must not be before the first day."),
        "from_decline": lambda: _("This period comes from an assignment the person declined; it keeps them "
                                   "off that time and cannot be removed here."),
        "from_calendar": lambda: _("This period comes from the person's own calendar file; only a new upload "
                                   "replaces it."),
    }
    return messages.get(error.code, lambda: self_service_error(error))()
