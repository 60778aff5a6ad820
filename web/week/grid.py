"""What the week grid repeats for every slot and seat, worked out once per page: the words
(each a translation lookup), the role and slot-kind names, and the seat buttons' addresses.

A district week has over a thousand slots and seats; looking these up per seat cost more
than the rest of the page (see docs/benchmarks.md, issue 17)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask import url_for
from flask_babel import gettext as _

from web.labels import PERSON_ROLES, SITE_KINDS, weekday
from web.week.labels import SLOT_KINDS

_ID = 987654321  # stands for an assignment id while the address pattern is made


@dataclass(frozen=True)
class GridWords:
    roles: dict[str, str]
    slot_kinds: dict[str, str]
    site_kinds: dict[str, str]
    locked: str
    lock: str
    unlock: str
    take_off: str
    lock_name: str  # "%(name)s" is replaced by the person's name
    unlock_name: str
    take_off_name: str
    alternative: str
    assign: str
    replace: str  # a seat's link to the ranked suggestions of its place, replacing the holder
    replace_name: str
    days: tuple[str, ...]  # "Monday Dec 14" for each day of the week, labelling the cells on phones
    lock_url: str  # "{id}" is replaced by the assignment id
    unlock_url: str
    unassign_url: str


def _pattern(endpoint: str) -> str:
    return url_for(endpoint, assignment_id=_ID).replace(str(_ID), "{id}")


def grid_words(days: Sequence[date]) -> GridWords:
    from web.week.templating import month_day

    return GridWords(
        roles={code: str(label) for code, label in PERSON_ROLES.items()},
        slot_kinds={code: str(label) for code, label in SLOT_KINDS.items()},
        site_kinds={code: str(label) for code, label in SITE_KINDS.items()},
        locked=_("Locked"), lock=_("Lock"), unlock=_("Unlock"), take_off=_("Take off"),
        lock_name=_("Lock %(name)s", name="%(name)s"), unlock_name=_("Unlock %(name)s", name="%(name)s"),
        take_off_name=_("Take %(name)s off", name="%(name)s"),
        alternative=_("Another time of the same request: not needed unless chosen."),
        assign=_("Assign someone"), replace=_("Replace"),
        replace_name=_("Suggestions to replace %(name)s", name="%(name)s"),
        days=tuple(f"{weekday(i)} {month_day(day)}" for i, day in enumerate(days)),
        lock_url=_pattern("week.lock"), unlock_url=_pattern("week.unlock"), unassign_url=_pattern("week.unassign"))
