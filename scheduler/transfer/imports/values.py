"""Cell readers: each takes what openpyxl or the CSV reader gives (text, numbers, dates,
times) and returns the value to store, or raises `UnreadableValue` with a code and parameters."""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from models.vocab import ROLES, SITE_KINDS
from scheduler.core.zh_names import ROLE_EN, ROLE_ZH, RULE_KIND_ZH, SITE_KIND_ZH, WEEKDAY_EN, WEEKDAY_ZH
from scheduler.skills import vocabulary as skill_vocabulary
from scheduler.transfer.imports.problems import UnreadableValue

Reader = Callable[[Any], Any]

PHONE = re.compile(r"^[0-9+\- ()]{3,32}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LIST_SEPARATORS = re.compile(r"[,，、;；/\s]+")
TIME_TEXT = re.compile(r"^(\d{1,2})\s*[:：点时]\s*(\d{1,2})?\s*分?$|^(\d{1,2})$")
DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def shown(value: Any) -> str:
    """A cell value as the user typed it, for messages."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def text(max_len: int) -> Reader:
    def read(value: Any) -> str:
        out = shown(value)
        if len(out) > max_len:
            raise UnreadableValue("too_long", max=max_len)
        return out
    return read


def identifier(value: Any) -> str:
    out = text(64)(value)
    if any(ch.isspace() for ch in out):
        raise UnreadableValue("bad_id", value=out)
    return out


def number(low: float, high: float) -> Reader:
    def read(value: Any) -> float:
        if isinstance(value, bool):
            raise UnreadableValue("not_a_number", value=shown(value))
        try:
            out = float(value) if isinstance(value, (int, float)) else float(shown(value).replace("，", "."))
        except ValueError:
            raise UnreadableValue("not_a_number", value=shown(value)) from None
        if math.isnan(out) or not low <= out <= high:
            raise UnreadableValue("out_of_range", min=_n(low), max=_n(high), value=shown(value))
        return out
    return read


def integer(low: int, high: int) -> Reader:
    def read(value: Any) -> int:
        out = number(-1e12, 1e12)(value)
        if not float(out).is_integer():
            raise UnreadableValue("not_an_integer", value=shown(value))
        if not low <= out <= high:
            raise UnreadableValue("out_of_range", min=low, max=high, value=shown(value))
        return int(out)
    return read


def _n(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def phone(value: Any) -> str:
    out = shown(value)
    if not PHONE.match(out):
        raise UnreadableValue("bad_phone", value=out)
    return out


def email(value: Any) -> str:
    out = shown(value)
    if len(out) > 254 or not EMAIL.match(out):
        raise UnreadableValue("bad_email", value=out)
    return out


def _words(value: Any) -> list[str]:
    return [w for w in LIST_SEPARATORS.split(shown(value)) if w]


def _lookup_table(pairs: dict[str, list[str]]) -> dict[str, str]:
    return {_key(alias): code for code, aliases in pairs.items() for alias in [code, *aliases]}


def _key(word: str) -> str:
    return re.sub(r"[\s_\-（）()]", "", word).lower()


_ROLE_ALIASES = _lookup_table({
    r: [ROLE_ZH[r], ROLE_EN[r]] + {"mediator": ["调解员"], "grassroots_worker": ["基层法律工作者"],
                                   "legal_promoter": ["普法宣传员", "法治宣传志愿者"]}.get(r, [])
    for r in ROLES
})


def roles(value: Any) -> list[str]:
    out = []
    for word in _words(value):
        code = _ROLE_ALIASES.get(_key(word))
        if code is None:
            raise UnreadableValue("unknown_role", value=word, choices="、".join(ROLE_ZH.values()))
        if code not in out:
            out.append(code)
    return sorted(out)


def skills(value: Any) -> list[str]:
    """The skills as written (codes, Chinese or English names), in order, once each; the plan
    reads them with the vocabulary (`Context.skills_of`). Spaces stay: English names hold them."""
    out = []
    for word in skill_vocabulary.split(shown(value)):
        if len(word) > 64:
            raise UnreadableValue("too_long", max=64)
        if word not in out:
            out.append(word)
    return out


def choice(table: dict[str, list[str]]) -> Reader:
    lookup = _lookup_table(table)
    shown_choices = "、".join(aliases[0] for aliases in table.values())

    def read(value: Any) -> str:
        code = lookup.get(_key(shown(value)))
        if code is None:
            raise UnreadableValue("bad_choice", value=shown(value), choices=shown_choices)
        return code
    return read


yes_no = choice({"yes": ["是", "在岗", "启用", "有效", "y", "true", "1", "√"],
                 "no": ["否", "停用", "无效", "n", "false", "0", "×"]})


def active(value: Any) -> bool:
    return yes_no(value) == "yes"


site_kind = choice({k: [SITE_KIND_ZH[k]] + {
    "village": ["村", "社区", "村社区"], "window": ["窗口", "司法所"], "centre": ["中心", "centre", "center"],
    "station": ["工作站", "法律援助站"], "square": ["广场服务"]}.get(k, []) for k in SITE_KINDS})
rule_kind = choice({k: [v] + {"available": ["可以", "有空"], "undesired": ["不希望", "尽量不"]}[k]
                    for k, v in RULE_KIND_ZH.items()})

_WEEKDAYS = {}
for _i, (_zh, _en) in enumerate(zip(WEEKDAY_ZH, WEEKDAY_EN)):
    for _alias in (_zh, _zh.replace("周", "星期"), _zh.replace("周", "礼拜"), _zh[-1], _en,
                   ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[_i], str(_i + 1)):
        _WEEKDAYS[_key(_alias)] = _i
for _alias in ("星期天", "周天", "礼拜天", "天"):
    _WEEKDAYS[_key(_alias)] = 6


def weekday(value: Any) -> int:
    """Monday = 0; the file says 周一 / Mon / 1 for Monday (7 for Sunday)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    found = _WEEKDAYS.get(_key(shown(value)))
    if found is None:
        raise UnreadableValue("bad_weekday", value=shown(value))
    return found


def time_of_day(value: Any) -> time:
    if isinstance(value, datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, time):
        return value.replace(microsecond=0)
    if isinstance(value, timedelta) and value < timedelta(days=1):
        return (datetime.min + value).time()
    if isinstance(value, float) and 0 <= value < 1:
        # A time cell formatted as a plain number: a fraction of a day.
        minutes = round(value * 24 * 60)
        return time(minutes // 60 % 24, minutes % 60)
    match = TIME_TEXT.match(shown(value))
    if match:
        hour = int(match.group(1) or match.group(3))
        minute = int(match.group(2) or 0)
        if hour <= 23 and minute <= 59:
            return time(hour, minute)
    raise UnreadableValue("bad_time", value=shown(value))


def day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = DATE_TEXT.match(shown(value))
    if match:
        try:
            return date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    raise UnreadableValue("bad_date", value=shown(value))


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
