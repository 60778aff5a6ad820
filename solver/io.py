"""Reading and writing the roster documents (roster-format version 1).

This module is the entry point: solutions and pairings are written by `solver.solution_io`,
and field-by-field checking lives in `solver.reader`; both are re-exported here.
`parse_problem` validates a roster-problem/1 dict completely before it builds anything, and
reports every problem at once (one-time notice), each with its JSON path. Readers ignore
fields they do not know. Datetimes without an offset are local to the problem's
`timezone`; those with one are converted to it.
"""
from __future__ import annotations

from dataclasses import fields
from datetime import tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from solver.problem import (
    PROBLEM_FORMAT,
    SITE_KINDS,
    SLOT_KINDS,
    Assignment,
    DemandLine,
    Person,
    Problem,
    Rules,
    Site,
    Slot,
    Weights,
)
from solver.reader import (
    BAD,
    ProblemError,
    ProblemReader,
    Reader,
    describe,
    kind,
    parse_datetime,
    read_assignment,
    read_document,
)
from solver.solution_io import (
    SOLUTION_STATUSES,
    load_solution,
    pairing_to_dict,
    parse_solution,
    solution_to_dict,
)

__all__ = [
    "ProblemError", "SOLUTION_STATUSES", "load_problem", "load_solution", "pairing_to_dict",
    "parse_datetime", "parse_problem", "parse_solution", "read_document", "solution_to_dict",
]


# ------------------------------------------------------------------------- problem

def parse_problem(doc: Any) -> Problem:
    """Validate a roster-problem/1 dict and build the Problem; raise ProblemError listing
    every problem found."""
    if not isinstance(doc, dict):
        raise ProblemError([("$", f"must be an object, not {kind(doc)}")])
    pre = Reader()
    if doc.get("format") != PROBLEM_FORMAT:
        pre.error("$.format", f"must be {PROBLEM_FORMAT!r} (got {describe(doc.get('format'))})")
    zone_name = pre.field(doc, "timezone", "$", pre.text)
    zone: tzinfo | None = None
    if zone_name is not BAD:
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Asia" is a folder
            pre.error("$.timezone", f"is not a known IANA time zone like Asia/Shanghai "
                                    f"(got {describe(zone_name)})")
    # Datetimes are still checked without a zone; UTC stands in and nothing is built.
    r = ProblemReader(zone or ZoneInfo("UTC"))
    r.errors = pre.errors

    sites = _list_of(r, doc, "sites", _site)
    people = _list_of(r, doc, "people", _person)
    slots = _list_of(r, doc, "slots", _slot)
    site_ids = _ids(r, doc.get("sites"), "$.sites")
    person_ids = _ids(r, doc.get("people"), "$.people")
    slot_lines = _slot_lines(r, doc.get("slots"))
    _check_slot_sites(r, doc.get("slots"), site_ids)
    pinned = _assignments(r, doc, "pinned", slot_lines, person_ids, strict=True)
    previous = _assignments(r, doc, "previous", slot_lines, person_ids, strict=False)
    rules = _rules(r, doc.get("rules"))
    weights = _weights(r, doc.get("weights"))

    if r.errors:
        raise ProblemError(sorted(r.errors, key=_document_order))
    return Problem(timezone=zone_name, sites=sites, people=people, slots=slots,
                   pinned=tuple(dict.fromkeys(pinned)), previous=previous,
                   rules=rules, weights=weights)


_SECTIONS = ("$", "$.format", "$.timezone", "$.sites", "$.people", "$.slots", "$.pinned",
             "$.previous", "$.rules", "$.weights")


def _document_order(error: tuple[str, str]) -> tuple[int, int]:
    """Groups the errors of one item together (the sort is stable within an item)."""
    head, _, rest = error[0].partition("[")
    section = ".".join(head.split(".")[:2])
    rank = _SECTIONS.index(section) if section in _SECTIONS else len(_SECTIONS)
    index = rest.split("]")[0]
    return rank, int(index) if index.isdigit() else -1


def load_problem(path: str | Path) -> Problem:
    """Read and parse a problem file; unreadable or non-JSON files raise ProblemError too."""
    return parse_problem(read_document(path, "roster problem"))


