"""The 13 hard rules of docs/roster-format.md, named once.

Everything that names a hard rule reads this table: the pins' conflicts
(`solver.model.pins`), the codes of what keeps one more assignment out
(`solver.model.roster`, `solver.candidates`) and the explanations built on them
(`solver.explain`), the refusals of hand edits (`scheduler.week.edits`) and the independent
checker's report (`solver.check`). The tests of rule N live in
`tests/solver/test_rule_NN_<key>.py`.

Also here: rule 10's reading of a trainee assignment, shared by the model and the greedy
(the checker keeps its own).

Standard library only and no other module of ours, so the checker can read it and stay
independent of the model.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HardRule:
    number: int  # as numbered in docs/roster-format.md
    key: str  # a short identifier: names the rule's test file
    zh: str  # the rule's name for coordinators (hand edits, swaps)
    en: str
    # What `Roster.blockers` / `static_blocker` call it when one more assignment would
    # break it (and the category of an explanation); None for rules 1 and 11, which are
    # about the answer as a whole, never about one more assignment.
    blocker: str | None


HARD_RULES: tuple[HardRule, ...] = (
    HardRule(1, "ids", "编号或需求行无效", "unknown id or demand line", None),
    HardRule(2, "role", "不具备所需角色", "does not hold the role", "role"),
    HardRule(3, "skills", "不具备所需技能", "lacks a required skill", "skills"),
    HardRule(4, "availability", "该时段不可用", "not available at that time", "unavailable"),
    HardRule(5, "clash", "时间冲突或路途来不及", "overlaps or cannot travel in time", "busy"),
    HardRule(6, "hours", "超出时数上限", "over the hours limit", "hours"),
    HardRule(7, "per_day", "超出每日班次上限", "over the slots-per-day limit", "day_limit"),
    HardRule(8, "one_line", "同一人不能在一个班次中占两个位置", "holds two places in one slot", "same_slot"),
    HardRule(9, "capacity", "该需求行已满", "the line is already full", "line_full"),
    HardRule(10, "supervision", "实习律师需要执业律师带教", "a trainee needs a supervising lawyer",
             "supervision"),
    HardRule(11, "pinned", "锁定的安排必须保留", "a locked assignment must stay", None),
    HardRule(12, "excluded_site", "利益冲突：不得在该地点服务", "conflict of interest at this site", "excluded"),
    HardRule(13, "choice", "同一预约只能安排一个时间", "only one time of a request can be staffed", "choice"),
)

RULES: dict[int, HardRule] = {r.number: r for r in HARD_RULES}
_BY_BLOCKER: dict[str, HardRule] = {r.blocker: r for r in HARD_RULES if r.blocker is not None}


def rule(number: int) -> HardRule:
    return RULES[number]


def rule_of_blocker(code: str) -> HardRule:
    """The rule a blocker code stands for (see HardRule.blocker)."""
    return _BY_BLOCKER[code]


def rule_label(number: int) -> str:
    """`rule 5 (overlaps or cannot travel in time)`: how solver texts name a rule."""
    return f"rule {number} ({RULES[number].en})"


def is_trainee(roles: frozenset[str], line_roles: frozenset[str], trainee_role: str) -> bool:
    """Rule 10: an assignment is a trainee assignment when the person (holding `roles`)
    holds the trainee role and none of the line's other roles."""
    return trainee_role in roles and roles.isdisjoint(line_roles - {trainee_role})
