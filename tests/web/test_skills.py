"""Skills in the reader's language on every page that shows one, and the skills page:
adding (any coordinator), renaming (the city's coordinators), refusals in the reader's
language; forms and imports take a skill's code, Chinese or English name (issue 18, item 2)."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from models import Person, Skill
from tests.scheduler.spreadsheets import PEOPLE_HEAD, person_row, xlsx
from tests.web.conftest import NOW, login_as


def page(client, url: str, **data) -> str:
    response = client.post(url, data=data) if data else client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_a_persons_skills_are_named_in_the_readers_language(as_role, world):
    client = as_role("coord_a")
    zh = page(client, f"/people/{world.person_a.id}")
    assert "<li>婚姻家庭</li>" in zh and "<li>family</li>" not in zh
    en = page(client, f"/people/{world.person_a.id}?lang=en")
    assert "<li>Marriage and family</li>" in en and "<li>family</li>" not in en
    # The edit form is filled with the names, and takes them back unchanged.
    assert 'value="Marriage and family"' in page(client, f"/people/{world.person_a.id}/edit?lang=en")


def test_an_unknown_code_is_shown_as_stored(as_role, world, make, session):
    person = make.person(world.district_a, name="赵律师", skills=("maritime",))
    assert "<li>maritime</li>" in page(as_role("coord_a"), f"/people/{person.id}")


def test_the_person_form_takes_any_name_and_refuses_an_unknown_one(as_role, world, session):
    client = as_role("coord_a")
    base = {"name": "王律师", "roles": ["lawyer"], "max_hours_week": "8", "organisation": ""}
    done = client.post(f"/people/{world.person_a.id}/edit", data={**base, "skills": "劳动争议、ningbo dialect, land"})
    assert done.status_code == 302
    session.expire_all()
    assert session.get(Person, world.person_a.id).skill_names == ["dialect_ningbo", "labour", "land"]
    en = page(client, f"/people/{world.person_a.id}/edit?lang=en", **base, skills="Labour disputes, Tax law")
    assert "Unknown skills: Tax law." in en
    session.expire_all()
    assert session.get(Person, world.person_a.id).skill_names == ["dialect_ningbo", "labour", "land"]


def test_a_coordinator_adds_a_skill_and_pages_name_it_at_once(as_role, world, session):
    client = as_role("coord_a")
    added = client.post("/skills/", data={"code": "tax", "name_zh": "税务", "name_en": "Tax"})
    assert added.status_code == 302
    assert session.get(Skill, "tax").name_en == "Tax"
    listing = page(client, "/skills/")
    assert "已添加专长“税务”。" in listing and "<td lang=\"en\">Tax</td>" in listing
    # A district coordinator does not rename: no link, and the page is refused.
    assert "/skills/tax/edit" not in listing
    assert client.get("/skills/tax/edit").status_code == 403


def test_a_duplicate_or_malformed_skill_is_refused_in_the_readers_language(as_role, world, session):
    client = as_role("coord_a")
    zh = page(client, "/skills/", code="Family Law", name_zh="婚姻家庭", name_en="")
    assert "代码只能由小写字母、数字和 _ 组成，最多 32 个字符。" in zh
    assert "“婚姻家庭”已是专长 family 的名称。" in zh and "英文名：请填写此项。" in zh
    en = page(client, "/skills/?lang=en", code="family", name_zh="家庭", name_en="labour disputes")
    assert "The code family is already a skill." in en
    assert "“labour disputes” already names the skill labour." in en
    assert session.scalar(select(Skill).where(Skill.name_zh == "家庭")) is None


def test_only_coordinators_see_the_skills_page(as_role, world, session):
    client = as_role("provider")
    assert client.get("/skills/").status_code == 403
    assert client.post("/skills/", data={"code": "tax", "name_zh": "税务", "name_en": "Tax"}).status_code == 403
    assert session.get(Skill, "tax") is None


def test_the_city_renames_a_skill(as_role, world, session):
    client = as_role("city")
    assert 'href="/skills/family/edit"' in page(client, "/skills/")
    done = client.post("/skills/family/edit", data={"name_zh": "婚姻家事", "name_en": "Family"})
    assert done.status_code == 302
    assert "<li>婚姻家事</li>" in page(client, f"/people/{world.person_a.id}")
    refused = page(client, "/skills/family/edit", name_zh="劳动争议", name_en="Family")
    assert "“劳动争议”已是专长 labour 的名称。" in refused
    assert client.get("/skills/nosuch/edit").status_code == 404


def test_an_import_names_an_unknown_skill_in_the_readers_language(client, world, session):
    login_as(client, world.users["coord_a"])
    data = xlsx({"人员": [PEOPLE_HEAD, person_row("A-1", "甲区", skills="Labour disputes、税法")]})

    def upload(lang):
        return client.post(f"/transfer/import?lang={lang}", data={"file": (io.BytesIO(data), "people.xlsx")},
                           content_type="multipart/form-data").get_data(as_text=True)

    zh = upload("zh")
    assert re.search(r"<td>人员</td><td>2</td><td>E 专长</td><td>未知专长“税法”", zh)
    assert "Unknown skill &#34;税法&#34;: write a skill&#39;s code" in upload("en")
    assert session.scalar(select(Person).where(Person.external_id == "A-1")) is None


def test_why_nobody_could_take_a_place_names_roles_and_skills_in_the_readers_language(app, world):
    from web.labels import open_reason

    reason = {"code": "no_qualified", "zh": "没有人同时具备所需角色（律师）和技能（family, maritime）",
              "en": "nobody holds the role (lawyer) and skills (family, maritime)",
              "roles": "lawyer/notary", "skills": "family, maritime"}
    with app.test_request_context("/?lang=en"):
        assert open_reason(reason) == "Nobody holds the role (Lawyer / Notary) and the skills " \
                                      "(Marriage and family, maritime)."
    with app.test_request_context("/?lang=zh"):
        assert open_reason(reason) == "没有人同时具备所需角色（律师 / 公证员）和专长（婚姻家庭、maritime）。"
        assert open_reason({"code": "x", "zh": "甲", "en": "A"}) == "甲"


def test_the_pairings_reasons_name_the_advisers_role_in_the_readers_language(app):
    from web.labels import open_reason

    at_limit = {"code": "all_at_limit", "zh": "全部3名可担任的“lawyer”结对村数都已达到上限（合计6个村）",
                "en": "all 3 lawyer(s) who could serve it already have as many villages as they may take (6 in all)",
                "role": "lawyer", "count": "3", "limit": "6"}
    nobody = {"code": "no_role", "zh": "没有人具有“lawyer”角色", "en": "no one holds the role 'lawyer'",
              "role": "lawyer"}
    with app.test_request_context("/?lang=zh"):
        assert open_reason(at_limit) == "可担任该村顾问的全部 3 名律师结对村数都已达到上限（合计 6 个村）。"
        assert open_reason(nobody) == "没有人具有律师角色，无人能担任该村法律顾问。"
    with app.test_request_context("/?lang=en"):
        assert open_reason(at_limit) == ("All 3 people with the role Lawyer who could serve this village already "
                                         "have as many villages as they may take (6 in all).")


def test_an_unpaired_village_says_which_skills_nobody_holds_in_the_readers_language(as_role, world, make, session):
    from scheduler.advisers.pairings import propose

    village = make.site(world.district_b, name="丙村", needs=["dialect_ningbo"])
    make.person(world.district_b, skills=("family",), max_paired_sites=3)
    proposal = propose(session, None, world.district_b.id, NOW.date())
    client = as_role("city")
    zh = page(client, f"/advisers/proposals/{proposal.id}")
    assert village.name in zh and "没有律师具备该村所需的全部专长：宁波话。" in zh and "dialect_ningbo" not in zh
    en = page(client, f"/advisers/proposals/{proposal.id}?lang=en")
    assert "No Lawyer holds every skill this village needs: Ningbo dialect." in en
