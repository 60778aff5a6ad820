"""Signing in and out, throttling, changing passwords, and sessions that follow the password."""
from __future__ import annotations

from datetime import timedelta

import pytest

from models import User
from tests.web.conftest import NOW, PASSWORD, build_app, login_as, login_form


def reload(session, user: User) -> User:
    session.expire_all()
    return session.get(User, user.id)


def test_sign_in_lands_each_role_on_its_page(client, world):
    for role, landing in (("coord_a", "/dashboard"), ("provider", "/me"), ("village", "/my-village")):
        fresh = client.application.test_client()
        response = login_form(fresh, world.users[role].username, follow_redirects=True)
        assert response.status_code == 200
        assert response.request.path == landing


def test_sign_in_is_case_insensitive_on_username_and_records_the_time(client, world, session):
    user = world.users["coord_a"]
    response = login_form(client, user.username.upper())
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert reload(session, user).last_login_at is not None


def test_wrong_password_is_refused_with_a_clear_message(client, world):
    response = login_form(client, world.users["coord_a"].username, "wrong password!", query="?lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Wrong username or password" in page
    assert client.get("/dashboard").status_code == 302


def test_unknown_user_gets_the_same_message_as_a_wrong_password(client):
    page = login_form(client, "nobody-here", "whatever it is").get_data(as_text=True)
    assert "用户名或密码错误" in page


@pytest.fixture
def roomy_app(engine, session, tmp_path, monkeypatch):
    """An app whose rate limits leave room for the account's own back-off to show."""
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("LOGIN_LIMIT_PER_ADDRESS", "100 per minute")
    monkeypatch.setenv("LOGIN_LIMIT_PER_ACCOUNT", "100 per minute")
    return build_app(engine, session, tmp_path)


def test_five_failures_start_a_back_off_only_a_known_device_can_pass(roomy_app, world, session):
    """Five wrong passwords back the account off: the right password from a new device gets
    the wrong-password answer, while the owner's browser that signed in before goes on."""
    app, user = roomy_app, world.users["coord_a"]
    owner = app.test_client()
    assert login_form(owner, user.username).status_code == 302  # this browser is now known
    owner.post("/logout")
    attacker = app.test_client()
    for _ in range(5):
        assert "用户名或密码错误" in login_form(attacker, user.username, "wrong password!").get_data(as_text=True)
    backing_off = reload(session, user)
    assert backing_off.failed_logins == 5 and backing_off.locked_until == NOW + timedelta(minutes=1)
    stranger = app.test_client()
    response = login_form(stranger, user.username, PASSWORD)
    assert response.status_code == 200 and "用户名或密码错误" in response.get_data(as_text=True)
    assert stranger.get("/dashboard").status_code == 302
    assert login_form(owner, user.username).status_code == 302
    assert owner.get("/dashboard").status_code == 200


def test_the_lock_expires(client, world, session):
    user = world.users["coord_a"]
    user.locked_until = NOW - timedelta(seconds=1)
    user.failed_logins = 0
    session.flush()
    assert login_form(client, user.username).status_code == 302
    assert reload(session, user).locked_until is None


def test_deactivated_account_cannot_sign_in_and_its_session_ends(client, world, session):
    user = world.users["coord_a"]
    login_as(client, user)
    assert client.get("/dashboard").status_code == 200
    user.active = False
    session.flush()
    assert client.get("/dashboard").status_code == 302
    page = login_form(client, user.username).get_data(as_text=True)
    assert "该账号已停用" in page


def test_next_is_followed_only_within_the_site(client, world):
    name = world.users["coord_a"].username
    assert login_form(client, name, next="/people/").headers["Location"] == "/people/"
    other = client.application.test_client()
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        assert login_form(other, name, next=evil).headers["Location"] == "/"
        other = client.application.test_client()


def test_anonymous_visit_redirects_to_login_with_next(client, world):
    response = client.get("/people/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_logout_is_post_only(client, world):
    login_as(client, world.users["coord_a"])
    assert client.get("/logout").status_code == 405
    assert client.get("/dashboard").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/dashboard").status_code == 302


def test_signed_in_user_visiting_login_goes_home(client, world):
    login_as(client, world.users["provider"])
    assert client.get("/login").headers["Location"] == "/"


def test_change_password_checks_the_current_one_and_the_rules(client, world):
    login_as(client, world.users["coord_a"])
    page = client.post("/password?lang=en", data={
        "current": "not my password", "new": "a brand new secret", "confirm": "a brand new secret",
    }).get_data(as_text=True)
    assert "The current password is wrong." in page
    page = client.post("/password", data={"current": PASSWORD, "new": "short", "confirm": "short"}).get_data(as_text=True)
    assert "Field must be between 10 and 256 characters long." in page
    page = client.post("/password", data={
        "current": PASSWORD, "new": "a brand new secret", "confirm": "another secret!",
    }).get_data(as_text=True)
    assert "The two new passwords differ." in page


def test_changing_the_password_keeps_this_session_and_ends_the_others(app, world, session):
    user = world.users["coord_a"]
    mine, other = app.test_client(), app.test_client()
    login_as(mine, user)
    login_as(other, user)
    response = mine.post("/password", data={
        "current": PASSWORD, "new": "a brand new secret", "confirm": "a brand new secret",
    })
    assert response.status_code == 302
    assert mine.get("/dashboard").status_code == 200
    assert other.get("/dashboard").status_code == 302
    assert login_form(app.test_client(), user.username, "a brand new secret").status_code == 302


def test_after_signing_in_the_visitor_lands_where_they_were_going(client, world):
    login_page = client.get("/people/?q=王", follow_redirects=True)
    page = login_page.get_data(as_text=True)
    assert login_page.request.path == "/login" and "请先登录后再访问此页面" in page
    next_value = page.split('name="next" type="hidden" value="')[1].split('"')[0]
    assert next_value.startswith("/people/?q=")
    response = login_form(client, world.users["coord_a"].username, next=next_value.replace("&amp;", "&"))
    assert response.headers["Location"].startswith("/people/?q=")
