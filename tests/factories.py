"""Factory helpers that build valid model rows with as little typing as a test needs."""
from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from models import District, Person, PersonRole, PersonSkill, Schedule, Site, Slot, SlotLine, Township, User

_ids = itertools.count(1)
MONDAY = date(2026, 11, 30)
# Coordinators must sign in with a second factor: the factory enrols them with this secret
# (tests.web.conftest.login_form submits its current code), unless given `totp_secret=None`.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class Factory:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _add(self, obj: Any) -> Any:
        self.session.add(obj)
        self.session.flush()
        return obj

    def district(self, **kw: Any) -> District:
        n = next(_ids)
        kw.setdefault("code", f"D{n}")
        kw.setdefault("name", f"测试区{n}")
        return self._add(District(**kw))

    def township(self, district: District | None = None, **kw: Any) -> Township:
        n = next(_ids)
        district = district or self.district()
        kw.setdefault("code", f"T{n}")
        kw.setdefault("name", f"测试镇{n}")
        return self._add(Township(district_id=district.id, **kw))

    def site(self, district: District | None = None, **kw: Any) -> Site:
        n = next(_ids)
        district = district or self.district()
        kw.setdefault("external_id", f"S{n}")
        kw.setdefault("kind", "village")
        kw.setdefault("name", f"测试村{n}")
        kw.setdefault("lat", 29.8)
        kw.setdefault("lon", 121.55)
        return self._add(Site(district_id=district.id, **kw))

    def person(self, district: District | None = None, roles: tuple[str, ...] = ("lawyer",),
               skills: tuple[str, ...] = (), **kw: Any) -> Person:
        n = next(_ids)
        district = district or self.district()
        kw.setdefault("external_id", f"P{n}")
        kw.setdefault("name", f"张{n}")
        kw.setdefault("lat", 29.8)
        kw.setdefault("lon", 121.55)
        person = Person(district_id=district.id, **kw)
        person.roles = [PersonRole(role=r) for r in roles]
        person.skills = [PersonSkill(skill=s) for s in skills]
        return self._add(person)

    def slot(self, site: Site | None = None, start: datetime | None = None, hours: float = 3,
             lines: tuple[tuple[str, ...], ...] = (("lawyer",),), **kw: Any) -> Slot:
        n = next(_ids)
        site = site or self.site()
        start = start or datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
        kw.setdefault("external_id", f"{site.external_id}@{n}")
        kw.setdefault("kind", "visit")
        kw.setdefault("week_start", MONDAY)
        slot = Slot(district_id=site.district_id, site_id=site.id, start_at=start,
                    end_at=start + timedelta(hours=hours), **kw)
        slot.lines = [SlotLine(idx=i, roles=list(roles), count=1, skills=[]) for i, roles in enumerate(lines)]
        return self._add(slot)

    def schedule(self, district: District | None = None, **kw: Any) -> Schedule:
        district = district or self.district()
        kw.setdefault("week_start", MONDAY)
        return self._add(Schedule(district_id=district.id, **kw))

    def user(self, role: str = "coordinator", **kw: Any) -> User:
        n = next(_ids)
        kw.setdefault("username", f"user{n}")
        kw.setdefault("password_hash", "x")
        if role == "coordinator" and not kw.get("city_wide") and "district_id" not in kw:
            kw["district_id"] = self.district().id
        if role == "coordinator":
            kw.setdefault("totp_secret", TOTP_SECRET)
        return self._add(User(role=role, **kw))
