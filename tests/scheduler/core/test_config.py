"""The settings: every environment variable in one frozen object, read once at start, bad
values refused with the variable's name; one rule for the public base URL; and no module but
`scheduler.core.config` reading the environment."""
from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.core.config import DEFAULT_BASE_URL, DEFAULT_FEED_DOMAIN, Settings, SettingsError, public_base_url

ROOT = Path(__file__).resolve().parents[3]
CONFIG_MODULE = ROOT / "scheduler" / "core" / "config.py"


def test_defaults_with_an_empty_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = Settings.from_env({})
    assert s.instance_path == tmp_path / "instance"
    assert s.database_url == f"sqlite:///{tmp_path / 'instance' / 'scheduler.sqlite'}"
    assert (s.timezone, s.config_name, s.secret_key, s.base_url) == ("Asia/Shanghai", None, None, None)
    assert (s.smtp_host, s.smtp_port, s.smtp_from) == ("127.0.0.1", 25, "noreply@localhost")
    assert (s.celery_broker_url, s.celery_result_backend, s.celery_queue, s.solve_workers) == (None, None, "solve", 2)
    assert (s.log_format, s.log_level, s.complaint_phone, s.swap_approval) == ("json", "INFO", "12348", "automatic")
    assert (s.retention_availability_days, s.retention_calendar_upload_days, s.retention_inactive_person_days,
            s.retention_notification_days) == (180, 180, 365, 90)
    assert (s.gunicorn_bind, s.gunicorn_threads, s.gunicorn_timeout, s.gunicorn_max_requests) == (
        "127.0.0.1:8000", 4, 60, 0)
    assert s.web_concurrency is None and s.gunicorn_workers >= 3
    assert s.forwarded_allow_ips == "127.0.0.1,::1" and s.demo_password is None
    assert s.feed_domain == DEFAULT_FEED_DOMAIN == "127.0.0.1"


def test_values_from_the_environment_override_the_defaults(tmp_path):
    s = Settings.from_env({
        "SCHEDULER_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "postgresql+psycopg://u@db/x",
        "SCHEDULER_BASE_URL": "https://paiban.example.gov.cn/", "SMTP_PORT": "2525",
        "CELERY_BROKER_URL": "redis://r:6379/0", "SOLVE_WORKERS": "1", "LOG_FORMAT": "TEXT", "LOG_LEVEL": "debug",
        "RETENTION_NOTIFICATION_DAYS": "never", "RETENTION_AVAILABILITY_DAYS": "30", "WEB_CONCURRENCY": "3",
        "SCHEDULER_CONFIG": "Development", "SECRET_KEY": "k", "SCHEDULER_COMPLAINT_PHONE": " 0574-1 ",
        "SWAP_APPROVAL": "coordinator", "SCHEDULER_TIMEZONE": "Asia/Urumqi", "SCHEDULER_DEMO_PASSWORD": "pw",
    })
    assert s.instance_path == tmp_path and s.database_url == "postgresql+psycopg://u@db/x"
    assert s.base_url == "https://paiban.example.gov.cn" and s.feed_domain == "paiban.example.gov.cn"
    assert s.smtp_port == 2525 and s.solve_workers == 1 and s.gunicorn_workers == 3
    # The result backend is the broker unless named.
    assert s.celery_broker_url == s.celery_result_backend == "redis://r:6379/0"
    assert (s.log_format, s.log_level) == ("text", "DEBUG")
    assert (s.retention_notification_days, s.retention_availability_days) == (None, 30)
    assert (s.config_name, s.secret_key, s.complaint_phone, s.swap_approval) == (
        "development", "k", "0574-1", "coordinator")
    assert s.timezone == "Asia/Urumqi" and s.demo_password == "pw"
    # Secrets stay out of logs and tracebacks.
    assert "'k'" not in repr(s) and "pw" not in repr(s)


