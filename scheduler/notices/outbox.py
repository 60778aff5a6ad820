"""Sending the outbox: every pending notification whose time has come goes out through the
channel named on it, with retries and backoff, and the table keeps what was sent and when.

A channel is anything with a `name` and a `send(message)` that raises `DeliveryError`
(see `Channel`): e-mail over SMTP (`SmtpChannel`), SMS (`scheduler.notices.sms`) and WeCom
(企业微信, `scheduler.notices.wecom`), the last two registered only when configured; until
then their notifications simply wait in the outbox.

A message that fails for good (refused, or `MAX_ATTEMPTS` tries) and has a fallback (a JSON
list of [channel, recipient] pairs) is written again, in the same transaction, for the first
pair with the rest as its fallback: an SMS to a number that does not exist goes by e-mail.

Mail goes to the relay in clear (`SMTP_SECURITY=none`, the default without a login), over
STARTTLS or over TLS from the first byte, with a login when one is configured; the server's
certificate is always checked (`SmtpChannel.tls_context`) and never skipped for a fallback.

Headers are built from parts (`email.headerregistry.Address` for the recipient, one line for
the subject), so a CR/LF in a site name cannot add a header; a message that cannot be built
or that makes a channel fail unexpectedly counts as a failed attempt of that message only,
and the queue goes on.

Each message is claimed before it is sent (its next attempt is pushed a lease ahead in its
own transaction), so two senders running at once never send the same message twice; a
sender that dies after sending but before recording sends it once more after the lease.
"""
from __future__ import annotations

import json
import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.errors import NonASCIILocalPartDefect
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from models import Notification
from models.notification import CHANNELS
from scheduler.core.config import Settings
from scheduler.notices.text import one_line

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
LEASE = timedelta(minutes=10)
SECURITY = ("starttls", "ssl", "none")
# Refusals about the login or the connection's security: the relay's set-up is wrong, not the
# message, so they are tried again later instead of failing the message for good.
SETUP_CODES = frozenset({530, 534, 535, 538})


@dataclass(frozen=True)
class Outgoing:
    recipient: str
    subject: str
    body: str
    key: str  # the notification's dedupe key: the same fact keeps the same identity
    kind: str = ""  # change, cancellation, reminder ...: an SMS's template
    params: dict[str, str] = field(default_factory=dict)  # template parameters (SMS)


