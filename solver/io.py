"""Reading and writing the roster documents (roster-format version 1).

`parse_problem` validates a roster-problem/1 dict completely before it builds anything, and
reports every problem at once (one-time notice), each with its JSON path. Readers ignore
fields they do not know. Datetimes without an offset are local to the problem's
`timezone`; those with one are converted to it.
"""
from __future__ import annotations

import json
import math
from dataclasses import fields
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from solver.problem import (
    PAIRING_FORMAT, PROBLEM_FORMAT, SITE_KINDS, SLOT_KINDS, SOLUTION_FORMAT, Assignment,
    DemandLine, Interval, OpenPlace, Pairing, Person, Problem, Reason, Rules, Site, Slot,
    Solution, Weights,
)

SOLUTION_STATUSES = ("optimal", "feasible", "infeasible", "unknown")


class ProblemError(Exception):
    """A document that cannot be used; `.errors` lists every `(json_path, message)`."""

    def __init__(self, errors: list[tuple[str, str]], what: str = "roster problem") -> None:
        self.errors = list(errors)
        self.what = what
        super().__init__(str(self))

    def __str__(self) -> str:
        head = (f"the {self.what} has {len(self.errors)} problem"
                f"{'' if len(self.errors) == 1 else 's'}:")
        return "\n".join([head] + [f"  {path}: {message}" for path, message in self.errors])


class _Bad:
    """Marks a value that failed validation (its error is already recorded)."""


BAD: Any = _Bad()
MISSING: Any = object()


