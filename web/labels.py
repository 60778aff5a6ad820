"""Display names of the domain's fixed vocabularies, in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

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
