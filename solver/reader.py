"""Reading untrusted JSON values field by field, collecting every error with its path.

`Reader` checks one field at a time and records `(json_path, message)` instead of raising,
so a whole document is checked before anyone reports on it (one-time notice); BAD marks a
value that failed. `ProblemReader` adds datetimes local to the problem's zone.
"""
from __future__ import annotations

import json
import math
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from solver.problem import Assignment, Interval


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


class Bad:
    """Marks a value that failed validation (its error is already recorded)."""


BAD: Any = Bad()
MISSING: Any = object()


class Reader:
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
        if isinstance(value, dict):
            return value
        return self.error(path, f"must be an object, not {kind(value)}")

    def array(self, value: Any, path: str) -> Any:
        if isinstance(value, list):
            return value
        return self.error(path, f"must be a list, not {kind(value)}")

    def text(self, value: Any, path: str) -> Any:
        if isinstance(value, str):
            return value
        return self.error(path, f"must be a string, not {kind(value)}")

    def ident(self, value: Any, path: str) -> Any:
        if not isinstance(value, str) or not value.strip():
            return self.error(path, "must be a non-empty string" if isinstance(value, str)
                              else f"must be a string, not {kind(value)}")
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
            return self.error(path, f"must be a number, not {kind(value)}")
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

    def integer(self, value: Any, path: str, *, lo: int | None = None,
                hi: int | None = None) -> Any:
        # JSON has one number type, so 2.0 is the integer 2.
        if (isinstance(value, bool) or not isinstance(value, (int, float))
                or isinstance(value, float) and not value.is_integer()):
            return self.error(path, f"must be an integer, not {describe(value)}")
        value = int(value)
        if lo is not None and value < lo or hi is not None and value > hi:
            if hi is None:
                return self.error(path, f"must be an integer of at least {lo} (got {value})")
            return self.error(path, f"must be an integer from {lo} to {hi} (got {value})")
        return value

    def choice_of(self, allowed: tuple[str, ...]):
        def check(value: Any, path: str) -> Any:
            if value not in allowed:
                return self.error(path, f"must be one of {', '.join(allowed)} "
                                        f"(got {describe(value)})")
            return value
        return check


def kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def describe(value: Any) -> str:
    if isinstance(value, (str, int, float)):
        return json.dumps(value, ensure_ascii=False)
    return kind(value)


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


class ProblemReader(Reader):
    def __init__(self, zone: tzinfo) -> None:
        super().__init__()
        self.zone = zone

    def moment(self, value: Any, path: str) -> Any:
        if not isinstance(value, str):
            return self.error(path, f"must be a date and time string, not {kind(value)}")
        try:
            return parse_datetime(value, self.zone)
        except ValueError:
            return self.error(path, f"is not a date and time like 2026-12-01T09:00:00 "
                                    f"(got {describe(value)})")

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


def read_assignment(r: Reader, item: Any, path: str) -> Any:
    """An Assignment, or BAD with its errors recorded."""
    if r.obj(item, path) is BAD:
        return BAD
    slot = r.field(item, "slot", path, r.ident)
    person = r.field(item, "person", path, r.ident)
    line = r.field(item, "line", path, lambda v, p: r.integer(v, p, lo=0))
    if BAD in (slot, person, line):
        return BAD
    return Assignment(slot=slot, person=person, line=line)


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
