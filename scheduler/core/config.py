"""The program's settings: every environment variable it reads, read once at start.

`Settings.from_env()` is called by the composition roots only (the web app's factory, the
command line's root group, a Celery worker's start, gunicorn's config file) and the frozen
result is passed down; nothing else reads `os.environ`. A bad value stops the start with a
message naming the variable (`SettingsError`). docs/configuration.md lists every variable.
"""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import SplitResult, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scheduler.core.weeks import DEFAULT_ZONE

T = TypeVar("T")

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
# Calendar event UIDs end in @<this> unless SCHEDULER_BASE_URL names the public host.
DEFAULT_FEED_DOMAIN = urlsplit(DEFAULT_BASE_URL).hostname or "localhost"
HOTLINE = "12348"
LOG_FORMATS = ("json", "text")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SMTP_SECURITY = ("starttls", "ssl", "none")
# SMTP_PORT's default follows SMTP_SECURITY: submission with STARTTLS, submissions, plain relay.
SMTP_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# Notice kinds that can go by SMS, each with its own approved template: variable -> notice kind
# ("kind/village": the same kind told to a village, whose notices carry other parameters).
SMS_TEMPLATE_VARIABLES = {
    "SMS_TEMPLATE_CHANGE": "change", "SMS_TEMPLATE_CANCELLATION": "cancellation", "SMS_TEMPLATE_REMINDER": "reminder",
    "SMS_TEMPLATE_INVITATION": "invitation", "SMS_TEMPLATE_RESET": "password_reset", "SMS_TEMPLATE_SWAP": "swap",
    "SMS_TEMPLATE_SCHEDULED": "scheduled", "SMS_TEMPLATE_CHANGE_VILLAGE": "change/village",
    "SMS_TEMPLATE_CANCELLATION_VILLAGE": "cancellation/village", "SMS_TEMPLATE_REMINDER_VILLAGE": "reminder/village",
}
SMS_REGION = "cn-hangzhou"
WECOM_API_BASE = "https://qyapi.weixin.qq.com/cgi-bin/"


class SettingsError(ValueError):
    """One or more environment variables have values the program cannot use."""


def default_instance_path() -> Path:
    return Path.cwd() / "instance"


