"""The words of notices: Chinese first, English below, since an e-mail has no reader language
(like the calendar feeds). Times are local to the site, as on the bulletin board."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from models import Person, Site, Slot
from scheduler.core.weeks import to_local
from scheduler.core.zh_names import ROLE_EN, ROLE_ZH, SLOT_KIND_ZH, WEEKDAY_EN, WEEKDAY_ZH

SLOT_KIND_EN = {"visit": "village visit", "event": "square event", "shift": "window shift"}
REQUEST_KIND_ZH = {"consultation": "法律咨询", "legal_opinion": "出具法律意见", "mediation": "参与纠纷调解"}
REQUEST_KIND_EN = {"consultation": "consultation", "legal_opinion": "legal opinion", "mediation": "joining a mediation"}
FOOTER = ("此邮件由公共法律服务排班系统自动发送，请勿直接回复。",
          "This message was sent by the public legal service scheduler; please do not reply to it.")
# Control characters (CR, LF, tab, NUL, ESC...) and the Unicode line and paragraph separators.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str) -> str:
    """`text` on one line: every run of control characters becomes one space. For mail
    subjects, where a CR/LF (say, from a site name) would otherwise break the header."""
    return _BREAKS.sub(" ", text).strip()


@dataclass(frozen=True)
class Reason:
    """Why a person no longer holds a place. `detail` is the person's own words (a decline's
    reason, an absence note): told to that person and to coordinators, never to a village."""

    code: str  # declined | unavailable | inactive | swap | cancelled | replanned
    detail: str | None = None


REASONS = {
    "declined": ("本人申请不参加", "declined"),
    "unavailable": ("该时段无法到场", "not available at that time"),
    "inactive": ("已不再承担服务", "no longer in service"),
    "swap": ("与同事调班", "swapped with a colleague"),
    "cancelled": ("走访已取消", "the visit was cancelled"),
    "replanned": ("协调员重新安排了本周排班", "the coordinator re-planned the week"),
}


def reason_words(reason: Reason, with_detail: bool = True) -> tuple[str, str]:
    zh, en = REASONS.get(reason.code, REASONS["replanned"])
    if with_detail and reason.detail:
        return f"{zh}（{reason.detail}）", f"{en} ({reason.detail})"
    return zh, en


def day_words(day: date) -> tuple[str, str]:
    return (f"{day.year}年{day.month}月{day.day}日（{WEEKDAY_ZH[day.weekday()]}）",
            f"{WEEKDAY_EN[day.weekday()]} {day:%d %b %Y}")


def when(slot: Slot) -> tuple[str, str]:
    zone = slot.site.timezone
    start, end = to_local(slot.start_at, zone), to_local(slot.end_at, zone)
    zh_day, en_day = day_words(start.date())
    hours = f"{start:%H:%M}–{end:%H:%M}"
    return f"{zh_day}{hours}", f"{en_day}, {hours}"


def short_when(slot: Slot) -> tuple[str, str]:
    start = to_local(slot.start_at, slot.site.timezone)
    return f"{start.month}月{start.day}日 {start:%H:%M}", f"{start:%d %b %H:%M}"


def place(site: Site) -> tuple[str, str]:
    extra = f"，{site.address}" if site.address else ""
    return f"{site.name}{extra}", f"{site.name}{', ' + site.address if site.address else ''}"


def what(slot: Slot) -> tuple[str, str]:
    if slot.request_id is not None:
        return "预约走访", "requested visit"
    return SLOT_KIND_ZH.get(slot.kind, slot.kind), SLOT_KIND_EN.get(slot.kind, slot.kind)


def person_words(person: Person) -> tuple[str, str]:
    roles = person.role_names
    return (f"{person.name}（{'、'.join(ROLE_ZH.get(r, r) for r in roles)}）",
            f"{person.name} ({', '.join(ROLE_EN.get(r, r) for r in roles)})")


def people_words(people) -> tuple[str, str]:
    if not people:
        return "待定", "to be confirmed"
    words = [person_words(p) for p in people]
    return "、".join(w[0] for w in words), "; ".join(w[1] for w in words)


def slot_line(slot: Slot) -> tuple[str, str]:
    (wz, we), (pz, pe), (kz, ke) = when(slot), place(slot.site), what(slot)
    return f"{wz} {pz} {kz}", f"{we}, {pe}, {ke}"


def compose(greeting: tuple[str, str], zh_lines: list[str], en_lines: list[str]) -> str:
    """One body: the Chinese text, a rule, the English text, the footer in both."""
    return "\n".join([f"{greeting[0]}：", "", *zh_lines, "", FOOTER[0], "", "----", "",
                      f"Dear {greeting[1]},", "", *en_lines, "", FOOTER[1], ""])