class _Reader:
    """Typed field access that records an error instead of raising."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def error(self, path: str, message: str) -> Any:
        self.errors.append((path, message))
        return BAD

    def field(self, obj: dict, key: str, path: str, check, *, default: Any = MISSING) -> Any:
        """`check(value, path)` for obj[key]; a missing key (or null) takes `default`, or is
        an error when there is no default."""
        value = obj.get(key)
        if value is None:
            if default is MISSING:
                return self.error(f"{path}.{key}", "is required")
            return default
        return check(value, f"{path}.{key}")

    # ------------------------------------------------------------------ value checks

    def obj(self, value: Any, path: str) -> Any:
        return value if isinstance(value, dict) else self.error(path, f"must be an object, not {_kind(value)}")

    def array(self, value: Any, path: str) -> Any:
        return value if isinstance(value, list) else self.error(path, f"must be a list, not {_kind(value)}")

    def text(self, value: Any, path: str) -> Any:
        return value if isinstance(value, str) else self.error(path, f"must be a string, not {_kind(value)}")

    def ident(self, value: Any, path: str) -> Any:
        if not isinstance(value, str) or not value.strip():
            return self.error(path, "must be a non-empty string" if isinstance(value, str)
                              else f"must be a string, not {_kind(value)}")
        return value

    def texts(self, value: Any, path: str) -> Any:
        if self.array(value, path) is BAD:
            return BAD
        bad = False
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item:
                self.error(f"{path}[{i}]", "must be a non-empty string")
                bad = True
        return BAD if bad else tuple(value)

    def number(self, value: Any, path: str, *, lo: float | None = None, hi: float | None = None,
               positive: bool = False) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return self.error(path, f"must be a number, not {_kind(value)}")
        try:
            number = float(value)
        except OverflowError:  # a JSON integer too long for a float
            return self.error(path, "must be a finite number")
        if not math.isfinite(number):
            return self.error(path, "must be a finite number")
        if positive and number <= 0:
            return self.error(path, f"must be greater than 0 (got {value})")
        if lo is not None and number < lo or hi is not None and number > hi:
            if hi is None:
                return self.error(path, f"must be at least {lo} (got {value})")
            return self.error(path, f"must be between {lo} and {hi} (got {value})")
        return number

    def integer(self, value: Any, path: str, *, lo: int | None = None, hi: int | None = None) -> Any:
        # JSON has one number type, so 2.0 is the integer 2.
        if (isinstance(value, bool) or not isinstance(value, (int, float))
                or isinstance(value, float) and not value.is_integer()):
            return self.error(path, f"must be an integer, not {_describe(value)}")
        value = int(value)
        if lo is not None and value < lo or hi is not None and value > hi:
            if hi is None:
                return self.error(path, f"must be an integer of at least {lo} (got {value})")
            return self.error(path, f"must be an integer from {lo} to {hi} (got {value})")
        return value

    def choice_of(self, allowed: tuple[str, ...]):
        def check(value: Any, path: str) -> Any:
            if value not in allowed:
                return self.error(path, f"must be one of {', '.join(allowed)} (got {_describe(value)})")
            return value
        return check


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def _describe(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (str, int, float)) else _kind(value)


# ----------------------------------------------------------------------- datetimes

def parse_datetime(text: str, zone: tzinfo) -> datetime:
    """An aware datetime in `zone`: naive texts are local to it, offsets are converted.

    Raises ValueError for anything that is not an ISO 8601 date and time."""
    if not isinstance(text, str) or len(text) < 16 or text[10] not in "T ":
        raise ValueError("not a date and time")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


class _ProblemReader(_Reader):
    def __init__(self, zone: tzinfo) -> None:
        super().__init__()
        self.zone = zone

    def moment(self, value: Any, path: str) -> Any:
        if not isinstance(value, str):
            return self.error(path, f"must be a date and time string, not {_kind(value)}")
        try:
            return parse_datetime(value, self.zone)
        except ValueError:
            return self.error(path, f"is not a date and time like 2026-12-01T09:00:00 "
                                    f"(got {_describe(value)})")

    def span(self, obj: dict, path: str) -> Any:
        start = self.field(obj, "start", path, self.moment)
        end = self.field(obj, "end", path, self.moment)
        if start is BAD or end is BAD:
            return BAD
        if end.timestamp() <= start.timestamp():
            return self.error(f"{path}.end", f"must be after start {obj['start']}")
        return start, end

    def intervals(self, value: Any, path: str) -> Any:
        if self.array(value, path) is BAD:
            return BAD
        out, bad = [], False
        for i, item in enumerate(value):
            p = f"{path}[{i}]"
            span = BAD if self.obj(item, p) is BAD else self.span(item, p)
            if span is BAD:
                bad = True
            else:
                out.append(Interval(*span))
        return BAD if bad else tuple(out)


# ------------------------------------------------------------------------- problem

def parse_problem(doc: Any) -> Problem:
    """Validate a roster-problem/1 dict and build the Problem; raise ProblemError listing
    every problem found."""
    if not isinstance(doc, dict):
        raise ProblemError([("$", f"must be an object, not {_kind(doc)}")])
    pre = _Reader()
    if doc.get("format") != PROBLEM_FORMAT:
        pre.error("$.format", f"must be {PROBLEM_FORMAT!r} (got {_describe(doc.get('format'))})")
    zone_name = pre.field(doc, "timezone", "$", pre.text)
    zone: tzinfo | None = None
    if zone_name is not BAD:
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Asia" is a folder
            pre.error("$.timezone", f"is not a known IANA time zone like Asia/Shanghai "
                                    f"(got {_describe(zone_name)})")
    # Datetimes are still checked without a zone; UTC stands in and nothing is built.
    r = _ProblemReader(zone or ZoneInfo("UTC"))
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


def read_document(path: str | Path, what: str = "document") -> Any:
    """The JSON value in a file; unreadable files and bad JSON raise ProblemError."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as exc:
        raise ProblemError([("$", f"cannot read {path}: {exc.strerror or exc}")], what) from exc
    except json.JSONDecodeError as exc:
        raise ProblemError([("$", f"is not valid JSON: {exc.msg} at line {exc.lineno} "
                                  f"column {exc.colno}")], what) from exc
    except UnicodeDecodeError as exc:
        raise ProblemError([("$", f"is not UTF-8 text: {exc.reason}")], what) from exc


def _list_of(r: _ProblemReader, doc: dict, key: str, build) -> tuple:
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


def _ids(r: _Reader, items: Any, path: str) -> set[str]:
    """The ids of a list, reporting duplicates (a bad id is reported by its item)."""
    seen: dict[str, int] = {}
    if isinstance(items, list):
        for i, item in enumerate(items):
            ident = item.get("id") if isinstance(item, dict) else None
            if isinstance(ident, str) and ident.strip():
                if ident in seen:
                    r.error(f"{path}[{i}].id", f"duplicates the id {ident!r} of {path}[{seen[ident]}]")
                else:
                    seen[ident] = i
    return set(seen)


def _site(r: _ProblemReader, obj: dict, path: str) -> Any:
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


