"""The demo world as plain frozen dataclasses: what a district's coordinators would keep in
the database, before anything is turned into a solver problem. No database, no solver."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


@dataclass(frozen=True, slots=True)
class District:
    code: str  # administrative division code, e.g. "330212"
    prefix: str  # short id prefix used in every external id, e.g. "YZ"
    name: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Township:
    code: str  # e.g. "YZ-T03"
    district: str  # District.code
    name: str
    lat: float
    lon: float
    urban: bool  # a street (街道) rather than a town (镇) or rural township (乡)


@dataclass(frozen=True, slots=True)
class Organisation:
    external_id: str
    district: str
    kind: str  # law_firm | judicial_office | notary_office | mediation_committee | legal_aid_centre | volunteer_team
    name: str
    township: str | None = None  # Township.code when the organisation belongs to one


@dataclass(frozen=True, slots=True)
class VisitRhythm:
    """The standing adviser's set visits (定时): every `every_weeks` weeks, on `weekday`
    (0 = Monday) in the morning or afternoon, in the weeks where week_number % every_weeks
    == phase."""

    every_weeks: int
    weekday: int
    half_day: str  # "am" | "pm"
    duration_minutes: int
    phase: int

    @property
    def start(self) -> time:
        return time(9, 0) if self.half_day == "am" else time(14, 0)

    def is_due(self, week_start: date) -> bool:
        return week_number(week_start) % self.every_weeks == self.phase


@dataclass(frozen=True, slots=True)
class Site:
    external_id: str
    district: str
    township: str | None  # None for the district centre and its windows
    kind: str  # village | window | square | centre | station
    name: str
    lat: float
    lon: float
    needs: tuple[str, ...] = ()
    rhythm: VisitRhythm | None = None  # villages only


@dataclass(frozen=True, slots=True)
class WeeklyRule:
    weekday: int  # 0 = Monday
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class DatedException:
    day: date
    start: time
    end: time | None  # None: until midnight
    kind: str  # unavailable | undesired
    note: str


@dataclass(frozen=True, slots=True)
class Person:
    external_id: str
    district: str
    organisation: str  # Organisation.external_id
    name: str
    gender: str  # "F" | "M"
    roles: tuple[str, ...]
    skills: tuple[str, ...]
    phone: str
    email: str
    lat: float
    lon: float
    max_hours_week: int
    target_hours_week: int | None
    max_slots_per_day: int | None
    max_paired_sites: int | None  # lawyers only
    active: bool
    available: tuple[WeeklyRule, ...]
    undesired: tuple[WeeklyRule, ...]
    exceptions: tuple[DatedException, ...]


@dataclass(frozen=True, slots=True)
class PairingRecord:
    site: str  # village Site.external_id
    person: str  # lawyer Person.external_id


@dataclass(frozen=True, slots=True)
class DemandLine:
    roles: tuple[str, ...]
    count: int
    skills: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ShiftTemplate:
    site: str
    weekday: int
    start: time
    end: time
    priority: int
    demand: tuple[DemandLine, ...]


@dataclass(frozen=True, slots=True)
class SquareEvent:
    external_id: str
    site: str  # a square
    title: str
    day: date
    start: time
    end: time
    priority: int
    demand: tuple[DemandLine, ...]


@dataclass(frozen=True, slots=True)
class TimeWindow:
    day: date
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class VisitRequest:
    external_id: str
    site: str  # a village
    topic: str
    kind: str  # consultation | legal_opinion | mediation
    people_count: int
    windows: tuple[TimeWindow, ...]  # in order of preference
    urgency: str  # normal | urgent
    channel: str  # web | phone | in_person
    received: date  # no villager's personal data: only counts are kept with a request


@dataclass(frozen=True, slots=True)
class World:
    size: str
    seed: int
    week_start: date
    districts: tuple[District, ...]
    townships: tuple[Township, ...]
    organisations: tuple[Organisation, ...]
    sites: tuple[Site, ...]
    people: tuple[Person, ...]
    pairings: tuple[PairingRecord, ...]
    shift_templates: tuple[ShiftTemplate, ...]
    events: tuple[SquareEvent, ...]
    requests: tuple[VisitRequest, ...]


def week_number(day: date) -> int:
    """Weeks since Monday 2024-01-01; a stable counter for visit rhythms."""
    return (day - date(2024, 1, 1)).days // 7
