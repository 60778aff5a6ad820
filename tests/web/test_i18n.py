"""Language choice: Chinese by default, English on request, remembered for the session and
for the signed-in user; browser preference when nothing else says."""
from __future__ import annotations

from models import User
from tests.web.conftest import login_as


def test_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-Hans-CN">' in page
    assert "<h1>登录</h1>" in page and "公共法律服务排班系统" in page


def test_english_with_lang_switch_and_remembered_in_the_session(client):
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and "<h1>Sign in</h1>" in page
    assert "<h1>Sign in</h1>" in client.get("/login").get_data(as_text=True)
    assert "<h1>登录</h1>" in client.get("/login?lang=zh").get_data(as_text=True)
    assert "<h1>登录</h1>" in client.get("/login").get_data(as_text=True)


def test_accept_language_decides_when_nothing_else_does(client):
    english = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "<h1>Sign in</h1>" in english
    chinese = client.get("/login", headers={"Accept-Language": "zh-TW,zh;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert "<h1>登录</h1>" in chinese
    unknown = client.get("/login", headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert "<h1>登录</h1>" in unknown


def test_unknown_lang_value_is_ignored(client):
    assert "<h1>登录</h1>" in client.get("/login?lang=klingon").get_data(as_text=True)


def test_saved_locale_of_the_user_wins_over_the_browser(client, world, session):
    user = world.users["coord_a"]
    user.locale = "en"
    session.flush()
    login_as(client, user)
    page = client.get("/dashboard", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "<h1>Dashboard</h1>" in page


def test_a_lang_link_switches_this_browser_but_never_saves_the_account_language(client, world, session):
    """A GET changes nothing stored (issue 13 row 11): a link from another site carrying
    ?lang= shows the page in that language, and the account keeps its own."""
    user = world.users["provider"]
    login_as(client, user)
    assert "我的信息" in client.get("/me").get_data(as_text=True)
    assert "My details" in client.get("/me?lang=en").get_data(as_text=True)
    assert "My details" in client.get("/me").get_data(as_text=True)  # for this session
    session.expire_all()
    assert session.get(User, user.id).locale == "zh_Hans_CN"
    other = client.application.test_client()
    login_as(other, user)
    assert "我的信息" in other.get("/me").get_data(as_text=True)


def test_the_language_form_saves_it_for_the_user(client, world, session):
    user = world.users["provider"]
    login_as(client, user)
    page = client.get("/me").get_data(as_text=True)
    assert 'action="/language"' in page and 'name="lang" value="en"' in page
    response = client.post("/language", data={"lang": "en", "next": "/me"})
    assert response.status_code == 302 and response.headers["Location"] == "/me"
    session.expire_all()
    assert session.get(User, user.id).locale == "en"
    # A new session on another device starts in the saved language.
    other = client.application.test_client()
    login_as(other, user)
    assert "My details" in other.get("/me").get_data(as_text=True)
    assert client.post("/language", data={"lang": "klingon"}).status_code == 400
    assert client.post("/language", data={"lang": "zh", "next": "https://evil.example/"}).headers["Location"] == "/"


def test_language_switch_keeps_the_page_and_its_filters(client, world):
    assert 'href="/login?next=%2Fpeople%2F&amp;lang=en"' in client.get("/login?next=/people/").get_data(as_text=True)
    login_as(client, world.users["coord_a"])
    page = client.get("/people/?q=%E7%8E%8B&status=all").get_data(as_text=True)
    assert 'name="next" value="/people/?q=%E7%8E%8B&amp;status=all"' in page


def test_error_pages_in_both_languages(client, world):
    login_as(client, world.users["provider"])
    assert "无权访问" in client.get("/dashboard").get_data(as_text=True)
    assert "Not allowed" in client.get("/dashboard?lang=en").get_data(as_text=True)
    assert "Page not found" in client.get("/nowhere").get_data(as_text=True)
    assert "页面不存在" in client.get("/nowhere?lang=zh").get_data(as_text=True)


def test_domain_labels_are_translated(client, world):
    login_as(client, world.users["coord_a"])
    zh = client.get(f"/people/{world.person_a.id}").get_data(as_text=True)
    assert "律师" in zh and "lawyer" not in zh
    en = client.get(f"/people/{world.person_a.id}?lang=en").get_data(as_text=True)
    assert "Lawyer" in en