def _person(r: _ProblemReader, obj: dict, path: str) -> Any:
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


def _demand_line(r: _ProblemReader, obj: Any, path: str) -> Any:
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


def _slot(r: _ProblemReader, obj: dict, path: str) -> Any:
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
        priority=r.field(obj, "priority", path, lambda v, p: r.integer(v, p, lo=1, hi=5), default=3),
        choice=r.field(obj, "choice", path, r.ident, default=None),
        choice_cost=r.field(obj, "choice_cost", path, lambda v, p: r.number(v, p, lo=0), default=0.0),
    )
    if span is BAD or demand is BAD or BAD in values.values():
        return BAD
    return Slot(start=span[0], end=span[1], demand=demand, **values)


def _slot_lines(r: _Reader, items: Any) -> dict[str, int | None]:
    """Slot id -> number of demand lines (None when the demand itself is malformed)."""
    out: dict[str, int | None] = {}
    for item in items if isinstance(items, list) else ():
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            demand = item.get("demand")
            out.setdefault(item["id"], len(demand) if isinstance(demand, list) else None)
    return out


def _check_slot_sites(r: _Reader, items: Any, site_ids: set[str]) -> None:
    for i, item in enumerate(items if isinstance(items, list) else ()):
        site = item.get("site") if isinstance(item, dict) else None
        if isinstance(site, str) and site.strip() and site not in site_ids:
            r.error(f"$.slots[{i}].site", f"names the unknown site {site!r}")


def _assignments(r: _Reader, doc: dict, key: str, slot_lines: dict[str, int | None],
                 person_ids: set[str], *, strict: bool) -> tuple[Assignment, ...]:
    """`pinned` must name existing slots, people and lines; `previous` may name ones that are
    gone (they still cost `change`)."""
    items = r.field(doc, key, "$", r.array, default=[])
    if items is BAD:
        return ()
    out = []
    for i, item in enumerate(items):
        path = f"$.{key}[{i}]"
        a = _assignment(r, item, path)
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


def _assignment(r: _Reader, item: Any, path: str) -> Any:
    if r.obj(item, path) is BAD:
        return BAD
    slot = r.field(item, "slot", path, r.ident)
    person = r.field(item, "person", path, r.ident)
    line = r.field(item, "line", path, lambda v, p: r.integer(v, p, lo=0))
    if BAD in (slot, person, line):
        return BAD
    return Assignment(slot=slot, person=person, line=line)


def _rules(r: _Reader, obj: Any) -> Rules:
    if obj is None or r.obj(obj, "$.rules") is BAD:
        return Rules()
    defaults = Rules()
    positive = lambda v, p: r.number(v, p, positive=True)  # noqa: E731
    values = dict(
        travel_kmh=r.field(obj, "travel_kmh", "$.rules", positive, default=defaults.travel_kmh),
        road_factor=r.field(obj, "road_factor", "$.rules", positive, default=defaults.road_factor),
        trainee_role=r.field(obj, "trainee_role", "$.rules", r.ident, default=defaults.trainee_role),
        supervisor_role=r.field(obj, "supervisor_role", "$.rules", r.ident,
                                default=defaults.supervisor_role),
    )
    return Rules() if BAD in values.values() else Rules(**values)


def _weights(r: _Reader, obj: Any) -> Weights:
    if obj is None or r.obj(obj, "$.weights") is BAD:
        return Weights()
    defaults = Weights()
    values = {f.name: r.field(obj, f.name, "$.weights", lambda v, p: r.number(v, p, lo=0),
                              default=getattr(defaults, f.name))
              for f in fields(Weights)}
    return Weights() if BAD in values.values() else Weights(**values)


# ------------------------------------------------------------------------ solution

def _reason_text(reason: Reason) -> str:
    return f"{reason.zh} / {reason.en}"


def _reason_code(reason: Reason) -> dict:
    return {"code": reason.code, **dict(reason.params)}