def test_settings_are_frozen():
    s = Settings.from_env({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.smtp_port = 26  # type: ignore[misc]


@pytest.mark.parametrize(("name", "value", "says"), [
    ("SMTP_PORT", "twenty-five", "SMTP_PORT must be a port number (1-65535), not 'twenty-five'"),
    ("SOLVE_WORKERS", "0", "SOLVE_WORKERS must be a positive whole number, not '0'"),
    ("SCHEDULER_BASE_URL", "paiban.example.org", "SCHEDULER_BASE_URL 'paiban.example.org' is not an http(s) URL"),
    ("SCHEDULER_BASE_URL", "ftp://x", "SCHEDULER_BASE_URL 'ftp://x' is not an http(s) URL"),
    ("RETENTION_INACTIVE_PERSON_DAYS", "-1", "RETENTION_INACTIVE_PERSON_DAYS must be a whole number of days"),
    ("LOG_FORMAT", "xml", "LOG_FORMAT must be one of json, text, not 'xml'"),
    ("SCHEDULER_TIMEZONE", "Mars/Base", "SCHEDULER_TIMEZONE must be an IANA time zone"),
    ("GUNICORN_MAX_REQUESTS", "many", "GUNICORN_MAX_REQUESTS must be a whole number (0 or more)"),
])
def test_a_bad_value_is_refused_with_the_variable_named(name, value, says):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({name: value})
    assert says in str(refused.value) and "docs/configuration.md" in str(refused.value)


def test_mail_security_follows_the_login_unless_chosen(tmp_path):
    login = {"SMTP_USERNAME": "gfw@example.org", "SMTP_PASSWORD": "pw", "SMTP_HOST": "smtp.example.org"}
    plain = Settings.from_env({})
    assert (plain.smtp_security, plain.smtp_port, plain.smtp_username, plain.smtp_password) == ("none", 25, None, None)
    hosted = Settings.from_env(login)
    assert (hosted.smtp_security, hosted.smtp_port, hosted.smtp_username) == ("starttls", 587, "gfw@example.org")
    assert "'pw'" not in repr(hosted)
    implicit = Settings.from_env({**login, "SMTP_SECURITY": "SSL"})
    assert (implicit.smtp_security, implicit.smtp_port) == ("ssl", 465)
    assert Settings.from_env({**login, "SMTP_SECURITY": "ssl", "SMTP_PORT": "2465"}).smtp_port == 2465
    # A login in clear text only to a relay on this machine.
    assert Settings.from_env({**login, "SMTP_HOST": "127.0.0.1", "SMTP_SECURITY": "none"}).smtp_port == 25
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    assert Settings.from_env({"SMTP_CA_FILE": str(ca)}).smtp_ca_file == ca


@pytest.mark.parametrize(("env", "says"), [
    ({"SMTP_SECURITY": "tls"}, "SMTP_SECURITY must be one of starttls, ssl, none, not 'tls'"),
    ({"SMTP_USERNAME": "u"}, "SMTP_USERNAME and SMTP_PASSWORD go together"),
    ({"SMTP_PASSWORD": "p"}, "SMTP_USERNAME and SMTP_PASSWORD go together"),
    ({"SMTP_USERNAME": "u", "SMTP_PASSWORD": "p", "SMTP_HOST": "mail.example.org", "SMTP_SECURITY": "none"},
     "SMTP_SECURITY=none with SMTP_USERNAME would send the password in clear text to 'mail.example.org'"),
    ({"SMTP_CA_FILE": "/nowhere/ca.pem"}, "SMTP_CA_FILE must name a readable file"),
    ({"SMTP_FROM": "a@example.org, b@example.org"}, "SMTP_FROM must be one address"),
    ({"SMTP_FROM": "noreply"}, "SMTP_FROM must be one address"),
])
def test_bad_mail_settings_are_refused(env, says):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(env)
    assert says in str(refused.value)
    assert "'p'" not in str(refused.value)


def test_every_bad_value_is_named_at_once():
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"SMTP_PORT": "0", "RETENTION_AVAILABILITY_DAYS": "soon"})
    assert "SMTP_PORT" in str(refused.value) and "RETENTION_AVAILABILITY_DAYS" in str(refused.value)


def test_the_command_line_refuses_to_start_with_a_bad_value(monkeypatch):
    from scheduler.cli import main

    monkeypatch.setenv("SMTP_PORT", "smtp")
    result = CliRunner().invoke(main, ["ls", "districts"])
    assert result.exit_code == 1 and "SMTP_PORT must be a port number" in result.output


def test_the_web_app_keeps_the_settings_it_was_built_with(tmp_path):
    from web import create_app
    from web.config import app_settings

    settings = Settings.from_env({"SCHEDULER_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "s",
                                  "SCHEDULER_BASE_URL": "https://paiban.example.org", "SWAP_APPROVAL": "coordinator"})
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite"}, settings=settings)
    assert app_settings(app) is settings
    assert app.config["SCHEDULER_BASE_URL"] == "https://paiban.example.org"
    assert app.config["SWAP_APPROVAL"] == "coordinator" and app.config["SECRET_KEY"] == "s"


def test_one_rule_for_the_public_base_url():
    # Configured first, whatever the request says; the request only when nothing is configured.
    assert public_base_url("https://paiban.example.org/", "http://10.0.0.5:8000/") == "https://paiban.example.org"
    assert public_base_url(None, "http://127.0.0.1:5000/") == "http://127.0.0.1:5000"
    assert public_base_url(None) == public_base_url("", None) == DEFAULT_BASE_URL


# --- nobody else reads the environment ------------------------------------------------------

def environment_reads(source: str) -> list[int]:
    """Lines of `source` that touch the process environment: os.environ, os.getenv,
    os.putenv, os.unsetenv, or `environ`/`getenv` imported from os."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os" \
                and node.attr in {"environ", "environb", "getenv", "putenv", "unsetenv"}:
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os" \
                and {a.name for a in node.names} & {"environ", "getenv", "putenv"}:
            lines.append(node.lineno)
    return sorted(lines)


def test_only_the_settings_read_the_environment():
    offenders = [f"{path.relative_to(ROOT)}:{line}"
                 for top in ("scheduler", "web") for path in sorted((ROOT / top).rglob("*.py"))
                 if path != CONFIG_MODULE
                 for line in environment_reads(path.read_text(encoding="utf-8"))]
    assert offenders == [], "read settings through scheduler.core.config.Settings:\n" + "\n".join(offenders)


def test_every_variable_is_documented():
    """docs/configuration.md has a row for every variable Settings.from_env reads."""
    read = set(re.findall(r'reader\.\w+\("([A-Z_]+)"', CONFIG_MODULE.read_text(encoding="utf-8")))
    table = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Z_]+)`", table, flags=re.M))
    assert len(read) > 25 and read <= documented, sorted(read - documented)