def _list_of(r: ProblemReader, doc: dict, key: str, build) -> tuple:
    items = r.field(doc, key, "$", r.array)
    if items is BAD:
        return ()
    out = []
    for i, item in enumerate(items):
        path = f"$.{key}[{i}]"
        if r.obj(item, path) is not BAD:
            built = build(r, item, path)
            if built is not BAD:
                out.append(built)
    return tuple(out)


def _ids(r: Reader, items: Any, path: str) -> set[str]:
    """The ids of a list, reporting duplicates (a bad id is reported by its item)."""
    seen: dict[str, int] = {}
    if isinstance(items, list):
        for i, item in enumerate(items):
            ident = item.get("id") if isinstance(item, dict) else None
            if isinstance(ident, str) and ident.strip():
                if ident in seen:
                    r.error(f"{path}[{i}].id",
                            f"duplicates the id {ident!r} of {path}[{seen[ident]}]")
                else:
                    seen[ident] = i
    return set(seen)


def _site(r: ProblemReader, obj: dict, path: str) -> Any:
    values = dict(
        id=r.field(obj, "id", path, r.ident),
        name=r.field(obj, "name", path, r.text),
        kind=r.field(obj, "kind", path, r.choice_of(SITE_KINDS)),
        district=r.field(obj, "district", path, r.text),
        lat=r.field(obj, "lat", path, lambda v, p: r.number(v, p, lo=-90, hi=90)),
        lon=r.field(obj, "lon", path, lambda v, p: r.number(v, p, lo=-180, hi=180)),
        needs=r.field(obj, "needs", path, r.texts, default=()),
    )
    return BAD if BAD in values.values() else Site(**values)


def _person(r: ProblemReader, obj: dict, path: str) -> Any:
    non_negative = lambda v, p: r.number(v, p, lo=0)  # noqa: E731
    count = lambda v, p: r.integer(v, p, lo=0)  # noqa: E731
    values = dict(
        id=r.field(obj, "id", path, r.ident),
        name=r.field(obj, "name", path, r.text),
        roles=r.field(obj, "roles", path, r.texts),
        skills=r.field(obj, "skills", path, r.texts, default=()),
        district=r.field(obj, "district", path, r.text),
        lat=r.field(obj, "lat", path, lambda v, p: r.number(v, p, lo=-90, hi=90)),
        lon=r.field(obj, "lon", path, lambda v, p: r.number(v, p, lo=-180, hi=180)),
        max_hours=r.field(obj, "max_hours", path, non_negative),
        target_hours=r.field(obj, "target_hours", path, non_negative, default=None),
        max_slots_per_day=r.field(obj, "max_slots_per_day", path, count, default=None),
        available=r.field(obj, "available", path, r.intervals, default=None),
        unavailable=r.field(obj, "unavailable", path, r.intervals, default=()),
        undesired=r.field(obj, "undesired", path, r.intervals, default=()),
        paired_sites=r.field(obj, "paired_sites", path, r.texts, default=()),
        excluded_sites=r.field(obj, "excluded_sites", path, r.texts, default=()),
        max_paired_sites=r.field(obj, "max_paired_sites", path, count, default=None),
    )
    if BAD in values.values():
        return BAD
    for key in ("roles", "skills", "paired_sites", "excluded_sites"):
        values[key] = frozenset(values[key])
    return Person(**values)


def _demand_line(r: ProblemReader, obj: Any, path: str) -> Any:
    if r.obj(obj, path) is BAD:
        return BAD
    roles = r.field(obj, "roles", path, r.texts)
    if roles is not BAD and not roles:
        roles = r.error(f"{path}.roles", "must name at least one role")
    count = r.field(obj, "count", path, lambda v, p: r.integer(v, p, lo=1))
    skills = r.field(obj, "skills", path, r.texts, default=())
    if BAD in (roles, count, skills):
        return BAD
    return DemandLine(roles=frozenset(roles), count=count, skills=frozenset(skills))


