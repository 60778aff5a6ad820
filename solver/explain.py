"""Why each open place stayed open, in words a coordinator can act on.

For an open place every person holding one of the line's roles and all its skills is
asked, nearest first, what keeps them off it in the final roster: the first reason found
is theirs (excluded from the site, unavailable then, busy elsewhere, at their hours or
per-day limit, a trainee with nobody to supervise, or free but dearer than leaving the
place open). The counts and one example per reason become `Reason`s, with Chinese and
English text and machine-readable parameters.
"""
from __future__ import annotations

from collections import Counter

from solver.candidates import RoleGrids, static_blocker
from solver.model.index import ProblemIndex
from solver.model.roster import Roster
from solver.objective import add_delta, counted_slots
from solver.problem import OpenPlace, Problem, Reason
from solver.rules import RULES

# Why a qualified person is not on the line: the blocker code of the hard rule that keeps
# them off (solver.rules), or a price; in the order the categories are listed. Rule 8 (they
# hold another line of the slot) reads as busy; rules 2 and 3 decide who is qualified, and
# rule 9 (the line is full) never keeps anyone off an open place.
_RULE_CATEGORIES = tuple(RULES[n].blocker for n in (12, 4, 5, 6, 7, 13, 10))
CATEGORIES = (*_RULE_CATEGORIES, "cost", "free")
_CATEGORY_OF_BLOCKER = {**{code: code for code in _RULE_CATEGORIES}, RULES[8].blocker: RULES[5].blocker}
_TEXT = {  # (zh, en) of "<n> ..." for each category
    "excluded": ("{n} 人因利益冲突不得到该地点服务", "{n} excluded from the site (conflict of interest)"),
    "unavailable": ("{n} 人届时没空", "{n} unavailable then"),
    "busy": ("{n} 人届时在别处服务", "{n} busy elsewhere at that time"),
    "hours": ("{n} 人已达工时上限", "{n} at their hours limit"),
    "day_limit": ("{n} 人已达当日服务次数上限", "{n} at their per-day limit"),
    "choice": ("{n} 人可来，但该预约已安排在另一时间", "{n} could come, but the request is staffed at another time"),
    "supervision": ("{n} 名实习人员无人带教", "{n} trainees without a supervisor there"),
    "cost": ("{n} 人有空，但安排其服务的总代价更高", "{n} free, but filling it would cost more elsewhere"),
    # Only in a roster that is not the solver's (or was stopped early).
    "free": ("{n} 人有空且安排后总代价更低", "{n} free, and filling it would lower the cost"),
}
ROLE_ZH = {"lawyer": "律师", "trainee_lawyer": "实习律师", "mediator": "调解员",
           "notary": "公证员", "forensic_expert": "司法鉴定人",
           "grassroots_worker": "基层法律服务工作者", "legal_promoter": "普法宣传员",
           "volunteer": "志愿者"}


def _roles(roles, zh: bool) -> str:
    return "/".join(ROLE_ZH.get(r, r) if zh else r for r in sorted(roles))


def _skills(skills) -> str:
    return ", ".join(sorted(skills))


def classify(ix: ProblemIndex, roster: Roster, i: int, l: int, j: int) -> tuple[str, dict]:
    """What keeps qualified person j off line (i, l) now, with details for busy/cost."""
    code = static_blocker(ix, j, i, l)
    if code is not None:
        return _CATEGORY_OF_BLOCKER[code], {}
    blockers = roster.blockers(i, l, j)
    for b in blockers:
        if b.code in _CATEGORY_OF_BLOCKER:
            info = {}
            if b.rule == 5:
                other = ix.slots[b.slot]
                info = {"slot": other.id, "site": ix.sites[other.site].name}
            elif b.rule == 8:
                info = {"slot": ix.slots[i].id, "site": ix.sites[ix.slots[i].site].name}
            return _CATEGORY_OF_BLOCKER[b.code], info
    delta = add_delta(ix, roster, i, l, j)
    return ("cost" if delta >= 0 else "free"), {"delta": round(delta, 3)}


class _Qualified:
    """How many people hold a role of a line and all its skills, cached per (roles, skills)."""

    def __init__(self, ix: ProblemIndex, grids: RoleGrids) -> None:
        self.ix, self.grids, self.cache = ix, grids, {}

    def count(self, roles, skills) -> int:
        key = (roles, skills)
        if key not in self.cache:
            pool = set().union(*(self.grids.by_role.get(r, ()) for r in roles)) if roles else set()
            self.cache[key] = sum(1 for j in pool if skills <= self.ix.people[j].skills)
        return self.cache[key]


