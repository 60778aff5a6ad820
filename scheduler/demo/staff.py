"""A district's organisations and the people who belong to them."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from scheduler.demo import people as pp
from scheduler.demo.geography import scatter
from scheduler.demo.model import District, Organisation, Site, Township
from scheduler.demo.names import PhoneBook, email, person_name
from scheduler.demo.services import stem

_BRAND_A = "明正和信诚泰君合大宁海甬华东方德衡智远天恒金盛安嘉浙中同启光致"
_BRAND_B = "律信诚泰和正远衡达铭鼎昊瑞诺联道行策纬辰海邦德"
_SPECIAL_COMMITTEES = ("医疗纠纷", "交通事故", "劳动争议")
_FEMALE_SHARE = {"lawyer": 0.42, "trainee_lawyer": 0.55, "notary": 0.5, "forensic_expert": 0.35,
                 "grassroots_worker": 0.5, "mediator": 0.45, "volunteer": 0.55,
                 "legal_promoter": 0.5}


@dataclass
class Draft:
    """A person while the world is being built; frozen into model.Person at the end
    (pairing may still add a skill or raise max_paired_sites)."""

    external_id: str
    organisation: str
    name: str
    pinyin: str
    gender: str
    roles: list[str]
    skills: set[str]
    lat: float
    lon: float
    max_hours_week: int
    target_hours_week: int | None
    max_slots_per_day: int | None
    max_paired_sites: int | None
    active: bool
    available: tuple
    undesired: tuple
    exceptions: tuple
    phone: str = ""
    paired: list[str] = field(default_factory=list)


def organisations(rng: random.Random, d: District, townships: list[Township],
                  villages: list[Site], n_lawyers: int, brands: tuple[random.Random, set[str]]):
    """Returns (all organisations, and the pools each role draws from)."""
    sname = stem(d.name)
    notary_name = f"宁波市{sname}公证处" if d.name.endswith("区") else f"{d.name}公证处"
    legal_aid = Organisation(f"{d.prefix}-LA", d.code, "legal_aid_centre", f"{d.name}法律援助中心")
    notary = Organisation(f"{d.prefix}-NO1", d.code, "notary_office", notary_name)
    judicial = [Organisation(f"{d.prefix}-JO{i + 1:02d}", d.code, "judicial_office",
                             f"{d.name}司法局{stem(t.name)}司法所", t.code)
                for i, t in enumerate(townships)]
    teams = [Organisation(f"{d.prefix}-VT{i + 1:02d}", d.code, "volunteer_team",
                          f"{t.name}普法志愿服务队", t.code) for i, t in enumerate(townships)]
    urban = [t for t in townships if t.urban] or townships
    firms = []
    brand_rng, taken = brands  # a stream of its own: a clash must not shift the world
    for i in range(max(2, round(n_lawyers / 9))):
        while True:
            brand = brand_rng.choice(_BRAND_A) + brand_rng.choice(_BRAND_B)
            if brand not in taken and brand[0] != brand[1]:
                taken.add(brand)
                break
        t = rng.choice(urban) if rng.random() < 0.55 else rng.choice(townships)
        firms.append(Organisation(f"{d.prefix}-LF{i + 1:03d}", d.code, "law_firm",
                                  f"浙江{brand}律师事务所", t.code))
    committees = [Organisation(f"{d.prefix}-MC{i + 1:04d}", d.code, "mediation_committee",
                               f"{t.name}人民调解委员会", t.code) for i, t in enumerate(townships)]
    for v in villages:
        committees.append(Organisation(f"{d.prefix}-MC{len(committees) + 1:04d}", d.code,
                                       "mediation_committee", f"{v.name}人民调解委员会",
                                       v.township))
    special = [Organisation(f"{d.prefix}-MC{len(committees) + 1 + k:04d}", d.code,
                            "mediation_committee", f"{d.name}{topic}人民调解委员会")
               for k, topic in enumerate(_SPECIAL_COMMITTEES)]
    orgs = [legal_aid, notary, *judicial, *firms, *committees, *special, *teams]
    return orgs, dict(legal_aid=legal_aid, notary=notary, judicial=judicial, teams=teams,
                      firms=firms, committees=committees, special=special)


def _home(rng, org, role, township_at, village_at, centre):
    """Somewhere near where the person works; a third of lawyers set out from home, which
    may be anywhere in the district (homes spread like villages do)."""
    if role == "lawyer" and rng.random() < 0.3 and village_at:
        return scatter(rng, *rng.choice(list(village_at.values())), 3.0)
    if org.external_id in village_at:
        return scatter(rng, *village_at[org.external_id], 1.5)
    if org.township is not None:
        return scatter(rng, *township_at[org.township], 3.0)
    return scatter(rng, *centre, 4.0)


def people(rng: random.Random, drng: random.Random, d: District, counts: dict[str, int],
           pools: dict, townships: list[Township], villages: list[Site], centre: tuple,
           phones: PhoneBook, first_day: date, weeks: int) -> list[Draft]:
    township_at = {t.code: (t.lat, t.lon) for t in townships}
    rural_townships = {t.code for t in townships if not t.urban}
    village_committees = pools["committees"][len(townships):]
    village_at = {c.external_id: (v.lat, v.lon) for c, v in zip(village_committees, villages)}
    firm_weights = [rng.paretovariate(1.3) for _ in pools["firms"]]
    out: list[Draft] = []
    for role in pp.TINY_ROLES:  # a fixed role order keeps ids stable
        for i in range(counts.get(role, 0)):
            org = _organisation_for(rng, role, pools, firm_weights)
            lat, lon = _home(rng, org, role, township_at, village_at, centre)
            gender = "F" if rng.random() < _FEMALE_SHARE[role] else "M"
            name, pinyin = person_name(rng, gender)
            roles = [role]
            if role == "grassroots_worker" and rng.random() < 0.3:
                roles.append("mediator")
            elif role == "lawyer" and rng.random() < 0.05:
                roles.append("mediator")  # lawyer-mediators (律师调解员)
            max_h, target, per_day = pp.hours_limits(rng, role)
            out.append(Draft(
                f"{d.prefix}-{pp.ROLE_LETTER[role]}{i + 1:04d}", org.external_id, name, pinyin,
                gender, roles, set(pp.skills_for(rng, role, org.township in rural_townships)),
                lat, lon, max_h, target, per_day,
                rng.choice((0, 0, 1, 1, 2, 2, 3)) if role == "lawyer" else None,
                rng.random() >= 0.03, pp.weekly_availability(rng, role),
                pp.weekly_undesired(rng), pp.dated_exceptions(drng, role, first_day, weeks)))
    for p in out:
        p.phone = phones.number()
    return out


def _organisation_for(rng, role, pools, firm_weights) -> Organisation:
    if role == "lawyer":
        if rng.random() < 0.08:
            return pools["legal_aid"]
        return rng.choices(pools["firms"], firm_weights)[0]
    if role == "trainee_lawyer":
        return rng.choices(pools["firms"], firm_weights)[0]
    if role == "notary":
        return pools["notary"]
    if role == "forensic_expert":
        return pools["legal_aid"]  # seconded to the centre's forensic desk
    if role == "grassroots_worker":
        return rng.choice(pools["judicial"])
    if role == "mediator":
        pick = rng.random()
        if pick < 0.05:
            return rng.choice(pools["special"])
        if pick < 0.3:
            return rng.choice(pools["committees"][: len(pools["judicial"])])
        return rng.choice(pools["committees"][len(pools["judicial"]):] or pools["committees"])
    return rng.choice(pools["teams"])


def email_of(p: Draft) -> str:
    return email(p.pinyin, p.external_id)
