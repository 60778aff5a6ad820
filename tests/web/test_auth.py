"""Signing in and out, throttling, changing passwords, and sessions that follow the password."""
from __future__ import annotations

from datetime import timedelta

from models import User
from tests.web.conftest import NOW, PASSWORD, login_as, login_form


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
    assert "Wrong username or password" in page and "locked for 15 minutes" in page
    assert client.get("/dashboard").status_code == 302


def test_unknown_user_gets_the_same_message_as_a_wrong_password(client):
    page = login_form(client, "nobody-here", "whatever it is").get_data(as_text=True)
    assert "用户名或密码错误" in page


def test_five_failures_lock_the_account_even_for_the_right_password(client, world, session):
    user = world.users["coord_a"]
    for _ in range(4):
        assert "用户名或密码错误" in login_form(client, user.username, "wrong password!").get_data(as_text=True)
    page = login_form(client, user.username, "wrong password!").get_data(as_text=True)
    assert "账号已锁定至" in page
    locked = reload(session, user)
    assert locked.locked_until is not None and locked.locked_until > NOW + timedelta(minutes=14)
    response = login_form(client, user.username, PASSWORD)
    assert response.status_code == 200 and "账号已锁定至" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


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
