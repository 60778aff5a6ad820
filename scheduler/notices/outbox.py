"""Sending the outbox: every pending notification whose time has come goes out through the
channel named on it, with retries and backoff, and the table keeps what was sent and when.

A channel is anything with a `name` and a `send(message)` that raises `DeliveryError`
(see `Channel`). E-mail over SMTP is built (`SmtpChannel`); SMS and WeCom (企业微信) would
be two more classes with the same method, registered under "sms" and "wecom"; until then
their notifications simply wait in the outbox.

Each message is claimed before it is sent (its next attempt is pushed a lease ahead in its
own transaction), so two senders running at once never send the same message twice; a
sender that dies after sending but before recording sends it once more after the lease.
"""
from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from models import Notification
from scheduler.core.config import Settings

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class Outgoing:
    recipient: str
    subject: str
    body: str
    key: str  # the notification's dedupe key: the same fact keeps the same identity


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
    """Plain SMTP to a relay (the city's mail server, or a local one that relays)."""

    name = "email"

    def __init__(self, host: str, port: int, sender: str, timeout: float = 30.0) -> None:
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def build(self, message: Outgoing) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2].strip("> ") or "localhost")
        mail["Auto-Submitted"] = "auto-generated"
        mail.set_content(message.body)
        return mail

    def send(self, message: Outgoing) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.send_message(self.build(message))
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(f"recipient refused: {exc.recipients}", permanent=all(500 <= c < 600 for c in codes)) \
                from exc
        except smtplib.SMTPResponseException as exc:
            text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
            raise DeliveryError(f"{exc.smtp_code} {text}", permanent=500 <= exc.smtp_code < 600) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"{exc.__class__.__name__}: {exc}") from exc


def channels_from_settings(settings: Settings) -> dict[str, Channel]:
    return {"email": SmtpChannel(settings.smtp_host, settings.smtp_port, settings.smtp_from)}


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


def _claim(factory: sessionmaker[Session], notification_id: int, now: datetime) -> Outgoing | None:
    with factory.begin() as session:
        claimed = session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.status == "pending",
                   Notification.next_attempt_at <= now)
            .values(next_attempt_at=now + LEASE)).rowcount
        if claimed != 1:
            return None
        row = session.get(Notification, notification_id)
        return Outgoing(row.recipient, row.subject, row.body, row.dedupe_key)


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
            else:
                row.next_attempt_at = now + backoff(row.attempts)
        return row.status


def send_pending(factory: sessionmaker[Session], channels: dict[str, Channel], *, now: datetime,
                 limit: int = 200) -> SendReport:
    """Send what is due at `now`, oldest first, at most `limit` messages."""
    report = SendReport()
    with factory() as session:
        due = session.execute(
            select(Notification.id, Notification.channel)
            .where(Notification.status == "pending", Notification.next_attempt_at <= now)
            .order_by(Notification.next_attempt_at, Notification.id)).all()
    for notification_id, channel_name in due:
        channel = channels.get(channel_name)
        if channel is None:
            report.waiting[channel_name] = report.waiting.get(channel_name, 0) + 1
            continue
        if report.sent + report.retrying + report.failed >= limit:
            break
        message = _claim(factory, notification_id, now)
        if message is None:
            continue  # another sender has it
        try:
            channel.send(message)
            error = None
        except DeliveryError as exc:
            error = exc
        status = _record(factory, notification_id, now, error)
        if status == "sent":
            report.sent += 1
        elif status == "failed":
            report.failed += 1
        else:
            report.retrying += 1
    return report
