"""The real app in a real browser: a werkzeug server on 127.0.0.1 in a thread, over a migrated
temporary SQLite database holding the tiny demo world (one district, 28 sites, 40 people),
driven by Playwright through Debian's Chromium (/usr/bin/chromium; never a downloaded one).

Screenshots go to $SCREENSHOT_DIR when it is set (docs/screenshots is refreshed that way),
else to the test's temporary folder.
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from models import District
from models.db import make_engine, make_session_factory
from scheduler.core.database import upgrade
from scheduler.core.weeks import monday_of, to_local
from scheduler.demo.load import coordinator_username, load_world
from scheduler.demo.world import build_world
from web import create_app
from web.solve_runner import solve_runner

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
PASSWORD = "Browser-test-2026!"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the running app in Chromium (Playwright)")


@dataclass(frozen=True)
class LiveApp:
    url: str
    district_id: int
    username: str
    this_week: date
    factory: object

    def week_url(self, week: date, suffix: str = "") -> str:
        return f"{self.url}/districts/{self.district_id}/weeks/{week.isoformat()}{suffix}"


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder}/browser.sqlite"
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    this_week = monday_of(to_local(datetime.now(UTC)).date())
    world = build_world("tiny", 7, this_week)
    with factory.begin() as session:
        load_world(session, world, coordinator_password=PASSWORD, now=datetime.now(UTC))
        district_id = session.query(District.id).filter(District.code == world.districts[0].code).scalar()
    with pytest.MonkeyPatch.context() as env:
        # Read once while the app is built; other tests keep their own instance folder.
        env.setenv("SCHEDULER_INSTANCE_PATH", str(folder / "instance"))
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "browser-tests", "WTF_CSRF_ENABLED": True,
                          "SOLVE_RUNNER": "thread", "SOLVE_TIME_LIMIT": 10})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-app", daemon=True)
    thread.start()
    try:
        yield LiveApp(f"http://127.0.0.1:{server.server_port}", district_id,
                      coordinator_username(world.districts[0].prefix), this_week, factory)
    finally:
        server.shutdown()
        thread.join(10)
        solve_runner(app).shutdown()
        engine.dispose()


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright import sync_api
    except ImportError:
        pytest.fail("Playwright's Python package is missing: pip install -e '.[test]' installs it.", pytrace=False)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: install Debian's package (apt-get install -y chromium) "
                    "or point CHROMIUM_PATH at one.", pytrace=False)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """`new_page(viewport, locale)`: a fresh context (no cookies) and its page, closed after the test."""
    contexts = []

    def make(viewport=DESKTOP, locale="zh-CN", javascript=True, mobile=False):
        context = browser.new_context(viewport=viewport, locale=locale, java_script_enabled=javascript,
                                      is_mobile=mobile, has_touch=mobile,
                                      device_scale_factor=2 if mobile else 1)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# The coordinator's TOTP secret once the first sign-in has enrolled it, and the last 30-second
# step whose code was used (a code works once).
_TOTP: dict[str, str] = {}
_USED_STEP: dict[str, int] = {}


def _fresh_code(secret: str) -> str:
    """A code the app takes now and has not seen: the next step's when this one's was used
    (the app accepts one step of drift), else wait for the step to turn."""
    import pyotp

    step = int(time.time()) // 30
    wanted = max(step, _USED_STEP.get(secret, -1) + 1)
    while wanted > int(time.time()) // 30 + 1:
        time.sleep(1)
    _USED_STEP[secret] = wanted
    return pyotp.TOTP(secret).at(wanted * 30)


def sign_in(page, live: LiveApp, lang: str) -> None:
    """Through the real forms, CSRF tokens and all: the password, then the second factor. The
    demo coordinator has none at first: the first sign-in sets it up as a coordinator would
    (scan, type the code, note the recovery codes); later ones type a code from it."""
    page.goto(f"{live.url}/login?lang={lang}")
    page.fill("input[name=username]", live.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form.stacked button[type=submit], form.stacked input[type=submit]").first.click()
    page.wait_for_url(lambda u: not u.rstrip("/").endswith("/login") and "/login?" not in u)
    if "/login/code" in page.url:
        page.fill("input[name=code]", _fresh_code(_TOTP[live.username]))
        page.locator("form.stacked input[type=submit]").first.click()
        page.wait_for_url(lambda u: "/login" not in u)
    if "/account/two-factor" in page.url:
        page.locator("form[action$='/account/two-factor/setup'] input[type=submit]").click()
        secret = page.locator("code.totp-secret").inner_text().replace(" ", "")
        page.fill("input[name=code]", _fresh_code(secret))
        page.locator("form[action$='/account/two-factor/confirm'] input[type=submit]").click()
        page.wait_for_selector("ul.recovery-codes")
        _TOTP[live.username] = secret
    page.goto(f"{live.url}/?lang={lang}")
