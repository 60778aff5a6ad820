"""CSRF, security headers, cookie flags, and templates free of inline script and style."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.web.conftest import PASSWORD, build_app, current_code, login_as
from web import create_app

WEB = Path(__file__).resolve().parents[2] / "web"


@pytest.fixture
def csrf_app(engine, session, tmp_path, monkeypatch):
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    return build_app(engine, session, tmp_path, WTF_CSRF_ENABLED=True)


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "no CSRF token in the page"
    return match.group(1)


def test_login_without_csrf_token_is_refused(csrf_app, world):
    client = csrf_app.test_client()
    response = client.post("/login", data={"username": world.users["coord_a"].username, "password": PASSWORD})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_login_with_the_token_from_the_form_works(csrf_app, world):
    client = csrf_app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={
        "username": world.users["coord_a"].username, "password": PASSWORD, "csrf_token": token,
    })
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    # The second step's form carries its own token (a coordinator has a second factor).
    token = csrf_token(client.get("/login/code").get_data(as_text=True))
    assert client.post("/login/code", data={"code": "000000"}).status_code == 400
    response = client.post("/login/code", data={"code": current_code(csrf_app), "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_logout_and_changes_without_token_are_refused(csrf_app, world, session):
    client = csrf_app.test_client()
    login_as(client, world.users["coord_a"])
    assert client.post("/logout").status_code == 400
    assert client.post(f"/people/{world.person_a.id}/deactivate").status_code == 400
    assert client.get("/dashboard").status_code == 200
    session.refresh(world.person_a)
    assert world.person_a.active
    # The logout button in the page carries a token that works.
    token = csrf_token(client.get("/dashboard").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/dashboard").status_code == 302


EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


@pytest.mark.parametrize("path", ["/login", "/dashboard", "/no-such-page", "/static/css/site.css", "/logout"])
def test_security_headers_on_every_kind_of_response(client, world, path):
    login_as(client, world.users["coord_a"])
    response = client.get(path)
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_pages_are_not_cached_but_static_files_may_be(client, world):
    login_as(client, world.users["coord_a"])
    assert client.get("/dashboard").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/css/site.css").headers.get("Cache-Control", "")


def test_server_errors_get_the_page_and_the_headers(app, client, world):
    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert "出错了" in response.get_data(as_text=True)
    assert response.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_flags_in_testing(client, world):
    response = client.post("/login", data={"username": world.users["coord_a"].username, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_config_makes_the_cookie_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SCHEDULER_CONFIG", "production")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    monkeypatch.setenv("SCHEDULER_BASE_URL", "https://paiban.example.gov.cn")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["WTF_CSRF_ENABLED"] and not app.debug
    # With no SECRET_KEY in the environment a key is generated once and kept, owner-only.
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == app.config["SECRET_KEY"]
    assert key_file.stat().st_mode & 0o077 == 0
    assert create_app().config["SECRET_KEY"] == app.config["SECRET_KEY"]


def test_secret_key_from_the_environment_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    monkeypatch.setenv("SCHEDULER_BASE_URL", "https://paiban.example.gov.cn")
    assert create_app().config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_unknown_config_name_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SCHEDULER_CONFIG", "staging")
    with pytest.raises(ValueError, match="Unknown configuration 'staging'"):
        create_app()


def test_development_config_allows_http_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SCHEDULER_CONFIG", "development")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    assert create_app().config["SESSION_COOKIE_SECURE"] is False


def templates() -> list[Path]:
    return sorted(WEB.rglob("templates/**/*.html"))


def test_templates_have_no_inline_script_or_style():
    # The CSP forbids them; a template that used one would silently break in the browser.
    assert templates()
    for path in templates():
        text = path.read_text(encoding="utf-8")
        # Scripts only as the app's own files (/static, or the API docs' Swagger UI assets): a src
        # and nothing between the tags.
        for tag in re.findall(r"<script\b[^>]*>.*?</script>", text, flags=re.S):
            assert re.fullmatch(r"""<script src="\{\{ url_for\('(static|api\.docs_asset)', [^"]+\) \}\}"( defer)?>"""
                                r"""</script>""", tag), path
        assert text.count("<script") == len(re.findall(r"<script\b[^>]*>.*?</script>", text, flags=re.S)), path
        assert "<style" not in text, path
        assert not re.search(r"\sstyle=", text), path
        assert not re.search(r"\son[a-z]+=", text), path


def test_every_form_that_posts_carries_a_csrf_token():
    for path in templates():
        text = path.read_text(encoding="utf-8")
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", text, flags=re.S | re.I):
            assert "csrf_token" in form, f"{path}: {form[:80]}"
