"""What each kind of user sees first: a coordinator's districts with their counts, a
provider's own record, a village representative's village and its standing adviser."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from models import District, Pairing, Person, Site, User
from scheduler.core.access import NotVisible, require_district, require_role, visible_districts


@dataclass(frozen=True)
class DistrictSummary:
    district: District
    people: int
    active_people: int
    sites_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def sites(self) -> int:
        return sum(self.sites_by_kind.values())


@dataclass(frozen=True)
class ProviderProfile:
    person: Person
    # Villages the person currently advises (挂钩结对), by name.
    paired_villages: list[Site]


@dataclass(frozen=True)
class VillageOverview:
    village: Site
    # The current standing pairing, None while the village has no adviser.
    pairing: Pairing | None


def district_summaries(session: Session, user: User) -> list[DistrictSummary]:
    """Every district the coordinator may see, with counts of people and sites."""
    require_role(user, "coordinator")
    districts = visible_districts(session, user)
    ids = [d.id for d in districts]
    people = dict(session.execute(
        select(Person.district_id, func.count()).where(Person.district_id.in_(ids)).group_by(Person.district_id)
    ).all())
    active = dict(session.execute(
        select(Person.district_id, func.count())
        .where(Person.district_id.in_(ids), Person.active)
        .group_by(Person.district_id)
    ).all())
    sites: dict[int, dict[str, int]] = {}
    for district_id, kind, count in session.execute(
        select(Site.district_id, Site.kind, func.count())
        .where(Site.district_id.in_(ids), Site.active)
        .group_by(Site.district_id, Site.kind)
    ):
        sites.setdefault(district_id, {})[kind] = count
    return [
        DistrictSummary(d, people.get(d.id, 0), active.get(d.id, 0), dict(sorted(sites.get(d.id, {}).items())))
        for d in districts
    ]


def district_summary(session: Session, user: User, district_id: int) -> DistrictSummary:
    require_role(user, "coordinator")
    require_district(user, district_id)
    for summary in district_summaries(session, user):
        if summary.district.id == district_id:
            return summary
    # In scope but absent: a city coordinator asked for an id that does not exist.
    raise NotVisible(f"No district {district_id}.")


def current_pairing_condition(today: date):
    return and_(Pairing.valid_from <= today, or_(Pairing.valid_to.is_(None), Pairing.valid_to >= today))


def provider_profile(session: Session, user: User, today: date) -> ProviderProfile:
    require_role(user, "provider")
    person = session.scalar(
        select(Person)
        .where(Person.id == user.person_id)
        .options(selectinload(Person.roles), selectinload(Person.skills),
                 selectinload(Person.organisation), selectinload(Person.district))
    )
    if person is None:
        raise LookupError(f"User {user.username} is linked to no person.")
    villages = list(session.scalars(
        select(Site)
        .join(Pairing, Pairing.site_id == Site.id)
        .where(Pairing.person_id == person.id, current_pairing_condition(today))
        .order_by(Site.name)
    ))
    return ProviderProfile(person, villages)


def village_overview(session: Session, user: User, today: date) -> VillageOverview:
    require_role(user, "village")
    village = session.scalar(
        select(Site).where(Site.id == user.village_id)
        .options(selectinload(Site.township), selectinload(Site.district))
    )
    if village is None:
        raise LookupError(f"User {user.username} is linked to no village.")
    pairing = session.scalar(
        select(Pairing)
        .where(Pairing.site_id == village.id, current_pairing_condition(today))
        .options(selectinload(Pairing.person).selectinload(Person.roles),
                 selectinload(Pairing.person).selectinload(Person.organisation))
        .order_by(Pairing.valid_from.desc())
    )
    return VillageOverview(village, pairing)
