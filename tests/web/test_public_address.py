"""Feed and poster links never come from the Host header in production (issue 13, row 15):
with SCHEDULER_BASE_URL unset a production app used the address the request named, so a
printed QR code could carry an internal or attacker-chosen host. Now production refuses to
start without the setting; development and tests may still use the request's address."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from scheduler.core.config import Settings, SettingsError
from web import create_app
from web.cli import main
from web.config import production_problem

HOSTILE_HOST = "evil.example.net"


def _production_env(monkeypatch, tmp_path, **extra: str) -> None:
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SCHEDULER_CONFIG", "production")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    monkeypatch.delenv("SCHEDULER_BASE_URL", raising=False)
    for name, value in extra.items():
        monkeypatch.setenv(name, value)


def test_a_production_app_without_a_public_address_refuses_to_start(monkeypatch, tmp_path):
    _production_env(monkeypatch, tmp_path)
    with pytest.raises(SettingsError, match="SCHEDULER_BASE_URL must be set in production"):
        create_app()


def test_serve_prod_without_a_public_address_says_so_before_starting_gunicorn(monkeypatch, tmp_path):
    _production_env(monkeypatch, tmp_path)
    monkeypatch.delenv("SCHEDULER_CONFIG")  # --prod means production when unset
    result = CliRunner().invoke(main, ["serve", "--prod"])
    assert result.exit_code == 1 and "SCHEDULER_BASE_URL must be set in production" in result.output


@pytest.mark.parametrize("config, problem", [("production", True), (None, True),
                                              ("development", False), ("testing", False)])
def test_only_production_needs_the_public_address(tmp_path, config, problem):
    env = {"SCHEDULER_INSTANCE_PATH": str(tmp_path), **({"SCHEDULER_CONFIG": config} if config else {})}
    assert bool(production_problem(Settings.from_env(env))) is problem
    env["SCHEDULER_BASE_URL"] = "https://paiban.example.gov.cn"
    assert production_problem(Settings.from_env(env)) is None


def test_a_production_link_never_comes_from_the_host_header(monkeypatch, tmp_path):
    from web.config import base_url

    _production_env(monkeypatch, tmp_path, SCHEDULER_BASE_URL="https://paiban.example.gov.cn")
    app = create_app()
    with app.test_request_context("/", base_url=f"http://{HOSTILE_HOST}/"):
        assert base_url() == "https://paiban.example.gov.cn"
        # Even were the setting lost after start, the request's host is not used.
        app.config["SCHEDULER_BASE_URL"] = None
        assert HOSTILE_HOST not in base_url()


def test_development_may_use_the_request_address(app, world, as_role):
    app.config["SCHEDULER_BASE_URL"] = None
    page = as_role("coord_a").post(f"/feeds/village/{world.village_a.id}", data={"new": "1"},
                                   base_url="http://localhost:5000/").get_data(as_text=True)
    assert re.search(r'href="http://localhost:5000/feeds/[^"]+\.ics"', page)
