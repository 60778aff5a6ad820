"""Notices from the command line: tomorrow's reminders and draining the outbox. Both are
meant for cron, e.g.

    0 16 * * *  scheduler remind
    * * * * *   scheduler send-notifications
"""
from __future__ import annotations

from datetime import datetime

import click

from scheduler.cli.base import current_clock, current_settings, main, open_migrated
from scheduler.core.clock import parse_moment


def _moment(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime:
    if value is None:
        return current_clock().now()
    try:
        return parse_moment(value, current_settings().timezone)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


now_option = click.option("--now", callback=_moment, metavar="DATETIME",
                          help="Pretend it is this moment (local time unless an offset is given); "
                               "default: the root's --now, else the system clock.")


@main.command("remind")
@now_option
def remind_cmd(now: datetime) -> None:
    """Put tomorrow's reminders in the outbox (people and villages); safe to run twice."""
    from scheduler.notices.reminders import remind

    engine, factory = open_migrated()
    try:
        with factory.begin() as session:
            report = remind(session, now)
    finally:
        engine.dispose()
    click.echo(f"Reminders queued: {report.queued}; already queued before: {report.already}.")
    if report.days:
        click.echo("For: " + ", ".join(report.days))
    if report.unreachable:
        click.echo("No e-mail address for: " + "、".join(sorted(set(report.unreachable))), err=True)


@main.command("send-notifications")
@now_option
@click.option("--limit", type=click.IntRange(1, 100_000), default=200, show_default=True,
              help="Send at most this many messages in this run.")
def send_notifications_cmd(now: datetime, limit: int) -> None:
    """Send the outbox's due messages (e-mail over SMTP_HOST:SMTP_PORT from SMTP_FROM; SMS and
    WeCom when SMS_* and WECOM_* are set: docs/notifications.md), retrying failures later with
    growing waits and falling back to the next channel. Exits 1 when a message failed for good."""
    from scheduler.notices.outbox import channels_from_settings, send_pending

    settings = current_settings()
    engine, factory = open_migrated(settings)
    try:
        report = send_pending(factory, channels_from_settings(settings), now=now, limit=limit)
    finally:
        engine.dispose()
    click.echo(f"Sent {report.sent}, to retry later {report.retrying}, failed for good {report.failed}.")
    for channel, count in sorted(report.waiting.items()):
        click.echo(f"Waiting for a {channel} sender (not configured): {count}.")
    if report.failed:
        raise SystemExit(1)
