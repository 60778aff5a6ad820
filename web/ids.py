"""Numbers a reader types, posts or puts in a URL, as row ids and small integers.

Row ids are PostgreSQL INTEGERs (at most 2**31 - 1): a larger number looked up as an id made
the database refuse the query, a 500, where SQLite just found nothing. Such a number, and text
that merely looks like digits ("²" passes str.isdigit but not int()), is no number here."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


def parse_int(value: object, high: int = MAX_ID) -> int | None:
    """A whole number from 0 to `high` written in decimal digits, else None."""
    text = value.strip() if isinstance(value, str) else ""
    if not text.isdecimal():
        return None
    number = int(text)
    return number if number <= high else None


def parse_id(value: object) -> int | None:
    """`value` as a row id (1 to MAX_ID), else None; for Flask's `request.args.get(type=...)`."""
    number = parse_int(value)
    return number if number else None


def coerce_id(value: object) -> int | None:
    """A select's `coerce`: an id, None for the empty choice ("" or 0, "Choose…"); ValueError
    (the form's own "invalid choice" error) for anything else."""
    if value is None or value in ("", "0", 0):
        return None
    if isinstance(value, int) and 0 < value <= MAX_ID:
        return value
    number = parse_id(value)
    if number is None:
        raise ValueError("not an id")
    return number


class IdConverter(IntegerConverter):
    """`<int:...>` in this app's routes: up to MAX_ID, so a larger number is no page (404)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
