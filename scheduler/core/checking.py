"""Checking a coordinator's input the one-time-notice way (一次性告知制): every problem is
collected and reported at once, each with the field it concerns, a code and the parameters
its message needs; the web layer words them in the reader's language."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from models.vocab import ROLES

if TYPE_CHECKING:
    from scheduler.skills.vocabulary import Vocabulary

PHONE_PATTERN = re.compile(r"^[0-9+\- ()]{3,32}$")
PRIORITY_RANGE = (1, 5)
COUNT_MAX = 50


@dataclass(frozen=True)
class FieldProblem:
    """`field` names the input (e.g. "lines-1-count"), `code` what is wrong."""

    field: str
    code: str
    params: Mapping[str, object] = field(default_factory=dict)


class Refused(ValueError):
    """Nothing was stored; `problems` lists everything to fix."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.code}" for p in problems))
        self.problems = problems


class Problems(list[FieldProblem]):
    def add(self, field_name: str, code: str, **params: object) -> None:
        self.append(FieldProblem(field_name, code, params))

    def raise_any(self) -> None:
        if self:
            raise Refused(list(self))


def blank(value: str | None) -> bool:
    return value is None or not value.strip()


def check_text(out: Problems, name: str, value: str | None, max_len: int, *, required: bool) -> None:
    if blank(value):
        if required:
            out.add(name, "required")
    elif len(value.strip()) > max_len:  # type: ignore[union-attr]
        out.add(name, "too_long", max=max_len)


def check_skills(out: Problems, name: str, skills: Iterable[str], vocabulary: Vocabulary) -> None:
    """Each skill a code or a name of the vocabulary (`scheduler.skills.vocabulary`)."""
    unknown = vocabulary.read(skills)[1]
    if unknown:
        out.add(name, "unknown_skills", skills=", ".join(unknown))


def check_priority(out: Problems, name: str, priority: int | None) -> None:
    low, high = PRIORITY_RANGE
    if priority is None:
        out.add(name, "required")
    elif not low <= priority <= high:
        out.add(name, "priority_range", min=low, max=high)


def check_order(out: Problems, name: str, start: time | datetime | None, end: time | datetime | None) -> None:
    """`end` must come after `start`; a missing value is reported on its own field."""
    if start is not None and end is not None and end <= start:
        out.add(name, "end_before_start")


def check_validity(out: Problems, name: str, valid_from: date | None, valid_to: date | None) -> None:
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        out.add(name, "validity_order")


@dataclass(frozen=True)
class LineInput:
    """One demand line as entered: `count` people holding one of `roles` and all `skills`."""

    roles: tuple[str, ...] = ()
    count: int | None = 1
    skills: tuple[str, ...] = ()


def check_lines(out: Problems, lines: list[LineInput], vocabulary: Vocabulary) -> None:
    """Lines are numbered from 1 in messages, fields are "lines-<index from 0>-<part>"."""
    if not lines:
        out.add("lines", "lines_required")
    for i, line in enumerate(lines):
        where = f"lines-{i}"
        unknown = sorted(set(line.roles) - set(ROLES))
        if unknown:
            out.add(f"{where}-roles", "unknown_roles", line=i + 1, roles=", ".join(unknown))
        elif not line.roles:
            out.add(f"{where}-roles", "line_roles_required", line=i + 1)
        if line.count is None:
            out.add(f"{where}-count", "line_count_required", line=i + 1)
        elif not 1 <= line.count <= COUNT_MAX:
            out.add(f"{where}-count", "line_count_range", line=i + 1, max=COUNT_MAX)
        unknown = vocabulary.read(line.skills)[1]
        if unknown:
            out.add(f"{where}-skills", "line_unknown_skills", line=i + 1, skills=", ".join(unknown))


def plain(value: Any) -> Any:
    """A value as the audit log (JSON) keeps it."""
    if isinstance(value, (date, time, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Fields that differ, as [old, new] pairs for the audit log."""
    return {k: [plain(before.get(k)), plain(after[k])] for k in after if before.get(k) != after[k]}
