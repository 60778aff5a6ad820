"""Demo people: role mix, skills, weekly availability, dated exceptions.

Role shares follow the source figures (18,895 mediators, 5,000 publicity volunteers and
1,860 legal promoters city-wide, about 15% lawyers). Weekly patterns follow how these
people actually work: lawyers lose half-days to court, grassroots workers keep office
hours, mediators mostly give mornings, volunteers and promoters give weekends and evenings.
"""
from __future__ import annotations

import random
from datetime import date, time, timedelta
from functools import cache

from scheduler.demo.model import DatedException, WeeklyRule

ROLE_SHARES = (  # role, share of a district's people; mediators take the rest
    ("lawyer", 0.15),
    ("trainee_lawyer", 0.02),
    ("notary", 0.01),
    ("forensic_expert", 0.005),
    ("grassroots_worker", 0.03),
    ("legal_promoter", 0.057),
    ("volunteer", 0.152),
)
TINY_ROLES = {"lawyer": 14, "trainee_lawyer": 2, "notary": 2, "forensic_expert": 1,
              "grassroots_worker": 4, "mediator": 9, "volunteer": 5, "legal_promoter": 3}
# External id letter per main role, as in the spec's examples (YZ-L0001, YZ-M0001 ...).
ROLE_LETTER = {"lawyer": "L", "trainee_lawyer": "T", "notary": "N", "forensic_expert": "F",
               "grassroots_worker": "G", "mediator": "M", "volunteer": "VO",
               "legal_promoter": "P"}

PRACTICE_AREAS = (("family", 18), ("labour", 16), ("contract", 18), ("land", 10),
                  ("criminal", 10), ("administrative", 7), ("property", 8), ("traffic", 6),
                  ("medical", 3), ("company", 10))


def role_counts(n_people: int) -> dict[str, int]:
    counts = {role: round(n_people * share) for role, share in ROLE_SHARES}
    counts["mediator"] = n_people - sum(counts.values())
    return counts


def skills_for(rng: random.Random, role: str, rural: bool) -> tuple[str, ...]:
    s: set[str] = set()
    if role in ("lawyer", "trainee_lawyer"):
        areas, weights = zip(*PRACTICE_AREAS)
        for _ in range(rng.choice((1, 1, 2, 2, 3)) if role == "lawyer" else rng.choice((0, 1))):
            s.add(rng.choices(areas, weights)[0])
        if rng.random() < (0.6 if rural else 0.4):
            s.add("dialect_ningbo")
        if rng.random() < 0.1:
            s.add(rng.choice(("elderly", "youth")))
    elif role == "mediator":
        if rng.random() < 0.75:
            s.add("dialect_ningbo")
        for tag, p in (("family", 0.35), ("land", 0.25 if rural else 0.05), ("labour", 0.1),
                       ("traffic", 0.05), ("medical", 0.03), ("elderly", 0.1)):
            if rng.random() < p:
                s.add(tag)
    elif role == "grassroots_worker":
        for tag, p in (("dialect_ningbo", 0.7), ("land", 0.3), ("administrative", 0.3)):
            if rng.random() < p:
                s.add(tag)
    elif role == "notary":
        for tag, p in (("property", 0.4), ("family", 0.3), ("contract", 0.3)):
            if rng.random() < p:
                s.add(tag)
    elif role == "forensic_expert":
        s.add(rng.choice(("medical", "traffic", "property")))
    else:  # volunteers and promoters
        for tag, p in (("dialect_ningbo", 0.5), ("youth", 0.25), ("elderly", 0.15)):
            if rng.random() < p:
                s.add(tag)
    return tuple(sorted(s))


@cache
def rule(weekday: int, start: str, end: str) -> WeeklyRule:
    """Interned: tens of thousands of people share a few hundred distinct rules."""
    return WeeklyRule(weekday, time.fromisoformat(start), time.fromisoformat(end))


def _am(rng, office=False):
    if office:  # people whose job is the window keep its hours
        return rng.choice(("08:00", "08:30", "08:30")), "12:00"
    return (rng.choice(("08:00", "08:30", "08:30", "08:30", "09:00")),
            rng.choice(("11:30", "12:00", "12:00", "12:00")))


def _pm(rng, office=False):
    if office:
        return rng.choice(("13:00", "13:30", "13:30")), rng.choice(("17:00", "17:30"))
    return (rng.choice(("13:00", "13:30", "13:30", "14:00")),
            rng.choice(("17:00", "17:30", "17:30", "18:00")))


def _office_day(rng, day, p_am, p_pm, p_join=0.3, office=False) -> list[WeeklyRule]:
    am, pm = rng.random() < p_am, rng.random() < p_pm
    if am and pm and rng.random() < p_join:
        return [rule(day, _am(rng, office)[0], _pm(rng, office)[1])]
    out = []
    if am:
        out.append(rule(day, *_am(rng, office)))
    if pm:
        out.append(rule(day, *_pm(rng, office)))
    return out


def _weekend(rng, p_sat, p_sun) -> list[WeeklyRule]:
    out = []
    for day, p in ((5, p_sat), (6, p_sun)):
        if rng.random() < p:
            out.append(rule(day, *rng.choice((("08:30", "17:30"), ("09:00", "17:00"),
                                              ("08:30", "12:00"), ("13:30", "17:30")))))
    return out


