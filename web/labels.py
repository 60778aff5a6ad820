"""Display names of the domain's fixed vocabularies, in the reader's language."""
from __future__ import annotations

from collections.abc import Iterable

from flask import g
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from scheduler.skills import vocabulary as skill_vocabulary
from web.db import db

PERSON_ROLES = {
    "lawyer": _l("Lawyer"),
    "trainee_lawyer": _l("Trainee lawyer"),
    "notary": _l("Notary"),
    "mediator": _l("Mediator"),
    "forensic_expert": _l("Forensic expert"),
    "grassroots_worker": _l("Grassroots legal worker"),
    "legal_promoter": _l("Legal promoter"),
    "volunteer": _l("Volunteer"),
}
SITE_KINDS = {
    "village": _l("Village (community)"),
    "window": _l("Township window"),
    "square": _l("Square"),
    "centre": _l("Public legal service centre"),
    "station": _l("Legal aid station"),
}
USER_ROLES = {
    "coordinator": _l("Coordinator"),
    "provider": _l("Service provider"),
    "village": _l("Village representative"),
}
ORGANISATION_KINDS = {
    "law_firm": _l("Law firm"),
    "judicial_office": _l("Judicial office"),
    "notary_office": _l("Notary office"),
    "mediation_committee": _l("Mediation committee"),
    "legal_aid_centre": _l("Legal aid centre"),
    "volunteer_team": _l("Volunteer team"),
    "other": _l("Other"),
}
WEEKDAYS = [_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"), _l("Sunday")]


def _lookup(table: dict[str, object], value: str | None) -> str:
    # An unknown value is shown as stored rather than hidden.
    return str(table.get(value or "", value or ""))


def person_role(value: str | None) -> str:
    return _lookup(PERSON_ROLES, value)


def site_kind(value: str | None) -> str:
    return _lookup(SITE_KINDS, value)


def user_role(value: str | None) -> str:
    return _lookup(USER_ROLES, value)


def organisation_kind(value: str | None) -> str:
    return _lookup(ORGANISATION_KINDS, value)


def weekday(value: int | None) -> str:
    return "" if value is None else str(WEEKDAYS[value])


def skills() -> skill_vocabulary.Vocabulary:
    """The skills vocabulary, read once per request (`forget_skills` after changing it)."""
    if "skill_vocabulary" not in g:
        g.skill_vocabulary = skill_vocabulary.load(db())
    return g.skill_vocabulary


def forget_skills() -> None:
    g.pop("skill_vocabulary", None)


def skill(code: str | None) -> str:
    """A skill's name in the reader's language; an unknown code as stored."""
    return skills().name(code or "", str(get_locale() or "zh"))


def skill_names(codes: Iterable[str] | None, separator: str | None = None) -> str:
    """Several skills' names, joined with the language's list separator (、 or , )."""
    if separator is None:
        separator = ", " if str(get_locale() or "zh").startswith("en") else "、"
    return separator.join(skill(c) for c in codes or ())


_PAIRING_REASONS = {
    "no_role": _l("Nobody holds the role %(role)s, so nobody can be this village's adviser."),
    "all_excluded": _l("All %(count)s people with the role %(role)s who could serve this village must "
                       "stay away from it (conflict of interest)."),
    "all_at_limit": _l("All %(count)s people with the role %(role)s who could serve this village already "
                       "have as many villages as they may take (%(limit)s in all)."),
}


def open_reason(reason: dict) -> str:
    """Why a place stayed open (a solver reason: code, zh, en, parameters) in the reader's
    language. "Nobody qualified" is worded here, with the roles' and skills' names: the
    solver's own text names them by code."""
    if reason.get("code") == "no_qualified" and "roles" in reason:
        roles = [r for r in str(reason.get("roles") or "").split("/") if r]
        skills = [k for k in str(reason.get("skills") or "").split(", ") if k and k != "-"]
        return gettext("Nobody holds the role (%(roles)s) and the skills (%(skills)s).",
                       roles=" / ".join(person_role(r) for r in roles), skills=skill_names(skills) or "-")
    if reason.get("code") == "missing_skills" and "skills" in reason:
        # The standing pairing's: no holder of the role has every skill the village needs.
        skills = [k for k in str(reason.get("skills") or "").split(", ") if k]
        return gettext("No %(role)s holds every skill this village needs: %(skills)s.",
                       role=person_role(str(reason.get("role") or "lawyer")), skills=skill_names(skills))
    worded = _PAIRING_REASONS.get(str(reason.get("code")))
    if worded is not None and "role" in reason:
        # The standing pairing's reasons that name the adviser's role: by its name, not its code.
        return str(worded) % {"role": person_role(str(reason["role"])), "count": reason.get("count", ""),
                              "limit": reason.get("limit", "")}
    english = str(get_locale() or "").startswith("en")
    zh, en = reason.get("zh"), reason.get("en")
    return str((en if english else zh) or zh or en or reason.get("code", ""))