def _slot(r: ProblemReader, obj: dict, path: str) -> Any:
    values = dict(
        id=r.field(obj, "id", path, r.ident),
        site=r.field(obj, "site", path, r.ident),
        kind=r.field(obj, "kind", path, r.choice_of(SLOT_KINDS)),
    )
    span = r.span(obj, path)
    demand = r.field(obj, "demand", path, r.array)
    if demand is not BAD:
        if not demand:
            demand = r.error(f"{path}.demand", "must list at least one line")
        else:
            lines = [_demand_line(r, line, f"{path}.demand[{i}]") for i, line in enumerate(demand)]
            demand = BAD if BAD in lines else tuple(lines)
    values.update(
        priority=r.field(obj, "priority", path, lambda v, p: r.integer(v, p, lo=1, hi=5),
                         default=3),
        choice=r.field(obj, "choice", path, r.ident, default=None),
        choice_cost=r.field(obj, "choice_cost", path, lambda v, p: r.number(v, p, lo=0),
                            default=0.0),
    )
    if span is BAD or demand is BAD or BAD in values.values():
        return BAD
    return Slot(start=span[0], end=span[1], demand=demand, **values)


def _slot_lines(r: Reader, items: Any) -> dict[str, int | None]:
    """Slot id -> number of demand lines (None when the demand itself is malformed)."""
    out: dict[str, int | None] = {}
    for item in items if isinstance(items, list) else ():
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            demand = item.get("demand")
            out.setdefault(item["id"], len(demand) if isinstance(demand, list) else None)
    return out


def _check_slot_sites(r: Reader, items: Any, site_ids: set[str]) -> None:
    for i, item in enumerate(items if isinstance(items, list) else ()):
        site = item.get("site") if isinstance(item, dict) else None
        if isinstance(site, str) and site.strip() and site not in site_ids:
            r.error(f"$.slots[{i}].site", f"names the unknown site {site!r}")


def _assignments(r: Reader, doc: dict, key: str, slot_lines: dict[str, int | None],
                 person_ids: set[str], *, strict: bool) -> tuple[Assignment, ...]:
    """`pinned` must name existing slots, people and lines; `previous` may name ones that are
    gone (they still cost `change`)."""
    items = r.field(doc, key, "$", r.array, default=[])
    if items is BAD:
        return ()
    out = []
    for i, item in enumerate(items):
        path = f"$.{key}[{i}]"
        a = read_assignment(r, item, path)
        if a is BAD:
            continue
        if strict:
            if a.slot not in slot_lines:
                r.error(f"{path}.slot", f"names the unknown slot {a.slot!r}")
            elif slot_lines[a.slot] is not None and a.line >= slot_lines[a.slot]:
                r.error(f"{path}.line", f"must be a line index of slot {a.slot!r}: 0 to "
                                        f"{slot_lines[a.slot] - 1} (got {a.line})")
            if a.person not in person_ids:
                r.error(f"{path}.person", f"names the unknown person {a.person!r}")
        out.append(a)
    return tuple(out)


def _rules(r: Reader, obj: Any) -> Rules:
    if obj is None or r.obj(obj, "$.rules") is BAD:
        return Rules()
    defaults = Rules()
    positive = lambda v, p: r.number(v, p, positive=True)  # noqa: E731
    values = dict(
        travel_kmh=r.field(obj, "travel_kmh", "$.rules", positive, default=defaults.travel_kmh),
        road_factor=r.field(obj, "road_factor", "$.rules", positive, default=defaults.road_factor),
        trainee_role=r.field(obj, "trainee_role", "$.rules", r.ident,
                             default=defaults.trainee_role),
        supervisor_role=r.field(obj, "supervisor_role", "$.rules", r.ident,
                                default=defaults.supervisor_role),
    )
    return Rules() if BAD in values.values() else Rules(**values)


def _weights(r: Reader, obj: Any) -> Weights:
    if obj is None or r.obj(obj, "$.weights") is BAD:
        return Weights()
    defaults = Weights()
    values = {f.name: r.field(obj, f.name, "$.weights", lambda v, p: r.number(v, p, lo=0),
                              default=getattr(defaults, f.name))
              for f in fields(Weights)}
    return Weights() if BAD in values.values() else Weights(**values)
