"""The route x role table of `tests/web/test_route_access.py`: every endpoint, the arguments
its URL needs (built in the test's world) and the answer each role gets.

A new route must be added to ROUTES with its access rules, or `test_every_endpoint_is_in_the_table`
fails. Arguments for the swap, account and notices endpoints live in `tests.web.swaps_access`,
`accounts_access` and `notices_access`.
"""
# long-file: one row per endpoint (about 130); the table is read whole, so it stays one file.
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.web import accounts_access as accounts
from tests.web import notices_access as notices
from tests.web import swaps_access as answers
from tests.web.conftest import NOW

ROLES = ("anonymous", "coord_a", "coord_b", "city", "provider", "village")
LOGIN = "login"  # 302 to the sign-in page


@dataclass(frozen=True)
class To:
    """A 302 to this path."""

    path: str


@dataclass(frozen=True)
class Route:
    method: str
    args: Callable[[object], dict]
    expect: dict[str, object]


def no_args(_world) -> dict:
    return {}


def person_a(world) -> dict:
    return {"person_id": world.person_a.id}


def site_a(world) -> dict:
    return {"site_id": world.village_a.id}


def district_a(world) -> dict:
    return {"district_id": world.district_a.id}


def window_a(world) -> dict:
    return {"site_id": world.window_a.id}


def feed_token(world) -> dict:
    """A live feed URL of person A: the feed itself needs no sign-in."""
    from sqlalchemy.orm import object_session

    from scheduler.feeds.tokens import issue_token

    return {"token": issue_token(object_session(world.person_a), "person", world.person_a.id, reset=True, now=NOW)}


WEEK_A = "2026-11-30"


def week_a(world) -> dict:
    return {"district_id": world.district_a.id, "week": WEEK_A}


def job_a(world) -> dict:
    from sqlalchemy.orm import object_session

    from scheduler.core.weeks import parse_week
    from scheduler.jobs.solve_jobs import request_solve

    job, _ = request_solve(object_session(world.person_a), world.district_a.id, parse_week(WEEK_A), None)
    return {"job_id": job.id}


def feed_job_a(world) -> dict:
    """A feed job left by a publish of district A's week."""
    from sqlalchemy.orm import object_session

    from models import FeedJob, Schedule
    from scheduler.core.weeks import parse_week

    session = object_session(world.person_a)
    version = Schedule(district_id=world.district_a.id, week_start=parse_week(WEEK_A), state="published", version=1,
                       published_at=NOW)
    session.add(version)
    session.flush()
    job = FeedJob(district_id=world.district_a.id, week_start=version.week_start, schedule_id=version.id, total=600)
    session.add(job)
    session.flush()
    return {"job_id": job.id}


def place_a(world) -> dict:
    from sqlalchemy.orm import object_session

    from tests.factories import Factory

    slot = Factory(object_session(world.person_a)).slot(world.village_a)
    return {**week_a(world), "slot_id": slot.id, "line": 0}


def assignment_a(world) -> dict:
    from sqlalchemy.orm import object_session

    from models import Assignment
    from scheduler.core.weeks import parse_week
    from scheduler.week.drafts import get_or_create_draft

    session = object_session(world.person_a)
    slot_id = place_a(world)["slot_id"]
    draft = get_or_create_draft(session, world.district_a.id, parse_week(WEEK_A), None)
    draft.assignments.append(Assignment(slot_id=slot_id, person_id=world.person_a.id, line_index=0))
    session.flush()
    return {"assignment_id": draft.assignments[-1].id}


def slot_of_a(world) -> dict:
    return {"slot_id": place_a(world)["slot_id"]}


def rule_of_a(world) -> dict:
    from datetime import time

    from sqlalchemy.orm import object_session

    from models import AvailabilityRule

    rule = AvailabilityRule(person_id=world.person_a.id, weekday=0, start_time=time(9), end_time=time(12))
    object_session(world.person_a).add(rule)
    object_session(world.person_a).flush()
    return {"rule_id": rule.id}


def period_of_a(world) -> dict:
    from datetime import timedelta

    from sqlalchemy.orm import object_session

    from models import AvailabilityException

    start = NOW + timedelta(days=2)
    row = AvailabilityException(person_id=world.person_a.id, kind="unavailable", start_at=start,
                                end_at=start + timedelta(hours=3))
    object_session(world.person_a).add(row)
    object_session(world.person_a).flush()
    return {"exception_id": row.id}


def providers_only(ok=200) -> dict[str, object]:
    """The provider's own corner: the provider only."""
    return {role: 403 for role in ROLES} | {"anonymous": LOGIN, "provider": ok}


