"""Configuration classes for the web app. Secure by default: only development and testing,
which run over plain http on this machine, drop the Secure flag of the session cookie."""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app, request

from scheduler.core.config import Settings, SettingsError, public_base_url

SECRET_KEY_FILE = "secret_key"
# The app's `Settings`, in app.extensions (read once, by `web.create_app`).
SETTINGS = "scheduler_settings"


class Config:
    DEBUG = False
    TESTING = False
    SESSION_COOKIE_NAME = "scheduler_session"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Flask-Login's remember cookie is not used; these keep it safe should it ever be.
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_Hans_CN", "en")
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # Strict-Transport-Security is only sent where cookies are Secure (https deployments).
    HSTS_SECONDS = 31536000


class DevelopmentConfig(Config):
    DEBUG = True
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


class TestingConfig(Config):
    TESTING = True
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    # Tests that exercise CSRF switch it back on; the rest post forms without tokens.
    WTF_CSRF_ENABLED = False


class ProductionConfig(Config):
    pass


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def app_settings(app: Flask | None = None) -> Settings:
    """The settings the app was built with."""
    return (app or current_app).extensions[SETTINGS]


def base_url() -> str:
    """The scheme://host[:port] feed and poster links start with: the configured
    SCHEDULER_BASE_URL, else, in development and tests only, the address of this request.
    The Host header is the client's to choose, so a production app never builds a link from
    it (`require_public_address` refuses to start one without the setting). One rule for
    every link: `scheduler.core.config.public_base_url`."""
    app = current_app
    trusted_host = app.debug or app.testing
    return public_base_url(app.config.get("SCHEDULER_BASE_URL"), request.url_root if trusted_host else None)


NO_PUBLIC_ADDRESS = (
    "SCHEDULER_BASE_URL must be set in production: it is the public https address that "
    "calendar links and the QR codes on printed posters carry, for example "
    "SCHEDULER_BASE_URL=https://paiban.example.gov.cn (see docs/configuration.md). "
    "`scheduler serve` without --prod runs the development configuration, which needs none.")


def require_public_address(app: Flask) -> None:
    """A production app needs SCHEDULER_BASE_URL: printed QR codes and calendar links must
    carry the address people reach, never whatever Host a request names (issue 13, row 15)."""
    if app.debug or app.testing or app.config.get("SCHEDULER_BASE_URL"):
        return
    raise SettingsError(NO_PUBLIC_ADDRESS)


def production_problem(settings: Settings) -> str | None:
    """Why `settings` cannot serve production (checked before gunicorn starts its workers,
    which would each fail the same way), or None."""
    chosen = config_class(settings.config_name)
    if not (chosen.DEBUG or chosen.TESTING) and not settings.base_url:
        return NO_PUBLIC_ADDRESS
    return None


def config_class(name: str | None = None) -> type[Config]:
    """The class named by `name` (the settings' SCHEDULER_CONFIG); production by default."""
    name = (name or "production").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise ValueError(f"Unknown configuration {name!r}; use one of {', '.join(CONFIGS)}.") from None


def runtime_settings(settings: Settings, instance_path: Path, present: Mapping[str, Any]) -> dict[str, Any]:
    """Values read at start-up rather than import time, for the keys `present` lacks."""
    values: dict[str, Any] = {}
    if not present.get("DATABASE_URL"):
        settings.ensure_instance()
        values["DATABASE_URL"] = settings.database_url
    if not present.get("SCHEDULER_TIMEZONE"):
        values["SCHEDULER_TIMEZONE"] = settings.timezone
    if not present.get("SECRET_KEY"):
        values["SECRET_KEY"] = settings.secret_key or instance_secret_key(instance_path)
    # The public address of feed and poster links (`scheduler.core.config.public_base_url`).
    if not present.get("SCHEDULER_BASE_URL"):
        values["SCHEDULER_BASE_URL"] = settings.base_url
    if not present.get("SWAP_APPROVAL"):
        values["SWAP_APPROVAL"] = settings.swap_approval
    if "CELERY_BROKER_URL" not in present:
        values["CELERY_BROKER_URL"] = settings.celery_broker_url
    return values


def instance_secret_key(instance_path: Path) -> str:
    """A key generated once and kept in the instance folder, readable by the owner only."""
    path = instance_path / SECRET_KEY_FILE
    if path.exists():
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: when two workers start at once, one writes and the other reads its key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