@dataclass(frozen=True)
class Settings:
    database_url: str
    instance_path: Path
    timezone: str = DEFAULT_ZONE
    # Web app
    config_name: str | None = None  # SCHEDULER_CONFIG; None: production (`scheduler serve`: development)
    secret_key: str | None = field(default=None, repr=False)
    base_url: str | None = None  # the public scheme://host[:port][/prefix], no trailing slash
    complaint_phone: str = HOTLINE
    swap_approval: str = "automatic"
    # Mail
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from: str = "noreply@localhost"
    # "starttls", "ssl" (TLS from the first byte) or "none"; the server's certificate is checked
    # against the system's trust store (SSL_CERT_FILE honoured), or only smtp_ca_file when set.
    smtp_security: str = "none"
    smtp_username: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_ca_file: Path | None = None
    # SMS (Alibaba Cloud SMS, docs/notifications.md): on when the access key is set. The
    # endpoint is the SDK's for the region unless SMS_ENDPOINT names another (a test fake).
    sms_access_key_id: str | None = None
    sms_access_key_secret: str | None = field(default=None, repr=False)
    sms_sign_name: str | None = None
    sms_region: str = SMS_REGION
    sms_endpoint: str | None = None  # host[:port]
    sms_protocol: str = "https"  # "http" only for a loopback endpoint
    sms_templates: tuple[tuple[str, str], ...] = ()  # (notice kind, template code)
    # WeCom (企业微信) application messages: on when the corp id is set.
    wecom_corp_id: str | None = None
    wecom_secret: str | None = field(default=None, repr=False)
    wecom_agent_id: int | None = None
    wecom_api_base: str = WECOM_API_BASE  # ends in /
    # Sign-in (docs/security.md): failed attempts allowed per client address and per account
    # name, in Flask-Limiter's notation; where the counts are kept; idle time before a session ends.
    login_limit_address: str = "5 per minute;30 per hour"
    login_limit_account: str = "5 per minute;20 per hour"
    # JSON API (docs/api.md): calls per token, and per client address whatever the token.
    api_limit_token: str = "120 per minute"
    api_limit_address: str = "600 per minute"
    ratelimit_storage_url: str = "memory://"
    session_idle_minutes_coordinator: int = 30
    session_idle_minutes: int = 120
    # Solve jobs
    celery_broker_url: str | None = None
    celery_result_backend: str | None = None  # None: the broker
    celery_queue: str = "solve"
    solve_workers: int = 2
    # Logs
    log_format: str = "json"
    log_level: str = "INFO"
    # Retention (days; None: never)
    retention_availability_days: int | None = 180
    retention_calendar_upload_days: int | None = 180
    retention_inactive_person_days: int | None = 365
    retention_notification_days: int | None = 90
    # gunicorn (`scheduler serve --prod`)
    gunicorn_bind: str = "127.0.0.1:8000"
    web_concurrency: int | None = None  # None: 2 x cores + 1
    gunicorn_threads: int = 4
    gunicorn_timeout: int = 60
    gunicorn_max_requests: int = 0
    forwarded_allow_ips: str = "127.0.0.1,::1"
    # PostgreSQL connections each web process keeps (at least its serving threads)
    database_pool_size: int = 10
    # Demo data
    demo_password: str | None = field(default=None, repr=False)
    # The variables as read, for starting child processes with the same environment.
    environ: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from `environ` (the process environment by default); raises SettingsError
        naming every variable with a bad value."""
        env = dict(os.environ if environ is None else environ)
        reader = _Reader(env)
        instance = Path(reader.text("SCHEDULER_INSTANCE_PATH") or default_instance_path())
        broker = reader.text("CELERY_BROKER_URL")
        smtp_username = reader.text("SMTP_USERNAME")
        smtp_security = reader.parse("SMTP_SECURITY", "starttls" if smtp_username else "none",
                                     _choice(SMTP_SECURITY, str.lower))
        settings = cls(
            database_url=reader.text("DATABASE_URL") or f"sqlite:///{instance / 'scheduler.sqlite'}",
            instance_path=instance,
            timezone=reader.parse("SCHEDULER_TIMEZONE", DEFAULT_ZONE, _zone),
            config_name=reader.text("SCHEDULER_CONFIG", lower=True),
            secret_key=reader.text("SECRET_KEY"),
            base_url=reader.parse("SCHEDULER_BASE_URL", None, _base_url),
            complaint_phone=reader.text("SCHEDULER_COMPLAINT_PHONE") or HOTLINE,
            swap_approval=reader.text("SWAP_APPROVAL", lower=True) or "automatic",
            smtp_host=reader.text("SMTP_HOST") or "127.0.0.1",
            smtp_port=reader.parse("SMTP_PORT", SMTP_PORTS[smtp_security], _port),
            smtp_from=reader.parse("SMTP_FROM", "noreply@localhost", _mailbox),
            smtp_security=smtp_security,
            smtp_username=smtp_username,
            smtp_password=reader.text("SMTP_PASSWORD"),
            smtp_ca_file=reader.parse("SMTP_CA_FILE", None, _readable_file),
            **_channel_settings(reader),
            login_limit_address=reader.parse("LOGIN_LIMIT_PER_ADDRESS", "5 per minute;30 per hour", _rate_limits),
            login_limit_account=reader.parse("LOGIN_LIMIT_PER_ACCOUNT", "5 per minute;20 per hour", _rate_limits),
            api_limit_token=reader.parse("API_LIMIT_PER_TOKEN", "120 per minute", _rate_limits),
            api_limit_address=reader.parse("API_LIMIT_PER_ADDRESS", "600 per minute", _rate_limits),
            ratelimit_storage_url=reader.parse("RATELIMIT_STORAGE_URL", _limit_storage(broker), _storage_url),
            session_idle_minutes_coordinator=reader.parse("SESSION_IDLE_MINUTES_COORDINATOR", 30, _positive),
            session_idle_minutes=reader.parse("SESSION_IDLE_MINUTES", 120, _positive),
            celery_broker_url=broker,
            celery_result_backend=reader.text("CELERY_RESULT_BACKEND") or broker,
            celery_queue=reader.text("CELERY_QUEUE") or "solve",
            solve_workers=reader.parse("SOLVE_WORKERS", 2, _positive),
            log_format=reader.parse("LOG_FORMAT", "json", _choice(LOG_FORMATS, str.lower)),
            log_level=reader.parse("LOG_LEVEL", "INFO", _choice(LOG_LEVELS, str.upper)),
            retention_availability_days=reader.parse("RETENTION_AVAILABILITY_DAYS", 180, _days),
            retention_calendar_upload_days=reader.parse("RETENTION_CALENDAR_UPLOAD_DAYS", 180, _days),
            retention_inactive_person_days=reader.parse("RETENTION_INACTIVE_PERSON_DAYS", 365, _days),
            retention_notification_days=reader.parse("RETENTION_NOTIFICATION_DAYS", 90, _days),
            gunicorn_bind=reader.text("GUNICORN_BIND") or "127.0.0.1:8000",
            web_concurrency=reader.parse("WEB_CONCURRENCY", None, _positive),
            gunicorn_threads=reader.parse("GUNICORN_THREADS", 4, _positive),
            gunicorn_timeout=reader.parse("GUNICORN_TIMEOUT", 60, _positive),
            gunicorn_max_requests=reader.parse("GUNICORN_MAX_REQUESTS", 0, _count),
            forwarded_allow_ips=reader.text("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1",
            database_pool_size=reader.parse("DATABASE_POOL_SIZE", 10, _positive),
            demo_password=reader.text("SCHEDULER_DEMO_PASSWORD"),
            environ=env,
        )
        _check_smtp_login(settings, reader)
        _check_channels(settings, reader)
        if reader.errors:
            raise SettingsError("Bad configuration: " + "; ".join(reader.errors)
                                + " (see docs/configuration.md).")
        return settings

    @property
    def sms_configured(self) -> bool:
        return bool(self.sms_access_key_id)

    @property
    def wecom_configured(self) -> bool:
        return bool(self.wecom_corp_id)

    def ensure_instance(self) -> None:
        if self.database_url.startswith("sqlite:///"):
            Path(self.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.instance_path.mkdir(parents=True, exist_ok=True)

    @property
    def feed_domain(self) -> str:
        """The domain of calendar event UIDs: the configured public host, else the default's."""
        return urlsplit(public_base_url(self.base_url)).hostname or "localhost"

    @property
    def gunicorn_workers(self) -> int:
        return self.web_concurrency or multiprocessing.cpu_count() * 2 + 1

    def child_environ(self, **overrides: str) -> dict[str, str]:
        """The environment for a child process: the one these settings were read from, plus
        `overrides` (e.g. a password that must not appear on the process list)."""
        return {**self.environ, **overrides}