def published_a(world) -> dict:
    """A published week of district A: person A on a shift at A's window."""
    from sqlalchemy.orm import object_session

    from models import Assignment
    from tests.factories import Factory

    session = object_session(world.person_a)
    make = Factory(session)
    slot = make.slot(world.window_a, kind="shift")
    schedule = make.schedule(world.district_a, state="published", version=1, published_at=NOW)
    session.add(Assignment(schedule_id=schedule.id, slot_id=slot.id, person_id=world.person_a.id, line_index=0))
    session.flush()
    return {"district": world.district_a.id, "week": "2026-11-30"}


def roster_a(world) -> dict:
    return {"site_id": world.window_a.id, "week": published_a(world)["week"]}


def every(value, **overrides) -> dict[str, object]:
    return {role: overrides.get(role, value) for role in ROLES}


def proposal_a(world) -> dict:
    """An open re-pairing proposal of district A."""
    from datetime import date

    from sqlalchemy.orm import object_session

    from scheduler.advisers.pairings import propose

    return {"proposal_id": propose(object_session(world.person_a), None, world.district_a.id, date(2026, 11, 26)).id}


def coordinators_only(ok=200) -> dict[str, object]:
    return every(403, anonymous=LOGIN, coord_a=ok, coord_b=ok, city=ok)


def district_a_only(ok=200, foreign=404) -> dict[str, object]:
    """Objects of district A: its coordinator and the city see them, B's coordinator does not."""
    return every(403, anonymous=LOGIN, coord_a=ok, coord_b=foreign, city=ok)


def template_a(world) -> dict:
    """A window-shift template at A's window."""
    from datetime import time

    from sqlalchemy.orm import object_session

    from models import ShiftTemplate, ShiftTemplateLine

    row = ShiftTemplate(site_id=world.window_a.id, name="上午", weekday=0, start_time=time(9), end_time=time(12),
                        lines=[ShiftTemplateLine(idx=0, roles=["lawyer"], count=1, skills=[])])
    object_session(world.person_a).add(row)
    object_session(world.person_a).flush()
    return {"template_id": row.id}


def event_a(world) -> dict:
    """A planned square event of district A, ahead."""
    from datetime import timedelta

    from sqlalchemy.orm import object_session

    from models import EventLine, SquareEvent

    start = NOW + timedelta(days=3)
    row = SquareEvent(site_id=world.window_a.id, title="普法", start_at=start, end_at=start + timedelta(hours=2),
                      lines=[EventLine(idx=0, roles=["lawyer"], count=1, skills=[])])
    object_session(world.person_a).add(row)
    object_session(world.person_a).flush()
    return {"event_id": row.id}


def exclusion_a(world) -> dict:
    from sqlalchemy.orm import object_session

    from models import SiteExclusion

    object_session(world.person_a).add(SiteExclusion(person_id=world.person_a.id, site_id=world.village_a.id,
                                                     reason="亲属"))
    object_session(world.person_a).flush()
    return {"site_id": world.village_a.id, "person_id": world.person_a.id}


def request_a(world) -> dict:
    """A village request of district A, owned by A's coordinator."""
    from sqlalchemy.orm import object_session

    from models import VisitRequest

    session = object_session(world.person_a)
    row = VisitRequest(village_id=world.village_a.id, district_id=world.district_a.id, topic="宅基地纠纷",
                       kind="consultation", owner_id=world.users["coord_a"].id)
    session.add(row)
    session.flush()
    return {"request_id": row.id}


