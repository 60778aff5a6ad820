"""Select choices in the form WTForms wants: `SelectChoice` from 3.3 on (tuples are deprecated
there and go in 3.4), plain tuples before."""
from __future__ import annotations

from typing import Any

try:
    from wtforms.fields.choices import SelectChoice
except ImportError:  # WTForms < 3.3
    SelectChoice = None


def choice(value: str, label: Any) -> Any:
    return SelectChoice(value, label) if SelectChoice is not None else (value, label)


def choices(pairs) -> list[Any]:
    return [choice(value, label) for value, label in pairs]
