"""Refusals from `scheduler.people.operations`, in the reader's language."""
from __future__ import annotations

from flask_babel import gettext as _

from scheduler.people.operations import PersonError


def person_error(error: PersonError) -> str:
    messages = {
        "name_required": lambda: _("A person needs a name."),
        "roles_required": lambda: _("Choose at least one role."),
        "unknown_roles": lambda: _("Unknown roles: %(roles)s.", roles=error.params.get("roles", "")),
        "unknown_skills": lambda: _(
            "Unknown skills: %(skills)s. Write a skill's code, Chinese or English name, or add it on the skills "
            "page first.",
            skills=error.params.get("skills", ""),
        ),
        "target_above_max": lambda: _("The target hours exceed the maximum hours."),
        "foreign_organisation": lambda: _("That organisation is not in this person's district."),
    }
    return messages.get(error.code, lambda: str(error))()
