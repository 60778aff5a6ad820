"""The domain's fixed vocabularies, shared by check constraints, forms and the solver bridge."""
from __future__ import annotations

from sqlalchemy import CheckConstraint

ROLES = (
    "lawyer",
    "trainee_lawyer",
    "notary",
    "mediator",
    "forensic_expert",
    "grassroots_worker",
    "legal_promoter",
    "volunteer",
)
SITE_KINDS = ("village", "window", "square", "centre", "station")
SLOT_KINDS = ("visit", "event", "shift")
ORGANISATION_KINDS = (
    "law_firm",
    "judicial_office",
    "notary_office",
    "mediation_committee",
    "legal_aid_centre",
    "volunteer_team",
    "other",
)
USER_ROLES = ("coordinator", "provider", "village")


def one_of(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    """A check constraint restricting a text column to a vocabulary.

    Plain text plus a check keeps migrations simple on both SQLite and PostgreSQL, where a
    native enum type would need ALTER TYPE for every new value.
    """
    quoted = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name)
