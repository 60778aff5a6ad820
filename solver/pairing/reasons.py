"""Plain-language reasons for the standing pairing, in Simplified Chinese and English:
why a village stayed without an adviser, and which hand-fixed pairs break a hard rule."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from solver.problem import Pair, Person, Problem, Reason, Site


def _reason(code: str, zh: str, en: str, **params: object) -> Reason:
    return Reason(code=code, zh=zh, en=en,
                  params=tuple((k, str(v)) for k, v in sorted(params.items())))


class UnpairedReasons:
    """Explains unpaired villages of a finished pairing.

    The hard rule leaves a village unpaired only when no eligible person has room, so the
    reasons say which step of eligibility emptied the list: the role, the skills, the
    exclusions, or everyone left already holding as many villages as they may."""

    def __init__(self, problem: Problem, capacity: Callable[[Person], int]) -> None:
        self._role = problem.rules.supervisor_role
        self._holders = [q for q in problem.people if self._role in q.roles]
        self._capacity = capacity
        self._skilled: dict[frozenset[str], list[Person]] = {}

    def __call__(self, site: Site) -> tuple[Reason, ...]:
        role = self._role
        if not self._holders:
            return (_reason("no_role", f"没有人具有“{role}”角色，无人能担任该村法律顾问",
                            f"no one holds the role '{role}', so no one can be its adviser",
                            role=role),)
        needs = frozenset(site.needs)
        skilled = self._skilled.get(needs)
        if skilled is None:
            skilled = self._skilled[needs] = [q for q in self._holders if needs <= q.skills]
        if not skilled:
            skills = ", ".join(sorted(needs))
            return (_reason("missing_skills",
                            f"没有“{role}”同时具备该村所需的全部技能：{skills}",
                            f"no {role} holds every skill this village needs: {skills}",
                            role=role, skills=skills),)
        allowed = [q for q in skilled if site.id not in q.excluded_sites]
        excluded = len(skilled) - len(allowed)
        if not allowed:
            return (_reason("all_excluded",
                            f"全部{excluded}名可担任的“{role}”都须回避该村（利益冲突）",
                            f"all {excluded} {role}(s) who could serve it are excluded from "
                            f"it (conflict of interest)", role=role, count=excluded),)
        limit = sum(self._capacity(q) for q in allowed)
        out = [_reason("all_at_limit",
                       f"全部{len(allowed)}名可担任的“{role}”结对村数都已达到上限"
                       f"（合计{limit}个村）",
                       f"all {len(allowed)} {role}(s) who could serve it already have as "
                       f"many villages as they may take ({limit} in all)",
                       role=role, count=len(allowed), limit=limit)]
        if excluded:
            out.append(_reason("some_excluded", f"另有{excluded}名须回避该村（利益冲突）",
                               f"{excluded} more are excluded from it (conflict of interest)",
                               count=excluded))
        return tuple(out)


def fixed_conflicts(problem: Problem, fixed: tuple[Pair, ...],
                    capacity: Callable[[Person], int]) -> tuple[Reason, ...]:
    """Every hard rule the hand-fixed pairs break, all listed at once."""
    sites = {s.id: s for s in problem.sites}
    people = {q.id: q for q in problem.people}
    role = problem.rules.supervisor_role
    out: list[Reason] = []
    for x in fixed:
        out += _pair_conflicts(x, sites.get(x.site), people.get(x.person), role)
    by_site: dict[str, list[str]] = {}
    for x in fixed:
        by_site.setdefault(x.site, []).append(x.person)
    for site_id, names in sorted(by_site.items()):
        if len(names) > 1:
            listed = ", ".join(sorted(names))
            out.append(_reason("fixed_site_twice",
                               f"村 {site_id} 被固定给了多人：{listed}（每村只能有一名顾问）",
                               f"village {site_id} is fixed to several people: {listed} "
                               f"(a village has exactly one adviser)",
                               site=site_id, people=listed))
    for person_id, n in sorted(Counter(x.person for x in fixed).items()):
        q = people.get(person_id)
        if q is not None and n > capacity(q):
            out.append(_reason("fixed_over_limit",
                               f"{person_id} 被固定了 {n} 个村，超过其上限 {capacity(q)}",
                               f"{person_id} is fixed to {n} villages, more than their "
                               f"limit of {capacity(q)}",
                               person=person_id, count=n, limit=capacity(q)))
    return tuple(out)


def _pair_conflicts(x: Pair, site: Site | None, person: Person | None,
                    role: str) -> list[Reason]:
    head_zh, head_en = f"固定结对 {x.site}–{x.person}：", f"fixed pair {x.site}–{x.person}: "
    ids = {"site": x.site, "person": x.person}
    out = []
    if site is None:
        out.append(_reason("fixed_unknown_site", head_zh + f"没有编号为 {x.site} 的地点",
                           head_en + f"there is no site {x.site}", **ids))
    elif site.kind != "village":
        out.append(_reason("fixed_not_village", head_zh + f"{x.site} 不是村（社区），而是 {site.kind}",
                           head_en + f"{x.site} is a {site.kind}, not a village",
                           kind=site.kind, **ids))
    if person is None:
        out.append(_reason("fixed_unknown_person", head_zh + f"没有编号为 {x.person} 的人员",
                           head_en + f"there is no person {x.person}", **ids))
        return out
    if role not in person.roles:
        out.append(_reason("fixed_no_role", head_zh + f"{x.person} 不具有“{role}”角色",
                           head_en + f"{x.person} does not hold the role '{role}'",
                           role=role, **ids))
    if site is None:
        return out
    missing = ", ".join(sorted(set(site.needs) - person.skills))
    if missing:
        out.append(_reason("fixed_missing_skills",
                           head_zh + f"{x.person} 缺少该村所需技能：{missing}",
                           head_en + f"{x.person} lacks skills the village needs: {missing}",
                           skills=missing, **ids))
    if x.site in person.excluded_sites:
        out.append(_reason("fixed_excluded", head_zh + f"{x.person} 须回避该村（利益冲突）",
                           head_en + f"{x.person} is excluded from {x.site} "
                           f"(conflict of interest)", **ids))
    return out
