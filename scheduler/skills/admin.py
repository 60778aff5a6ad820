"""Keeping the skills vocabulary: any coordinator may add a skill (its code and both names);
renaming changes what every district reads, so only a city-wide coordinator may rename.
A code never changes once added: people, demand lines and villages store it. Every problem
is reported at once (`Refused`), each change audited. The caller commits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Skill, User
from scheduler.core import audit
from scheduler.core.access import AccessDenied, NotVisible, require_role
from scheduler.core.checking import Problems, check_text
from scheduler.skills.vocabulary import CODE_PATTERN, key

NAME_MAX = 64


@dataclass(frozen=True)
class SkillInput:
    code: str | None = None
    name_zh: str | None = None
    name_en: str | None = None


def may_rename(user: User) -> bool:
    return user.active and user.role == "coordinator" and bool(user.city_wide)


def list_skills(session: Session, user: User) -> list[Skill]:
    require_role(user, "coordinator")
    return list(session.scalars(select(Skill).order_by(Skill.code)))


def get_skill(session: Session, user: User, code: str) -> Skill:
    require_role(user, "coordinator")
    skill = session.get(Skill, code)
    if skill is None:
        raise NotVisible("No such skill.")
    return skill


def _taken(session: Session, other_than: str) -> dict[str, str]:
    """Every other skill's code and names (as matched) -> its code."""
    taken: dict[str, str] = {}
    for code, zh, en in session.execute(select(Skill.code, Skill.name_zh, Skill.name_en)
                                        .where(Skill.code != other_than)):
        for word in (code, zh, en):
            taken.setdefault(key(word), code)
    return taken


def _check(session: Session, data: SkillInput, code: str, *, new: bool) -> Problems:
    """Names required, and no code or name may be another skill's code or name: imports read all three."""
    out = Problems()
    if new:
        if not code:
            out.add("code", "required")
        elif not CODE_PATTERN.match(code):
            out.add("code", "skill_code_format", value=code)
        elif session.get(Skill, code) is not None:
            out.add("code", "skill_code_taken", value=code)
    check_text(out, "name_zh", data.name_zh, NAME_MAX, required=True)
    check_text(out, "name_en", data.name_en, NAME_MAX, required=True)
    taken = _taken(session, code)
    for name in ("code", "name_zh", "name_en") if new else ("name_zh", "name_en"):
        value = code if name == "code" else (getattr(data, name) or "").strip()
        if value and key(value) in taken and not any(p.field == name for p in out):
            out.add(name, "skill_name_taken", value=value, skill=taken[key(value)])
    return out


def check_new_skill(session: Session, data: SkillInput) -> Problems:
    return _check(session, data, (data.code or "").strip(), new=True)


def check_rename(session: Session, code: str, data: SkillInput) -> Problems:
    return _check(session, data, code, new=False)


def add_skill(session: Session, user: User, data: SkillInput, now: datetime) -> Skill:
    require_role(user, "coordinator")
    check_new_skill(session, data).raise_any()
    skill = Skill(code=(data.code or "").strip(), name_zh=(data.name_zh or "").strip(),
                  name_en=(data.name_en or "").strip(), created_at=now, updated_at=now)
    session.add(skill)
    session.flush()
    audit.record(session, user, "skill.create", "skill", skill.code, None,
                 name_zh=skill.name_zh, name_en=skill.name_en)
    return skill


def rename_skill(session: Session, user: User, code: str, data: SkillInput, now: datetime) -> Skill:
    skill = get_skill(session, user, code)
    if not may_rename(user):
        raise AccessDenied("Only a city-wide coordinator renames a skill.")
    _check(session, data, code, new=False).raise_any()
    before = {"name_zh": skill.name_zh, "name_en": skill.name_en}
    after = {"name_zh": (data.name_zh or "").strip(), "name_en": (data.name_en or "").strip()}
    if before != after:
        skill.name_zh, skill.name_en, skill.updated_at = after["name_zh"], after["name_en"], now
        session.flush()
        audit.record(session, user, "skill.rename", "skill", skill.code, None,
                     **{k: [before[k], after[k]] for k in after if before[k] != after[k]})
    return skill