class DeliveryError(Exception):
    """Sending failed; `permanent` when trying again cannot help (an address refused)."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Channel(Protocol):
    name: str

    def send(self, message: Outgoing) -> None:
        """Deliver one message or raise DeliveryError."""


class SmtpChannel:
    """SMTP to a relay (the city's mail server, a hosted mail service, or a local one that
    relays): `security` "none" (plain), "starttls" or "ssl", with a login when `username` is set."""

    name = "email"

    def __init__(self, host: str, port: int, sender: str, timeout: float = 30.0, *, security: str = "none",
                 username: str | None = None, password: str | None = None, ca_file: str | None = None) -> None:
        if security not in SECURITY:
            raise ValueError(f"security must be one of {', '.join(SECURITY)}, not {security!r}")
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout
        self.security, self.username, self.ca_file = security, username, ca_file
        self._password = password

    def __repr__(self) -> str:
        return f"SmtpChannel({self.host!r}, {self.port}, security={self.security!r}, username={self.username!r})"

    def tls_context(self) -> ssl.SSLContext:
        """Certificate and host name checked against the system's trust store, as
        `ssl.create_default_context()` does (so SSL_CERT_FILE and SSL_CERT_DIR are honoured),
        or against `ca_file` alone when one is set; TLS 1.2 at least."""
        context = ssl.create_default_context(cafile=self.ca_file)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context

    def build(self, message: Outgoing) -> EmailMessage:
        """The message, or ValueError when its recipient is not one e-mail address."""
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = _recipient(message.recipient)
        mail["Subject"] = one_line(message.subject)
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2].strip("> ") or "localhost")
        mail["Auto-Submitted"] = "auto-generated"
        mail.set_content(message.body)
        return mail

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self.tls_context())
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    def send(self, message: Outgoing) -> None:
        try:
            mail = self.build(message)
        except ValueError as exc:  # header defects are ValueErrors too
            raise DeliveryError(f"the message cannot be built: {exc}", permanent=True) from exc
        try:
            with self._connect() as smtp:
                if self.security == "starttls":
                    # Refused (SMTPNotSupportedError) when the server offers no STARTTLS: never in clear.
                    smtp.starttls(context=self.tls_context())
                if self.username:
                    smtp.login(self.username, self._password or "")
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(f"recipient refused: {exc.recipients}", permanent=all(500 <= c < 600 for c in codes)) \
                from exc
        except smtplib.SMTPResponseException as exc:
            text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
            permanent = 500 <= exc.smtp_code < 600 and exc.smtp_code not in SETUP_CODES
            raise DeliveryError(f"{exc.smtp_code} {text}", permanent=permanent) from exc
        except (OSError, smtplib.SMTPException) as exc:  # ssl.SSLError (a refused certificate) is an OSError
            raise DeliveryError(f"{exc.__class__.__name__}: {exc}") from exc


def _recipient(text: str) -> Address | str:
    """One address, parsed: a CR/LF, a second address or a display name is a ValueError."""
    try:
        return Address(addr_spec=text)
    except ValueError as exc:
        # A non-ASCII local part is an address still (sent only to a server with SMTPUTF8).
        if isinstance(exc, NonASCIILocalPartDefect) and one_line(text) == text and "," not in text:
            return text
        raise


def channels_from_settings(settings: Settings) -> dict[str, Channel]:
    """E-mail always; SMS and WeCom when configured (each call makes new clients: one per sender)."""
    channels: dict[str, Channel] = {"email": SmtpChannel(
        settings.smtp_host, settings.smtp_port, settings.smtp_from, security=settings.smtp_security,
        username=settings.smtp_username, password=settings.smtp_password,
        ca_file=str(settings.smtp_ca_file) if settings.smtp_ca_file else None)}
    if settings.sms_configured:
        from scheduler.notices.sms import SmsChannel

        channels["sms"] = SmsChannel(
            settings.sms_access_key_id or "", settings.sms_access_key_secret or "", settings.sms_sign_name or "",
            dict(settings.sms_templates), region=settings.sms_region, endpoint=settings.sms_endpoint,
            protocol=settings.sms_protocol)
    if settings.wecom_configured:
        from scheduler.notices.wecom import WecomChannel

        channels["wecom"] = WecomChannel(settings.wecom_corp_id or "", settings.wecom_secret or "",
                                         settings.wecom_agent_id or 0, api_base=settings.wecom_api_base)
    return channels


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failed ones: 1, 2, 4 ... minutes, at most 6 h."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    # Pending messages of channels nobody sends yet (sms, wecom), by channel.
    waiting: dict[str, int] = field(default_factory=dict)
    # Messages of such a channel passed on to their fallback (e-mail where SMS is not set up).
    rerouted: int = 0


def _claim(factory: sessionmaker[Session], notification_id: int, now: datetime, *,
           early: bool = False) -> Outgoing | None:
    """Take the message for this sender (see the module docstring); `early`: even before its
    time (a message held for quiet hours whose channel is not configured here)."""
    with factory.begin() as session:
        claimed = session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.status == "pending",
                   Notification.next_attempt_at <= now if not early else Notification.id.is_not(None))
            .values(next_attempt_at=now + LEASE)).rowcount
        if claimed != 1:
            return None
        row = session.get(Notification, notification_id)
        return Outgoing(row.recipient, row.subject, row.body, row.dedupe_key, kind=row.kind,
                        params=_json_params(row.params))


def _json_params(text: str | None) -> dict[str, str]:
    """A row's template parameters; text that is not a JSON object counts as none."""
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _fallback_pairs(text: str | None) -> list[tuple[str, str]]:
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return []
    return [(str(pair[0]), str(pair[1])) for pair in value if isinstance(pair, list | tuple) and len(pair) == 2] \
        if isinstance(value, list) else []