def _evenings(rng, p) -> list[WeeklyRule]:
    return [rule(d, rng.choice(("18:00", "18:30")), rng.choice(("21:00", "21:30")))
            for d in range(5) if rng.random() < p]


def weekly_availability(rng: random.Random, role: str) -> tuple[WeeklyRule, ...]:
    out: list[WeeklyRule] = []
    if role == "lawyer":  # about a quarter of half-days go to court, clients, the firm
        for d in range(5):
            out += _office_day(rng, d, 0.72, 0.75)
        out += _evenings(rng, 0.12) + _weekend(rng, 0.2, 0.1)
    elif role == "trainee_lawyer":
        for d in range(5):
            out += _office_day(rng, d, 0.85, 0.85, 0.5)
        out += _weekend(rng, 0.3, 0.1)
    elif role in ("notary", "grassroots_worker"):
        for d in range(5):
            out += _office_day(rng, d, 0.93, 0.9, 0.0, office=True)
        if rng.random() < 0.25:
            out.append(rule(5, "08:30", "12:00"))
    elif role == "forensic_expert":
        for d in range(5):
            out += _office_day(rng, d, 0.6, 0.6)
    elif role == "mediator":
        retired = rng.random() < 0.3
        for d in range(5):
            out += _office_day(rng, d, 0.85 if retired else 0.55, 0.5 if retired else 0.25)
        out += _weekend(rng, 0.15, 0.05)
    elif role == "volunteer":
        out += _weekend(rng, 0.65, 0.55) + _evenings(rng, 0.25)
        if rng.random() < 0.15:  # retired volunteers also give weekday mornings
            out += [rule(d, *_am(rng)) for d in range(5) if rng.random() < 0.6]
    elif role == "legal_promoter":
        out += _weekend(rng, 0.5, 0.4)
        out += [rule(d, *_pm(rng)) for d in range(5) if rng.random() < 0.25]
    else:
        raise ValueError(f"unknown role {role!r}")
    if not out:  # everyone on the books gives some time; none at all would read as "always"
        out.append(rule(5, "09:00", "12:00") if role in ("volunteer", "legal_promoter")
                   else rule(rng.randrange(5), *_am(rng)))
    out.sort(key=lambda r: (r.weekday, r.start))
    return tuple(out)


def weekly_undesired(rng: random.Random) -> tuple[WeeklyRule, ...]:
    if rng.random() >= 0.1:
        return ()
    return (rng.choice((rule(0, "00:00", "12:00"), rule(4, "12:00", "18:00"),
                        rule(5, "08:00", "18:00"), rule(2, "12:00", "18:00"))),)


LAWYER_NOTES = ("出庭", "出庭", "外地出差", "律所例会", "律协培训")
COMMON_NOTES = ("病假", "年假", "家中有事", "参加培训", "单位会议")


def dated_exceptions(rng: random.Random, role: str, first_day: date,
                     weeks: int) -> tuple[DatedException, ...]:
    """About a quarter of people have one or two exceptions over the next few weeks."""
    if rng.random() >= 0.25:
        return ()
    out = []
    for _ in range(rng.choice((1, 1, 2))):
        day = first_day + timedelta(days=rng.randrange(weeks * 7))
        note = rng.choice(LAWYER_NOTES if role == "lawyer" else COMMON_NOTES)
        if note in ("病假", "年假", "外地出差"):
            span = rng.choice((1, 1, 2, 3)) if note != "病假" else 1
            for k in range(min(span, weeks * 7 - (day - first_day).days)):
                out.append(DatedException(day + timedelta(days=k), time(0), None,
                                          "unavailable", note))
        elif note == "家中有事":
            start, end = rng.choice(((time(0), time(12)), (time(12), None)))
            out.append(DatedException(day, start, end, "undesired", note))
        elif note == "出庭":
            start, end = rng.choice(((time(9), time(11, 30)), (time(14), time(17))))
            out.append(DatedException(day, start, end, "unavailable", note))
        else:
            out.append(DatedException(day, time(13, 30), time(17, 30), "unavailable", note))
    out.sort(key=lambda e: (e.day, e.start))
    return tuple(out)


def hours_limits(rng: random.Random, role: str) -> tuple[int, int | None, int | None]:
    """(max_hours_week, target_hours_week, max_slots_per_day)."""
    max_h = rng.choice({
        "lawyer": (4, 6, 8, 8, 10, 12, 16), "trainee_lawyer": (8, 12, 16),
        "notary": (8, 12, 16), "forensic_expert": (4, 6, 8),
        "grassroots_worker": (10, 16, 20), "mediator": (2, 3, 4, 6, 8),
        "volunteer": (2, 3, 4, 6), "legal_promoter": (3, 4, 6, 8),
    }[role])
    target = min(max_h, rng.choice((2, 4, 6, 7))) if rng.random() < 0.25 else None
    per_day = rng.choice((1, 2)) if rng.random() < 0.2 else None
    return max_h, target, per_day
