"""The root command group, kept apart so command modules can import it without cycles.

The root group reads the settings (`scheduler.core.config.Settings`) once and picks the clock
(the system's, or the moment `--now` names); every command takes both from here."""
from __future__ import annotations

from dataclasses import dataclass

import click

from scheduler.core.clock import Clock, clock_at
from scheduler.core.config import Settings, SettingsError
from scheduler.core.database import current_revision, head_revision
from scheduler.core.database import open_database as _open_database


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    clock: Clock


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="legal-service-scheduler")
@click.option("--now", "now_text", metavar="DATETIME",
              help="Pretend it is this moment (YYYY-MM-DDTHH:MM, local time unless an offset is given); "
                   "default: the system clock.")
@click.pass_context
def main(ctx: click.Context, now_text: str | None) -> None:
    """Public legal service scheduler: solve rosters, run the week, publish calendars."""
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        clock = clock_at(now_text, settings.timezone)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param_hint="'--now'") from exc
    ctx.obj = Runtime(settings, clock)


def runtime() -> Runtime:
    """The settings and clock the root group made for this invocation."""
    found = click.get_current_context().find_object(Runtime)
    if found is None:
        raise RuntimeError("a command ran without the root group `scheduler` (no settings, no clock)")
    return found


def current_settings() -> Settings:
    return runtime().settings


def current_clock() -> Clock:
    return runtime().clock


def open_database(settings: Settings | None = None):
    """The engine and session factory of the settings (this invocation's by default)."""
    return _open_database(settings or current_settings())


def open_migrated(settings: Settings | None = None):
    """The database of the settings, refused unless it is at the newest schema, so that no
    command reads or writes tables an older release laid out."""
    engine, factory = _open_database(settings or current_settings())
    if current_revision(engine) != head_revision():
        engine.dispose()
        raise click.ClickException("The database is not initialised or not up to date: run `scheduler init-db`.")
    return engine, factory