def explain_place(ix: ProblemIndex, roster: Roster, grids: RoleGrids, qualified: _Qualified,
                  i: int, l: int, cap: int = 200) -> tuple[Reason, ...]:
    s = ix.slots[i]
    d = s.demand[l]
    total = qualified.count(d.roles, d.skills)
    role_en, role_zh = _roles(d.roles, False), _roles(d.roles, True)
    if total == 0:
        skills = _skills(d.skills) or "-"
        return (Reason("no_qualified",
                       f"没有人同时具备所需角色（{role_zh}）和技能（{skills}）",
                       f"nobody holds the role ({role_en}) and skills ({skills})",
                       (("roles", role_en), ("skills", skills))),)
    counts: Counter = Counter()
    example: dict[str, tuple[int, dict]] = {}
    seen: set[int] = set()
    site = ix.sites[s.site]
    for _, people in grids.rings(d.roles, site.lat, site.lon):
        for j in people:
            if j in seen or not d.skills <= ix.people[j].skills or len(seen) >= cap:
                continue
            seen.add(j)
            category, info = classify(ix, roster, i, l, j)
            counts[category] += 1
            example.setdefault(category, (j, info))
        if len(seen) >= cap:
            break
    return _reasons(ix, counts, example, total, len(seen), role_en, role_zh)


def _reasons(ix, counts, example, total, examined, role_en, role_zh) -> tuple[Reason, ...]:
    parts_en, parts_zh = [], []
    details = []
    for category in CATEGORIES:
        n = counts.get(category, 0)
        if not n:
            continue
        zh, en = (t.format(n=n) for t in _TEXT[category])
        params = [("count", str(n))]
        j, info = example[category]
        name = ix.people[j].name
        # The summary names an example only for "busy" (where is what a coordinator
        # asks first); each detail names one.
        if category == "busy":
            en += f" (e.g. {name} at {info['site']}, slot {info['slot']})"
            zh += f"（如 {name} 在 {info['site']}，时段 {info['slot']}）"
            params += [("person", ix.people[j].id), ("site", info["site"]), ("slot", info["slot"])]
            parts_en.append(en)
            parts_zh.append(zh)
        else:
            parts_en.append(en)
            parts_zh.append(zh)
            if category in ("cost", "free"):
                en += f" (e.g. {name}: {info['delta']:+g})"
                zh += f"（如 {name}：{info['delta']:+g}）"
                params += [("person", ix.people[j].id), ("delta", f"{info['delta']:g}")]
            else:
                en += f" (e.g. {name})"
                zh += f"（如 {name}）"
                params += [("person", ix.people[j].id)]
        details.append(Reason(category, zh, en, tuple(params)))
    scope_en = f"{total} qualified ({role_en})"
    scope_zh = f"符合条件的{role_zh}共 {total} 人"
    if examined < total:
        scope_en += f"; of the {examined} nearest"
        scope_zh += f"，其中最近的 {examined} 人"
    summary = Reason(
        "qualified", f"{scope_zh}：" + "，".join(parts_zh), f"{scope_en}: " + ", ".join(parts_en),
        (("qualified", str(total)), ("examined", str(examined)),
         *((c, str(counts[c])) for c in CATEGORIES if counts.get(c))))
    return (summary, *details)


def explain_roster(ix: ProblemIndex, roster: Roster, grids: RoleGrids | None = None,
                   cap: int = 200) -> tuple[OpenPlace, ...]:
    """Every open place the objective counts (choice groups: the staffed slot, or the
    first one when none is), with its reasons."""
    grids = grids or RoleGrids(ix)
    qualified = _Qualified(ix, grids)
    staffed = {i for i, n in roster.staffed.items() if n > 0}
    out = []
    for i in sorted(counted_slots(ix, staffed)):
        for l, d in enumerate(ix.slots[i].demand):
            missing = d.count - len(roster.holders.get((i, l), ()))
            if missing > 0:
                reasons = explain_place(ix, roster, grids, qualified, i, l, cap)
                out.append(OpenPlace(ix.slots[i].id, l, missing, reasons))
    return tuple(out)


def explain(problem: Problem, assignments, ix: ProblemIndex | None = None) -> tuple[OpenPlace, ...]:
    """The open places of a valid roster given as Assignments, with reasons."""
    ix = ix or ProblemIndex(problem)
    roster = Roster(ix)
    for a in assignments:
        roster.add(ix.slot_pos[a.slot], a.line, ix.person_pos[a.person])
    return explain_roster(ix, roster)
