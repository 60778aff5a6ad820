"""The skills vocabulary: names in both languages, reading any of code, Chinese and English
name, adding and renaming (issue 18, item 2), and importing people and villages by any name."""
from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from models import AuditEntry, Person, Site, Skill
from scheduler.core.access import AccessDenied
from scheduler.core.checking import Refused
from scheduler.core.weeks import to_utc
from scheduler.skills import admin
from scheduler.skills.vocabulary import Vocabulary, load, split
from scheduler.transfer.imports import describe, import_file
from tests.scheduler.spreadsheets import PEOPLE_HEAD, person_row, xlsx

NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)
VOCABULARY = Vocabulary({"family": ("婚姻家庭", "Marriage and family"), "labour": ("劳动争议", "Labour disputes")})


def test_a_name_in_each_language_and_the_code_for_an_unknown_skill():
    assert VOCABULARY.name("family") == "婚姻家庭"
    assert VOCABULARY.name("family", "en") == "Marriage and family"
    assert VOCABULARY.name("tax", "en") == "tax" and VOCABULARY.name("tax") == "tax"


@pytest.mark.parametrize("words", [["family"], ["婚姻家庭"], ["Marriage and family"], ["MARRIAGE  AND family"],
                                   [" Family "]])
def test_each_name_reads_as_the_code(words):
    assert VOCABULARY.read(words) == (["family"], [])


def test_several_skills_and_unknown_words_as_written():
    assert VOCABULARY.read(split("劳动争议、family，Tax law; 家事")) == (["family", "labour"], ["Tax law", "家事"])
    # Codes separated by spaces still read, each of them.
    assert VOCABULARY.read(["family labour"]) == (["family", "labour"], [])


def test_the_migration_seeds_the_standard_skills(session):
    names = {s.code: (s.name_zh, s.name_en) for s in session.scalars(select(Skill))}
    assert names["labour"] == ("劳动争议", "Labour disputes") and names["dialect_ningbo"][0] == "宁波话"


@pytest.fixture
def people(make):
    district = make.district(name="甲区", code="JQ")
    return {"coord": make.user("coordinator", district_id=district.id),
            "city": make.user("coordinator", city_wide=True),
            "provider": make.user("provider", district_id=district.id, person_id=make.person(district).id)}


def test_a_coordinator_adds_a_skill_and_it_is_audited(session, people):
    skill = admin.add_skill(session, people["coord"], admin.SkillInput("tax", "税务", "Tax"), NOW)
    assert (skill.code, skill.name_zh, skill.name_en) == ("tax", "税务", "Tax")
    assert load(session).read(["税务", "tax", "TAX"]) == (["tax"], [])
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "skill.create"))
    assert entry.object_id == "tax" and entry.user_id == people["coord"].id


@pytest.mark.parametrize("data, found", [
    (admin.SkillInput("Tax Law", "税务", "Tax"), {("code", "skill_code_format")}),
    (admin.SkillInput("x" * 33, "税务", "Tax"), {("code", "skill_code_format")}),
    (admin.SkillInput("", " ", ""), {("code", "required"), ("name_zh", "required"), ("name_en", "required")}),
    (admin.SkillInput("family", "家庭", "Family"), {("code", "skill_code_taken")}),
    (admin.SkillInput("family2", "婚姻家庭", "marriage AND family"),
     {("name_zh", "skill_name_taken"), ("name_en", "skill_name_taken")}),
    (admin.SkillInput("tax", "劳动争议", "labour"), {("name_zh", "skill_name_taken"), ("name_en", "skill_name_taken")}),
])
def test_bad_or_duplicate_skills_are_refused_with_every_problem(session, people, data, found):
    with pytest.raises(Refused) as caught:
        admin.add_skill(session, people["coord"], data, NOW)
    assert {(p.field, p.code) for p in caught.value.problems} == found
    assert session.get(Skill, data.code or "-") is None or data.code == "family"


def test_only_coordinators_add_and_only_the_city_renames(session, people):
    with pytest.raises(AccessDenied):
        admin.add_skill(session, people["provider"], admin.SkillInput("tax", "税务", "Tax"), NOW)
    with pytest.raises(AccessDenied):
        admin.rename_skill(session, people["coord"], "family", admin.SkillInput(None, "婚姻家事", "Family"), NOW)
    admin.rename_skill(session, people["city"], "family", admin.SkillInput(None, "婚姻家事", "Family"), NOW)
    assert load(session).name("family") == "婚姻家事"


# The people import: a skill by its code, Chinese name or English name; an unknown one refused.
TODAY = date(2026, 3, 4)


def run(session, rows, kind="people"):
    head = PEOPLE_HEAD
    return import_file(session, None, "people.xlsx", xlsx({"人员": [head, *rows]}), now=to_utc(TODAY, time(10)),
                       kind=kind)


@pytest.mark.parametrize("written", ["劳动争议、宁波话", "Labour disputes, ningbo DIALECT", "labour、dialect_ningbo"])
def test_people_import_by_chinese_name_english_name_or_code(session, make, written):
    make.district(name="甲区", code="JQ")
    report = run(session, [person_row("JQ-1", "甲区", skills=written)])
    assert report.ok and report.written, [describe(e) for e in report.errors]
    person = session.scalar(select(Person).where(Person.external_id == "JQ-1"))
    assert person.skill_names == ["dialect_ningbo", "labour"]


def test_an_unknown_skill_refuses_the_whole_file_naming_the_cell(session, make):
    make.district(name="甲区", code="JQ")
    report = run(session, [person_row("JQ-1", "甲区", skills="劳动争议"),
                           person_row("JQ-2", "甲区", skills="劳动争议、税法、Tax law")])
    assert not report.written and session.scalar(select(Person).where(Person.external_id == "JQ-1")) is None
    [error] = report.errors
    assert (error.row, error.column, error.code) == (3, "E", "unknown_skill")
    assert error.params["value"] == "税法、Tax law"
    assert describe(error, "zh").startswith("未知专长“税法、Tax law”")
    assert describe(error, "en").startswith("unknown skill \"税法、Tax law\"")


def test_a_village_import_reads_needs_by_name(session, make):
    make.district(name="甲区", code="JQ")
    head = ["地点编号", "区县", "类型", "名称", "纬度", "经度", "所需专长"]
    data = xlsx({"地点": [head, ["V-1", "甲区", "村（社区）", "甲村", 29.8, 121.5, "土地纠纷、Marriage and family"]]})
    report = import_file(session, None, "sites.xlsx", data, now=to_utc(TODAY, time(10)), kind="sites")
    assert report.ok and report.written, [describe(e) for e in report.errors]
    assert session.scalar(select(Site).where(Site.external_id == "V-1")).needs == ["family", "land"]