def solution_to_dict(solution: Solution) -> dict:
    """The roster-solution/1 dict; each reason as one "<Chinese> / <English>" text plus a
    machine-readable `reason_codes` list alongside."""
    doc: dict[str, Any] = {
        "format": SOLUTION_FORMAT,
        "status": solution.status,
        "objective": solution.objective,
    }
    if solution.bound is not None:
        doc["bound"] = solution.bound
    doc["assignments"] = [{"slot": a.slot, "person": a.person, "line": a.line}
                          for a in solution.assignments]
    doc["unfilled"] = [{"slot": o.slot, "line": o.line, "missing": o.missing,
                        "reasons": [_reason_text(x) for x in o.reasons],
                        "reason_codes": [_reason_code(x) for x in o.reasons]}
                       for o in solution.unfilled]
    doc["stats"] = dict(solution.stats)
    if solution.conflicts:
        doc["conflicts"] = list(solution.conflicts)
    return doc


def _parse_reasons(texts: Any, codes: Any) -> tuple[Reason, ...]:
    if not isinstance(texts, list):
        return ()
    codes = codes if isinstance(codes, list) and len(codes) == len(texts) else [None] * len(texts)
    out = []
    for text, code in zip(texts, codes):
        text = str(text)
        zh, sep, en = text.partition(" / ")
        if not sep:
            zh = en = text
        if isinstance(code, dict) and isinstance(code.get("code"), str):
            params = tuple((str(k), str(v)) for k, v in code.items() if k != "code")
            out.append(Reason(code=code["code"], zh=zh, en=en, params=params))
        else:
            out.append(Reason(code="text", zh=zh, en=en))
    return tuple(out)


def parse_solution(doc: Any) -> Solution:
    """A Solution from a roster-solution/1 dict. Tolerant: only the assignments must be well
    formed (they are what a solution is judged by); other fields fall back to defaults.
    Whether the assignments name real slots and people is for the checker to say."""
    r = _Reader()
    if not isinstance(doc, dict):
        raise ProblemError([("$", f"must be an object, not {_kind(doc)}")], "roster solution")
    fmt = doc.get("format")
    if fmt is not None and fmt != SOLUTION_FORMAT:
        r.error("$.format", f"must be {SOLUTION_FORMAT!r} (got {_describe(fmt)})")
    items = r.field(doc, "assignments", "$", r.array)
    assignments = []
    for i, item in enumerate(items if items is not BAD else ()):
        a = _assignment(r, item, f"$.assignments[{i}]")
        if a is not BAD:
            assignments.append(a)
    if r.errors:
        raise ProblemError(r.errors, "roster solution")

    def num(key: str) -> float | None:
        value = doc.get(key)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return float(value) if ok else None

    unfilled = []
    for item in doc.get("unfilled") or ():
        if isinstance(item, dict) and isinstance(item.get("slot"), str):
            line, missing = item.get("line"), item.get("missing")
            unfilled.append(OpenPlace(
                slot=item["slot"], line=line if isinstance(line, int) else 0,
                missing=missing if isinstance(missing, int) else 0,
                reasons=_parse_reasons(item.get("reasons"), item.get("reason_codes"))))
    stats = doc.get("stats")
    status = doc.get("status")
    objective = num("objective")
    conflicts = doc.get("conflicts")
    return Solution(
        status=status if status in SOLUTION_STATUSES else "unknown",
        objective=math.nan if objective is None else objective,
        assignments=tuple(assignments),
        unfilled=tuple(unfilled),
        bound=num("bound"),
        stats=tuple(stats.items()) if isinstance(stats, dict) else (),
        conflicts=tuple(str(c) for c in conflicts) if isinstance(conflicts, list) else (),
    )


def load_solution(path: str | Path) -> Solution:
    return parse_solution(read_document(path, "roster solution"))


def pairing_to_dict(pairing: Pairing) -> dict:
    """The roster-pairing/1 dict, reasons written like a solution's."""
    doc: dict[str, Any] = {
        "format": PAIRING_FORMAT,
        "status": pairing.status,
        "objective": pairing.objective,
        "pairs": [{"site": p.site, "person": p.person} for p in pairing.pairs],
        "unpaired_sites": [{"site": u.site,
                            "reasons": [_reason_text(x) for x in u.reasons],
                            "reason_codes": [_reason_code(x) for x in u.reasons]}
                           for u in pairing.unpaired_sites],
    }
    if pairing.conflicts:
        doc["conflicts"] = [_reason_text(x) for x in pairing.conflicts]
        doc["conflict_codes"] = [_reason_code(x) for x in pairing.conflicts]
    if pairing.stats:
        doc["stats"] = dict(pairing.stats)
    return doc
