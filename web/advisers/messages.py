"""Refusals of the pairing operations, in the reader's language."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from scheduler.advisers.pairings import ProposalError
from web.week.labels import in_language

PROPOSAL_STATUS = {"open": _l("open"), "approved": _l("approved"), "discarded": _l("discarded")}


def proposal_status(status: str) -> str:
    return str(PROPOSAL_STATUS.get(status, status))


def proposal_error(error: ProposalError) -> str:
    p = error.params
    if error.code == "fixed_conflicts":
        return _("The pairs you fixed break a rule: %(detail)s", detail=in_language(p.get("zh"), p.get("en")))
    if error.code == "fixed_outside":
        return _("Some fixed pairs name villages or people outside this district.")
    if error.code == "closed":
        return _("This proposal is closed already (%(status)s).", status=proposal_status(p.get("status", "")))
    if error.code == "stale":
        return ngettext("The adviser of %(num)d village changed since this proposal was made: propose again.",
                        "The advisers of %(num)d villages changed since this proposal was made: propose again.",
                        p.get("count", 0))
    if error.code == "too_early":
        return ngettext("%(num)d current pair starts after %(date)s: choose a later date.",
                        "%(num)d current pairs start after %(date)s: choose a later date.",
                        p.get("count", 0), date=p.get("date"))
    return str(error)