def _fall_back(session: Session, row: Notification, now: datetime) -> None:
    """Write `row` again for the first channel of its fallback, with the rest as its fallback;
    a key taken already (the same fallback written before) is skipped, not doubled."""
    pairs = [(channel, recipient[:254]) for channel, recipient in _fallback_pairs(row.fallback) if channel in CHANNELS]
    if not pairs:
        return
    (channel, recipient), rest = pairs[0], pairs[1:]
    key = f"{row.dedupe_key}:{channel}"[:191]
    if session.scalar(select(Notification.id).where(Notification.dedupe_key == key)) is not None:
        return
    session.add(Notification(
        channel=channel, recipient=recipient, subject=row.subject, body=row.body, kind=row.kind, params=row.params,
        audience=row.audience, district_id=row.district_id,
        fallback=json.dumps([list(p) for p in rest], ensure_ascii=False) if rest else None,
        dedupe_key=key, status="pending", attempts=0, next_attempt_at=now, created_at=now))


def _record(factory: sessionmaker[Session], notification_id: int, now: datetime,
            error: DeliveryError | None) -> str:
    with factory.begin() as session:
        row = session.get(Notification, notification_id)
        row.attempts += 1
        if error is None:
            row.status, row.sent_at, row.last_error = "sent", now, None
        else:
            row.last_error = str(error)[:1000]
            if error.permanent or row.attempts >= MAX_ATTEMPTS:
                row.status = "failed"
                _fall_back(session, row, now)
            else:
                row.next_attempt_at = now + backoff(row.attempts)
        return row.status


def send_pending(factory: sessionmaker[Session], channels: dict[str, Channel], *, now: datetime,
                 limit: int = 200) -> SendReport:
    """Send what is due at `now`, oldest first, at most `limit` messages. A message for a
    channel that is not configured here goes to its fallback at once (an installation
    without SMS still e-mails the lawyer whose first choice is SMS); without a fallback it
    waits for that channel. The fallbacks written that way are sent in the same call (those
    of a message that failed are due at once too, and go with the next call)."""
    report = SendReport()
    for _ in range(len(CHANNELS)):  # a pass moves a message at most one channel on
        if not _send_pass(factory, channels, now, limit, report):
            break
    return report


def _send_pass(factory: sessionmaker[Session], channels: dict[str, Channel], now: datetime, limit: int,
               report: SendReport) -> bool:
    """One pass over what is due; True when it wrote fallback messages that are due now."""
    rerouted = False
    report.waiting.clear()
    # Messages of a channel not configured here are passed on even before their time: an
    # SMS held for quiet hours can go by e-mail at once where there is no SMS at all.
    unsendable = and_(Notification.channel.not_in(sorted(channels)), Notification.fallback.is_not(None))
    with factory() as session:
        due = session.execute(
            select(Notification.id, Notification.channel, Notification.fallback)
            .where(Notification.status == "pending", or_(Notification.next_attempt_at <= now, unsendable))
            .order_by(Notification.next_attempt_at, Notification.id)).all()
    for notification_id, channel_name, fallback in due:
        if report.sent + report.retrying + report.failed >= limit:
            break
        channel = channels.get(channel_name)
        if channel is None:
            if _fallback_pairs(fallback) and _claim(factory, notification_id, now, early=True) is not None:
                _record(factory, notification_id, now,
                        DeliveryError(f"no {channel_name} sender is configured here", permanent=True))
                report.rerouted += 1
                rerouted = True
            elif not _fallback_pairs(fallback):
                report.waiting[channel_name] = report.waiting.get(channel_name, 0) + 1
            continue
        message = _claim(factory, notification_id, now)
        if message is None:
            continue  # another sender has it
        try:
            channel.send(message)
            error = None
        except DeliveryError as exc:
            error = exc
        except Exception as exc:  # any error: one bad message must not stop the queue
            log.exception("notification %s: %s sending failed unexpectedly", notification_id, channel_name)
            error = DeliveryError(f"{exc.__class__.__name__}: {exc}")
        status = _record(factory, notification_id, now, error)
        if status == "sent":
            report.sent += 1
        elif status == "failed":
            report.failed += 1
        else:
            report.retrying += 1
    return rerouted
