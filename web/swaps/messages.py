"""Refusals of swaps and re-plans, in the reader's language."""
from __future__ import annotations

from flask_babel import gettext as _

from scheduler.swaps.declines import ReplanRefused
from scheduler.swaps.operations import SwapRefused
from scheduler.week.edits import EditRefused
from web.labels import person_role, skill_names
from web.requests.messages import reason_personal_data
from web.swaps.labels import swap_status
from web.week.messages import refused as rules_refused


def swap_refused(error: SwapRefused | EditRefused) -> list[str]:
    """One line per problem: broken hard rules name the rule, as for hand edits."""
    if isinstance(error, EditRefused):
        return [_("This swap would break a hard rule of the schedule:"), *rules_refused(error)]
    p = error.params
    messages = {
        "reason_required": lambda: _("Say why."),
        "reason_too_long": lambda: _("The text is too long (at most %(max)s characters).", max=p.get("max", 256)),
        "reason_personal_data": reason_personal_data,
        "not_assigned": lambda: _("You hold no published assignment for this."),
        "started": lambda: _("This assignment has already started; call your coordinator."),
        "already_asked": lambda: _("You have already asked a colleague to take this place: withdraw that request "
                                   "first."),
        "declined": lambda: _("You have declined this place; your coordinator is re-planning it."),
        "unknown_colleague": lambda: _("There is no such colleague."),
        "same_person": lambda: _("Choose a colleague, not yourself."),
        "other_district": lambda: _("%(name)s works in another district; swaps stay within the district.",
                                    name=p.get("name", "")),
        "inactive": lambda: _("%(name)s is no longer in service.", name=p.get("name", "")),
        "unqualified": lambda: _("%(name)s does not hold this place's role (%(roles)s) or lacks one of its "
                                 "skills (%(skills)s).", name=p.get("name", ""),
                                 roles=", ".join(person_role(r) for r in str(p.get("roles", "")).split(", ") if r),
                                 skills=skill_names(s for s in str(p.get("skills") or "").split(", ") if s)
                                 or _("none")),
        "no_account": lambda: _("%(name)s has no account to answer with; ask your coordinator instead.",
                                name=p.get("name", "")),
        "no_longer_assigned": lambda: _("The place is no longer yours in the week's plan: the coordinator has "
                                        "changed it."),
        "in_slot": lambda: _("Your colleague already works in this slot."),
        "not_open": lambda: _("This request can no longer be changed: %(status)s.",
                              status=swap_status(str(p.get("status", "")))),
    }
    return [messages.get(error.code, lambda: str(error))()]


def replan_refused(error: ReplanRefused) -> str:
    return {
        "nothing_declined": lambda: _("Nobody has declined a place in this week: there is nothing to re-plan."),
        "solving": lambda: _("This week is being solved right now. Re-plan when that solve has ended, so that it "
                             "knows about the declines."),
    }.get(error.code, lambda: str(error))()