def visit_served_a(world) -> dict:
    """A published visit of person A at A's village that took place yesterday."""
    from datetime import timedelta

    from sqlalchemy.orm import object_session

    from models import Assignment
    from scheduler.core.weeks import monday_of, to_local
    from scheduler.week.drafts import get_or_create_draft, publish
    from tests.factories import Factory

    session = object_session(world.person_a)
    start = (NOW - timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    week = monday_of(to_local(start).date())
    slot = Factory(session).slot(world.village_a, start=start, week_start=week)
    draft = get_or_create_draft(session, world.district_a.id, week, None)
    draft.assignments.append(Assignment(slot_id=slot.id, person_id=world.person_a.id, line_index=0))
    session.flush()
    publish(session, world.district_a.id, week, None, now=NOW)
    return {"slot_id": slot.id}


def village_ref_a(world) -> dict:
    return {"ref": world.village_a.external_id}


def product_one(world) -> dict:
    """The first product of the catalogue the migration seeds."""
    from sqlalchemy import select
    from sqlalchemy.orm import object_session

    from models import ServiceProduct

    return {"product_id": object_session(world.person_a).scalar(select(ServiceProduct.id).order_by(ServiceProduct.id))}


def referral_a(world) -> dict:
    """A referral entry of district A."""
    from sqlalchemy.orm import object_session

    from models import Referral

    row = Referral(district_id=world.district_a.id, name_zh="甲区信访局", phone="0574-1")
    object_session(world.person_a).add(row)
    object_session(world.person_a).flush()
    return {"referral_id": row.id}


ROUTES: dict[str, Route] = {
    "static": Route("GET", lambda w: {"filename": "css/site.css"}, every(200)),
    "auth.login": Route("GET", no_args, every(To("/"), anonymous=200)),
    "auth.logout": Route("POST", no_args, every(To("/login"))),
    # The second sign-in step needs a sign-in waiting for its code; without one, back to /login.
    "auth.second_factor": Route("GET", no_args, every(To("/"), anonymous=To("/login"))),
    "auth.language": Route("POST", no_args, every(400)),  # no language posted
    "auth.two_factor": Route("GET", no_args, every(200, anonymous=LOGIN)),
    "auth.two_factor_setup": Route("POST", no_args, every(200, anonymous=LOGIN)),
    "auth.two_factor_confirm": Route("POST", no_args, every(To("/account/two-factor"), anonymous=LOGIN)),
    "auth.recovery_codes": Route("POST", no_args, every(To("/account/two-factor"), anonymous=LOGIN)),
    "auth.two_factor_disable": Route("POST", no_args, every(To("/account/two-factor"), anonymous=LOGIN)),
    "auth.change_password": Route("GET", no_args, every(200, anonymous=LOGIN)),
    "home.home": Route("GET", no_args, every(
        To("/dashboard"), anonymous=200, provider=To("/me"), village=To("/my-village"))),
    "home.dashboard": Route("GET", no_args, coordinators_only()),
    "home.district": Route("GET", district_a, district_a_only(foreign=403)),
    "home.me": Route("GET", no_args, every(403, anonymous=LOGIN, provider=200)),
    "home.my_village": Route("GET", no_args, every(403, anonymous=LOGIN, village=200)),
    "people.index": Route("GET", no_args, coordinators_only()),
    "people.detail": Route("GET", person_a, district_a_only()),
    "people.edit": Route("GET", person_a, district_a_only()),
    "people.reveal_phone": Route("POST", person_a, district_a_only()),
    "people.deactivate": Route("POST", person_a, district_a_only(ok=302)),
    "people.reactivate": Route("POST", person_a, district_a_only(ok=302)),
    "skills.index": Route("GET", no_args, coordinators_only()),
    # Renaming a skill changes what every district reads: the city's coordinators only.
    "skills.edit": Route("GET", lambda _world: {"code": "family"}, every(403, anonymous=LOGIN, city=200)),
    "sites.index": Route("GET", no_args, coordinators_only()),
    "sites.detail": Route("GET", site_a, district_a_only()),
    "advisers.index": Route("GET", district_a, district_a_only(foreign=403)),
    "advisers.propose": Route("POST", district_a, district_a_only(ok=302, foreign=403)),
    "advisers.proposal": Route("GET", proposal_a, district_a_only()),
    "advisers.repropose": Route("POST", proposal_a, district_a_only(ok=302)),
    "advisers.approve": Route("POST", proposal_a, district_a_only(ok=302)),
    "advisers.discard": Route("POST", proposal_a, district_a_only(ok=302)),
    "feeds.calendar": Route("GET", feed_token, every(200)),
    "feeds.person": Route("GET", person_a, district_a_only() | {"provider": 200}),
    "feeds.person_link": Route("POST", person_a, district_a_only() | {"provider": 200}),
    "feeds.village": Route("GET", site_a, district_a_only() | {"village": 200}),
    "feeds.village_link": Route("POST", site_a, district_a_only() | {"village": 200}),
    "feeds.site": Route("GET", window_a, district_a_only()),
    "feeds.site_link": Route("POST", window_a, district_a_only()),
    "health.healthz": Route("GET", no_args, every(200)),
    "portal.services": Route("GET", no_args, every(200)),
    "portal.directory_index": Route("GET", no_args, every(200)),
    "portal.site": Route("GET", window_a, every(200)),
    "portal.villages": Route("GET", no_args, every(200)),
    "portal.village_page": Route("GET", village_ref_a, every(200)),
    "portal.village_calendar": Route("GET", village_ref_a, every(200)),
    "portal.referral_list": Route("GET", no_args, every(200)),
    "portal.manage_products": Route("GET", no_args, coordinators_only()),
    "portal.manage_product_new": Route("GET", no_args, every(403, anonymous=LOGIN, city=200)),
    "portal.manage_product": Route("GET", product_one, every(403, anonymous=LOGIN, city=200)),
    "portal.manage_product_active": Route("POST", product_one, every(403, anonymous=LOGIN, city=302)),
    "portal.manage_referrals": Route("GET", no_args, coordinators_only()),
    "portal.manage_referral_new": Route("GET", no_args, coordinators_only()),
    "portal.manage_referral": Route("GET", referral_a, district_a_only()),
    "portal.manage_referral_active": Route("POST", referral_a, district_a_only(ok=302)),
    "portal.manage_numbers": Route("GET", district_a, district_a_only(foreign=403)),
    "health.readyz": Route("GET", no_args, every(200)),
    "mine.assignments": Route("GET", no_args, providers_only()),
    "mine.decline": Route("POST", slot_of_a, providers_only(302)),
    "mine.availability": Route("GET", no_args, providers_only()),
    "mine.add_rule": Route("POST", no_args, providers_only(302)),
    "mine.delete_rule": Route("POST", rule_of_a, providers_only(302)),
    "mine.add_exception": Route("POST", no_args, providers_only(302)),
    "mine.delete_exception": Route("POST", period_of_a, providers_only(302)),
    "mine.upload_calendar": Route("POST", no_args, providers_only(400)),  # no file: the form is refused
    "swaps.my_swaps": Route("GET", no_args, providers_only()),
    "swaps.ask": Route("GET", answers.my_place, providers_only()),
    "swaps.accept": Route("POST", answers.asked_of_a, providers_only(302)),
    "swaps.refuse": Route("POST", answers.asked_of_a, providers_only(302)),
    "swaps.withdraw": Route("POST", answers.asked_by_a, providers_only(302)),
    "swaps.district": Route("GET", district_a, district_a_only(foreign=403)),
    "swaps.replan": Route("POST", answers.week_of_a, district_a_only(ok=302, foreign=403)),
    "swaps.approve": Route("POST", answers.asked_of_a, district_a_only(ok=302)),
    "swaps.reject": Route("POST", answers.asked_of_a, district_a_only(ok=302)),
    "week.index": Route("GET", no_args, every(403, anonymous=LOGIN, coord_a=302, coord_b=302, city=200)),
    "week.show": Route("GET", week_a, district_a_only(foreign=403)),
    "week.solve": Route("POST", week_a, district_a_only(ok=302, foreign=403)),
    "week.job": Route("GET", job_a, district_a_only()),
    "week.calendars": Route("GET", feed_job_a, district_a_only()),
    "week.job_status": Route("GET", job_a, district_a_only()),
    "week.cancel_job": Route("POST", job_a, district_a_only(ok=302)),
    "week.review": Route("GET", week_a, district_a_only(foreign=403)),
    "week.publish": Route("POST", week_a, district_a_only(ok=302, foreign=403)),
    "week.assign": Route("GET", place_a, district_a_only(foreign=403)),
    "week.repair": Route("POST", place_a, district_a_only(ok=302, foreign=403)),
    "week.lock": Route("POST", assignment_a, district_a_only(ok=302)),
    "week.unlock": Route("POST", assignment_a, district_a_only(ok=302)),
    "week.unassign": Route("POST", assignment_a, district_a_only(ok=302)),
    "transfer.index": Route("GET", no_args, coordinators_only()),
    "transfer.template": Route("GET", lambda w: {"kind": "people"}, coordinators_only()),
    "transfer.upload": Route("POST", no_args, coordinators_only(ok=400)),
    "transfer.confirm": Route("POST", lambda w: {"token": "x" * 32}, coordinators_only(ok=404)),
    "transfer.export_week": Route("GET", published_a, district_a_only(foreign=403)),
    "transfer.export_week_post": Route("POST", no_args, coordinators_only(ok=400)),  # an empty form
    "transfer.record": Route("GET", lambda w: {"kind": "person", "subject_id": w.person_a.id}, district_a_only()),
    "transfer.record_full": Route("POST", lambda w: {"subject_id": w.person_a.id}, district_a_only()),
    "transfer.find": Route("GET", lambda w: {"what": "poster", "ref": w.village_a.external_id},
                           coordinators_only(ok=302)),
    "transfer.notices_css": Route("GET", no_args, every(200)),
    "transfer.roster": Route("GET", roster_a, district_a_only()),
    "transfer.roster_pdf": Route("GET", roster_a, district_a_only()),
    "transfer.district_rosters": Route("GET", published_a, district_a_only(foreign=403)),
    "transfer.district_posters": Route("GET", lambda w: {"district": w.district_a.id}, district_a_only(foreign=403)),
    "transfer.poster": Route("GET", site_a, district_a_only()),
    "transfer.poster_pdf": Route("GET", site_a, district_a_only()),
    "transfer.poster_link": Route("POST", site_a, district_a_only()),
    "sites.new": Route("GET", no_args, coordinators_only()),
    "sites.edit": Route("GET", site_a, district_a_only()),
    "sites.add_exclusion": Route("POST", site_a, district_a_only(ok=302)),
    "sites.remove_exclusion": Route("POST", exclusion_a, district_a_only(ok=302)),
    "demand.index": Route("GET", no_args, every(403, anonymous=LOGIN, coord_a=302, coord_b=302, city=200)),
    "demand.district": Route("GET", district_a, district_a_only(foreign=403)),
    "demand.new_template": Route("GET", district_a, district_a_only(foreign=403)),
    "demand.edit_template": Route("GET", template_a, district_a_only()),
    "demand.deactivate_template": Route("POST", template_a, district_a_only(ok=302)),
    "demand.reactivate_template": Route("POST", template_a, district_a_only(ok=302)),
    "demand.new_event": Route("GET", district_a, district_a_only(foreign=403)),
    "demand.edit_event": Route("GET", event_a, district_a_only()),
    "demand.cancel_event": Route("POST", event_a, district_a_only(ok=302)),
    "availability.week": Route("GET", person_a, district_a_only()),
    "availability.add_rule": Route("POST", person_a, district_a_only(ok=302)),
    "availability.delete_rule": Route("POST", lambda w: {**person_a(w), **rule_of_a(w)}, district_a_only(ok=302)),
    "availability.add_exception": Route("POST", person_a, district_a_only(ok=302)),
    "availability.delete_exception": Route("POST", lambda w: {**person_a(w), **period_of_a(w)},
                                           district_a_only(ok=302)),
    "requests.index": Route("GET", no_args, every(200, anonymous=LOGIN, provider=403)),
    "requests.queue": Route("GET", no_args, coordinators_only()),
    "requests.new": Route("GET", no_args, every(200, anonymous=LOGIN, provider=403)),
    "requests.detail": Route("GET", request_a, district_a_only() | {"village": 200}),
    "requests.handover": Route("POST", request_a, district_a_only(ok=302)),
    "requests.confirm": Route("POST", request_a, district_a_only(ok=302)),
    "requests.close": Route("POST", request_a, district_a_only(ok=302)),
    "requests.cancel": Route("POST", request_a, district_a_only(ok=302) | {"village": 302}),
    "visits.outcomes": Route("GET", no_args, providers_only()),
    "visits.record_outcome": Route("POST", visit_served_a, providers_only()),
    "visits.village": Route("GET", no_args, every(403, anonymous=LOGIN, village=200)),
    "visits.rate": Route("POST", visit_served_a, every(403, anonymous=LOGIN, village=200)),
    "reports.index": Route("GET", no_args, coordinators_only()),
    "reports.export": Route("GET", lambda w: {"fmt": "xlsx"}, coordinators_only()),
    "accounts.index": Route("GET", no_args, coordinators_only()),
    "accounts.new": Route("GET", no_args, coordinators_only(ok=302)),  # no ID given: back to the list
    "accounts.new_person": Route("GET", person_a, district_a_only()),
    "accounts.new_village": Route("GET", accounts.village_a, district_a_only()),
    "accounts.new_coordinator": Route("GET", no_args, every(403, anonymous=LOGIN, city=200)),
    "accounts.bulk_create": Route("GET", no_args, coordinators_only()),
    "accounts.detail": Route("GET", accounts.provider_a, district_a_only()),
    **{f"accounts.{name}": Route("POST", accounts.provider_a, district_a_only(ok=302))
       for name in ("resend", "unlock", "deactivate", "reactivate")},
    "accounts.scope": Route("POST", accounts.coord_a, every(403, anonymous=LOGIN, city=302)),
    "accounts.invitation": Route("GET", accounts.invitation_link, every(200)),
    "accounts.reset": Route("GET", accounts.reset_link, every(200)),
    "accounts.forgot": Route("GET", no_args, every(200)),
    "notices.outbox": Route("GET", no_args, coordinators_only()),
    "notices.resend": Route("POST", notices.failed_notice_a, district_a_only(ok=302)),
    "notices.person_preferences": Route("GET", person_a, district_a_only() | {"provider": 200}),
    "notices.village_preferences": Route("GET", notices.village_a, district_a_only() | {"village": 200}),
    "notices.mine": Route("GET", no_args, every(403, anonymous=LOGIN, provider=302, village=302)),
}
