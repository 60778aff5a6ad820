"""Refusals of the week operations, in the reader's language."""
from __future__ import annotations

from flask_babel import gettext as _

from scheduler.week.drafts import StaleDraft
from scheduler.week.edits import EditRefused
from web.week.labels import in_language


def stale_draft(_error: StaleDraft) -> str:
    return _("Someone else changed this week's draft after you opened it, so nothing was changed. "
             "The page now shows the current draft: check it and try again.")


def refused(error: EditRefused) -> list[str]:
    """One line per broken hard rule: its number, its name and what exactly breaks it."""
    return [_("Hard rule %(rule)d, %(name)s: %(detail)s", rule=rule, name=in_language(zh, en), detail=detail)
            for rule, zh, en, detail in error.violations]


def nothing_to_publish() -> str:
    return _("There is no draft of this week to publish yet: solve the week or assign someone first.")


def locked_while_solving(name: str) -> str:
    return _("This week is being solved, so %(name)s was locked in: the solve cannot take the place away. "
             "If the solver had already read the week, its result will not be stored; the solve's page will "
             "say so, and solving again keeps this place.", name=name)


def incomplete_form() -> str:
    return _("The form was incomplete (it lacked the draft's version). Reload the page and try again.")
