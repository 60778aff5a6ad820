"""Request and response bodies of the JSON API, declared once (pydantic); the OpenAPI
document and the validation of every request and response are generated from them."""
# long-file: the API's whole vocabulary of bodies; a client developer reads it in one place.
from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Weekday = Field(ge=0, le=6, description="Monday = 0")
# A wall-clock time of day where the place is (Asia/Shanghai), not an instant: "HH:MM". JSON
# Schema's "time" format would demand a UTC offset, which a weekly rule does not have.
LocalTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["09:00"],
                                 description="Local time of day, HH:MM")]


def clock(text: str) -> time:
    return time.fromisoformat(text)


class Body(BaseModel):
    # Unknown fields are refused: a misspelt field is a mistake, not something to ignore.
    model_config = ConfigDict(extra="forbid")


class FieldErrorOut(BaseModel):
    field: str
    code: str
    detail: str


class Problem(BaseModel):
    """RFC 9457 problem details; `code` is the refusal code the pages use too."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str
    errors: list[FieldErrorOut] | None = None


# --- provider ------------------------------------------------------------------------------

class SiteRef(BaseModel):
    id: int
    name: str
    kind: str
    address: str | None = None


class MyAssignment(BaseModel):
    slot_id: int
    week_start: date
    starts_at: datetime
    ends_at: datetime
    hours: float
    kind: Literal["visit", "event", "shift"]
    site: SiteRef
    declined: bool


class MyAssignments(BaseModel):
    items: list[MyAssignment]


class RuleBody(Body):
    weekday: int = Weekday
    start: LocalTime
    end: LocalTime
    kind: Literal["available", "undesired"]


class PeriodBody(Body):
    starts_at: AwareDatetime = Field(description="With a UTC offset, e.g. 2026-12-09T09:00:00+08:00")
    ends_at: AwareDatetime
    kind: Literal["available", "unavailable", "undesired"]
    note: str | None = Field(default=None, max_length=256)


class PeriodOut(BaseModel):
    id: int
    starts_at: datetime
    ends_at: datetime
    kind: str
    note: str | None = None
    source: str = Field(description="manual (yours to replace), decline (kept until re-planned)")


class RuleOut(RuleBody):
    id: int


class AvailabilityOut(BaseModel):
    rules: list[RuleOut]
    periods: list[PeriodOut]
    calendar_busy: int = Field(description="Busy times read from the last uploaded calendar file")


class AvailabilityIn(Body):
    """Replaces every weekly rule and every period you entered yourself, all or nothing."""

    rules: list[RuleBody] = Field(max_length=50)
    periods: list[PeriodBody] = Field(default_factory=list, max_length=200)


class DeclineIn(Body):
    reason: str = Field(max_length=500)


class DeclineOut(BaseModel):
    slot_id: int
    declined_at: datetime


class SwapIn(Body):
    slot_id: int = Field(ge=1)
    to_person_id: int = Field(ge=1)
    note: str | None = Field(default=None, max_length=256)


class SwapOut(BaseModel):
    id: int
    slot_id: int
    starts_at: datetime
    site: str
    from_person: str
    to_person: str
    status: str
    mine: bool = Field(description="True when you asked; False when you are asked")


class SwapsOut(BaseModel):
    items: list[SwapOut]


class SwapAnswer(Body):
    reason: str | None = Field(default=None, max_length=256)


# --- village -------------------------------------------------------------------------------

class WindowIn(Body):
    day: date
    start: LocalTime
    end: LocalTime


class RequestIn(Body):
    topic: str = Field(max_length=256)
    kind: Literal["consultation", "legal_opinion", "mediation"]
    people_count: int
    windows: list[WindowIn] = Field(max_length=20)
    urgency: Literal["normal", "urgent"] = "normal"
    details: str | None = Field(default=None, max_length=4000)


class WindowOut(BaseModel):
    starts_at: datetime
    ends_at: datetime


class VisitRef(BaseModel):
    slot_id: int
    starts_at: datetime
    ends_at: datetime


class RequestOut(BaseModel):
    id: int
    status: Literal["received", "scheduled", "confirmed", "done", "cancelled"]
    topic: str
    kind: str
    urgency: str
    people_count: int
    created_at: datetime
    windows: list[WindowOut]
    visit: VisitRef | None = None
    cancel_reason: str | None = None


class RequestsOut(BaseModel):
    items: list[RequestOut]


class VillageVisitOut(BaseModel):
    slot_id: int
    starts_at: datetime
    ends_at: datetime
    people: list[str]
    rating: int | None = None


class VillageVisitsOut(BaseModel):
    items: list[VillageVisitOut]


class RatingIn(Body):
    score: int
    comment: str | None = Field(default=None, max_length=1000)


class RatingOut(BaseModel):
    slot_id: int
    score: int
    comment: str | None = None


# --- coordinator ---------------------------------------------------------------------------

class WeekQuery(Body):
    pass


class Reason(BaseModel):
    code: str
    text: str


class OpenPlaceOut(BaseModel):
    slot_id: int
    line: int
    site: str
    starts_at: datetime
    ends_at: datetime
    roles: list[str]
    missing: int
    reasons: list[Reason]


class DraftOut(BaseModel):
    lock_version: int = Field(description="Send it back when publishing (optimistic locking)")
    solver_status: str | None = None
    objective: float | None = None
    bound: float | None = None
    solved_at: datetime | None = None


class PublishedOut(BaseModel):
    version: int
    published_at: datetime


class WeekSummary(BaseModel):
    district_id: int
    week_start: date
    draft: DraftOut | None = None
    published: PublishedOut | None = None
    places: int
    open: int
    open_places: list[OpenPlaceOut]


class JobOut(BaseModel):
    id: int
    district_id: int
    week_start: date
    state: str
    cancel_requested: bool
    objective: float | None = None
    bound: float | None = None
    error: str | None = None


class PublishIn(Body):
    lock_version: int = Field(ge=0, description="The draft's lock_version read from the week summary")


class PublishOut(BaseModel):
    district_id: int
    week_start: date
    version: int
    published_at: datetime


# --- tokens --------------------------------------------------------------------------------

class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None = None


class Me(BaseModel):
    username: str
    role: Literal["coordinator", "provider", "village"]
    display_name: str | None = None
    district_id: int | None = None
    city_wide: bool
    token: TokenOut