def inherited_environ() -> dict[str, str]:
    """This process's environment as it is, for a child process that needs it passed on
    (pg_dump's PATH and PG* variables): not a setting, never interpreted here."""
    return dict(os.environ)


def public_base_url(configured: str | None, request_root: str | None = None) -> str:
    """The scheme://host[:port][/prefix] that feed and poster URLs start with, without a
    trailing slash. One rule for every caller: the configured SCHEDULER_BASE_URL first (the
    address people reach, e.g. behind a TLS proxy); the current request's own address only
    when nothing is configured (development); the default for the command line."""
    if configured:
        return configured.strip().rstrip("/")
    if request_root:
        return request_root.strip().rstrip("/")
    return DEFAULT_BASE_URL


# --- reading and checking values ---------------------------------------------------------

class _Reader:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.errors: list[str] = []

    def text(self, name: str, *, lower: bool = False) -> str | None:
        value = (self.env.get(name) or "").strip()
        return (value.lower() if lower else value) or None

    def parse(self, name: str, default: T, check: Callable[[str, str], Any]) -> T:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            return check(name, raw)
        except ValueError as exc:
            self.errors.append(str(exc))
            return default


def _positive(name: str, raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a positive whole number, not {raw!r}")
    return int(raw)


def _count(name: str, raw: str) -> int:
    if not raw.isdigit():
        raise ValueError(f"{name} must be a whole number (0 or more), not {raw!r}")
    return int(raw)


def _port(name: str, raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ValueError(f"{name} must be a port number (1-65535), not {raw!r}")
    return int(raw)


def _days(name: str, raw: str) -> int | None:
    if raw.lower() == "never":
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a whole number of days (1 or more) or 'never', not {raw!r}")
    return int(raw)


def _rate_limits(name: str, raw: str) -> str:
    from limits import parse_many

    try:
        parse_many(raw)
    except ValueError:
        raise ValueError(f"{name} must be rate limits such as '5 per minute;30 per hour', not {raw!r}") from None
    return raw


def _limit_storage(broker: str | None) -> str:
    """Where sign-in attempts are counted by default: the Redis broker when there is one (so
    every web process shares the counts), else each process's memory."""
    if broker and urlsplit(broker).scheme in ("redis", "rediss"):
        return broker
    return "memory://"


def _storage_url(name: str, raw: str) -> str:
    if urlsplit(raw).scheme not in ("memory", "redis", "rediss", "redis+sentinel", "redis+cluster"):
        raise ValueError(f"{name} must be memory:// or a redis:// URL, not {raw!r}")
    return raw


def _mailbox(name: str, raw: str) -> str:
    from email import policy

    header = policy.default.header_factory("From", raw)
    if header.defects or len(header.addresses) != 1:
        raise ValueError(f"{name} must be one address such as '公共法律服务 <noreply@example.gov.cn>', not {raw!r}")
    return raw


def _readable_file(name: str, raw: str) -> Path:
    path = Path(raw).expanduser()
    if not path.is_file():
        raise ValueError(f"{name} must name a readable file (PEM certificates), not {raw!r}")
    return path


def _check_smtp_login(settings: Settings, reader: _Reader) -> None:
    """A login needs both halves, and its password never crosses a network in clear text."""
    if bool(settings.smtp_username) != bool(settings.smtp_password):
        reader.errors.append("SMTP_USERNAME and SMTP_PASSWORD go together: set both or neither")
    elif settings.smtp_username and settings.smtp_security == "none" and settings.smtp_host not in LOOPBACK_HOSTS:
        reader.errors.append(f"SMTP_SECURITY=none with SMTP_USERNAME would send the password in clear text to "
                             f"{settings.smtp_host!r}: use starttls or ssl")


def _channel_settings(reader: _Reader) -> dict[str, Any]:
    """The SMS and WeCom variables; whether they fit together is `_check_channels`'s."""
    endpoint, api_base = reader.parse("SMS_ENDPOINT", None, _url), reader.parse("WECOM_API_BASE", None, _url)
    return dict(
        sms_access_key_id=reader.text("SMS_ACCESS_KEY_ID"), sms_access_key_secret=reader.text("SMS_ACCESS_KEY_SECRET"),
        sms_sign_name=reader.text("SMS_SIGN_NAME"), sms_region=reader.text("SMS_REGION") or SMS_REGION,
        sms_endpoint=endpoint.netloc if endpoint else None, sms_protocol=endpoint.scheme if endpoint else "https",
        sms_templates=tuple((kind, code) for variable, kind in SMS_TEMPLATE_VARIABLES.items()
                            if (code := reader.text(variable))),
        wecom_corp_id=reader.text("WECOM_CORP_ID"), wecom_secret=reader.text("WECOM_SECRET"),
        wecom_agent_id=reader.parse("WECOM_AGENT_ID", None, _positive),
        wecom_api_base=api_base.geturl().rstrip("/") + "/" if api_base else WECOM_API_BASE)


def _url(name: str, raw: str) -> SplitResult:
    """An http(s) URL (host[:port] alone: https); plain http only on loopback (a test server)."""
    parts = urlsplit(raw if "://" in raw else f"https://{raw}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{name} must be an http(s) URL or host[:port], not {raw!r}")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError(f"{name} may use plain http only on loopback (a test server), not {raw!r}")
    return parts


def _check_channels(settings: Settings, reader: _Reader) -> None:
    """A channel is configured whole or not at all: a key without its secret stops the start."""
    sms = {"SMS_ACCESS_KEY_ID": settings.sms_access_key_id, "SMS_ACCESS_KEY_SECRET": settings.sms_access_key_secret,
           "SMS_SIGN_NAME": settings.sms_sign_name}
    if any(sms.values()) or settings.sms_templates or settings.sms_endpoint:
        missing = [name for name, value in sms.items() if not value]
        if missing:
            reader.errors.append(f"SMS is half configured: {', '.join(missing)} missing "
                                 "(SMS needs SMS_ACCESS_KEY_ID, SMS_ACCESS_KEY_SECRET and SMS_SIGN_NAME)")
        elif not settings.sms_templates:
            reader.errors.append("SMS needs at least one template code: " + ", ".join(SMS_TEMPLATE_VARIABLES))
    wecom = {"WECOM_CORP_ID": settings.wecom_corp_id, "WECOM_SECRET": settings.wecom_secret,
             "WECOM_AGENT_ID": settings.wecom_agent_id}
    if any(value is not None for value in wecom.values()) or settings.wecom_api_base != WECOM_API_BASE:
        missing = [name for name, value in wecom.items() if value is None]
        if missing:
            reader.errors.append(f"WeCom is half configured: {', '.join(missing)} missing "
                                 "(WeCom needs WECOM_CORP_ID, WECOM_SECRET and WECOM_AGENT_ID)")


def _zone(name: str, raw: str) -> str:
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name} must be an IANA time zone such as Asia/Shanghai, not {raw!r}") from None
    return raw


def _base_url(name: str, raw: str) -> str:
    url = raw.rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{name} {raw!r} is not an http(s) URL such as https://paiban.example.gov.cn")
    return url


def _choice(allowed: tuple[str, ...], normal: Callable[[str], str]) -> Callable[[str, str], str]:
    def check(name: str, raw: str) -> str:
        value = normal(raw)
        if value not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {raw!r}")
        return value
    return check
