"""People management for coordinators: search, read, edit, deactivate and reactivate.

Every function takes the acting user and keeps to their districts; changes are written to
the audit log. The caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from models import AuditEntry, Organisation, Pairing, Person, PersonRole, PersonSkill, Site
from models.vocab import ROLES
from scheduler.core.access import district_filter, require_district, require_role, require_visible
from scheduler.core.paging import PER_PAGE, Page, matches_text, paginate
from scheduler.home.overview import current_pairing_condition
from scheduler.skills import vocabulary as skill_vocabulary


def mask_phone(phone: str | None) -> str:
    """Hide the middle digits of a phone number: 13812341234 -> 138****1234.

    Numbers with at least 8 digits keep their first 3 and last 4 digits, shorter ones only the
    last 2; separators stay where they are.
    """
    if not phone:
        return ""
    digits = sum(ch.isdigit() for ch in phone)
    keep_head, keep_tail = (3, 4) if digits >= 8 else (0, 2)
    out, seen = [], 0
    for ch in phone:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= keep_head or seen > digits - keep_tail else "*")
        else:
            out.append(ch)
    return "".join(out)


def mask_email(email: str | None) -> str:
    """Keep the first character of the local part and the domain: wang@example.com -> w***@example.com."""
    if not email:
        return ""
    local, at, domain = email.partition("@")
    return f"{local[:1]}***{at}{domain}" if at else mask_phone(email) or "***"


# Contact details are kept in the audit log masked only (issue 13 rows 7, 8): the log is
# append-only (triggers refuse UPDATE and DELETE) and kept for good, so a full number once
# written could never be purged. What changed and by whom stays visible; the values do not.
MASKED_IN_AUDIT = {"phone": mask_phone, "email": mask_email}


@dataclass(frozen=True)
class PeopleQuery:
    text: str = ""
    district_id: int | None = None
    role: str | None = None
    # None: both; True: only active; False: only deactivated.
    active: bool | None = True
    page: int = 1


@dataclass(frozen=True)
class PersonChanges:
    name: str
    phone: str | None
    email: str | None
    organisation_id: int | None
    roles: list[str]
    skills: list[str]
    max_hours_week: float
    target_hours_week: float | None
    max_slots_per_day: int | None
    max_paired_sites: int | None
    # The staff badge number shown on the public pages (佩证上岗); None leaves it as it is.
    badge_no: str | None = None


class PersonError(ValueError):
    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def search_people(session: Session, user: Any, query: PeopleQuery, per_page: int = PER_PAGE) -> Page:
    require_role(user, "coordinator")
    stmt: Select[Any] = select(Person).where(district_filter(user, Person.district_id))
    if query.district_id is not None:
        require_district(user, query.district_id)
        stmt = stmt.where(Person.district_id == query.district_id)
    if query.role:
        stmt = stmt.where(Person.roles.any(PersonRole.role == query.role))
    if query.active is not None:
        stmt = stmt.where(Person.active.is_(query.active))
    if query.text.strip():
        stmt = stmt.where(matches_text(query.text, Person.name, Person.external_id, Person.phone))
    stmt = stmt.options(
        selectinload(Person.roles), selectinload(Person.district), selectinload(Person.organisation)
    ).order_by(Person.name, Person.id)
    return paginate(session, stmt, query.page, per_page)


def get_person(session: Session, user: Any, person_id: int) -> Person:
    require_role(user, "coordinator")
    person = session.scalar(
        select(Person).where(Person.id == person_id).options(
            selectinload(Person.roles), selectinload(Person.skills),
            selectinload(Person.organisation), selectinload(Person.district),
        )
    )
    require_visible(user, person.district_id if person else None)
    assert person is not None
    return person


def paired_villages(session: Session, person: Person, today: date) -> list[Site]:
    return list(session.scalars(
        select(Site).join(Pairing, Pairing.site_id == Site.id)
        .where(Pairing.person_id == person.id, current_pairing_condition(today))
        .order_by(Site.name)
    ))


def organisation_choices(session: Session, person: Person) -> list[Organisation]:
    """Organisations a person of this district may belong to: the district's and city-wide ones."""
    return list(session.scalars(
        select(Organisation)
        .where(or_(Organisation.district_id == person.district_id, Organisation.district_id.is_(None)))
        .order_by(Organisation.name)
    ))


def update_person(session: Session, user: Any, person_id: int, changes: PersonChanges) -> Person:
    person = get_person(session, user, person_id)
    skills = _check_changes(session, person, changes)
    before = _snapshot(person)
    person.name = changes.name.strip()
    person.phone = (changes.phone or "").strip() or None
    person.email = (changes.email or "").strip() or None
    person.organisation_id = changes.organisation_id
    person.max_hours_week = changes.max_hours_week
    person.target_hours_week = changes.target_hours_week
    person.max_slots_per_day = changes.max_slots_per_day
    person.max_paired_sites = changes.max_paired_sites
    if changes.badge_no is not None:
        person.badge_no = changes.badge_no.strip()[:32] or None
    _replace_roles(session, person, changes.roles)
    _replace_skills(session, person, skills)
    after = _snapshot(person)
    changed = {k: _audited(k, before[k], after[k]) for k in after if before[k] != after[k]}
    if changed:
        _audit(session, user, person, "person.update", changed)
    session.flush()
    return person


def reveal_phone(session: Session, user: Any, person_id: int) -> str | None:
    """The person's full phone number for a coordinator who asked to see it; the asking is
    audited (the number itself is not written to the log)."""
    person = get_person(session, user, person_id)
    if person.phone:
        _audit(session, user, person, "person.phone_revealed", {"phone": mask_phone(person.phone)})
        session.flush()
    return person.phone


def _audited(field: str, before: Any, after: Any) -> list[Any]:
    mask = MASKED_IN_AUDIT.get(field)
    return [mask(before) or None, mask(after) or None] if mask else [before, after]


def set_person_active(session: Session, user: Any, person_id: int, active: bool) -> Person:
    person = get_person(session, user, person_id)
    if person.active != active:
        person.active = active
        _audit(session, user, person, "person.reactivate" if active else "person.deactivate", {})
        session.flush()
    return person


def _check_changes(session: Session, person: Person, changes: PersonChanges) -> list[str]:
    """The skills' codes, once every change is found sound; else `PersonError`."""
    if not changes.name.strip():
        raise PersonError("name_required", "A person needs a name.")
    unknown = sorted(set(changes.roles) - set(ROLES))
    if unknown:
        raise PersonError("unknown_roles", f"Unknown roles: {', '.join(unknown)}.", roles=", ".join(unknown))
    if not changes.roles:
        raise PersonError("roles_required", "A person holds at least one role.")
    codes, unknown = skill_vocabulary.load(session).read(changes.skills)
    if unknown:
        raise PersonError("unknown_skills", f"Unknown skills: {', '.join(unknown)}.", skills=", ".join(unknown))
    if changes.target_hours_week is not None and changes.target_hours_week > changes.max_hours_week:
        raise PersonError("target_above_max", "The target hours exceed the maximum hours.")
    if changes.organisation_id is not None and changes.organisation_id not in {
        o.id for o in organisation_choices(session, person)
    }:
        raise PersonError("foreign_organisation", "That organisation is not in this person's district.")
    return codes


def _replace_roles(session: Session, person: Person, roles: list[str]) -> None:
    wanted = sorted(set(roles))
    if person.role_names == wanted:
        return
    person.roles = [r for r in person.roles if r.role in wanted]
    # Flush removals first: the primary key (person, role) may be added back in the same step.
    session.flush()
    have = set(person.role_names)
    person.roles.extend(PersonRole(role=r) for r in wanted if r not in have)


def _replace_skills(session: Session, person: Person, skills: list[str]) -> None:
    wanted = sorted(set(skills))
    if person.skill_names == wanted:
        return
    person.skills = [s for s in person.skills if s.skill in wanted]
    session.flush()
    have = set(person.skill_names)
    person.skills.extend(PersonSkill(skill=s) for s in wanted if s not in have)


def _snapshot(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "phone": person.phone,
        "email": person.email,
        "organisation_id": person.organisation_id,
        "roles": sorted(person.role_names),
        "skills": sorted(person.skill_names),
        "max_hours_week": person.max_hours_week,
        "target_hours_week": person.target_hours_week,
        "max_slots_per_day": person.max_slots_per_day,
        "max_paired_sites": person.max_paired_sites,
        "badge_no": person.badge_no,
    }


def _audit(session: Session, user: Any, person: Person, action: str, details: dict[str, Any]) -> None:
    session.add(AuditEntry(
        user_id=user.id, district_id=person.district_id, action=action,
        object_type="person", object_id=person.external_id, details=details,
    ))
