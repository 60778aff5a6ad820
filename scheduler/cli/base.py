"""The root command group, kept apart so command modules can import it without cycles."""
from __future__ import annotations

import click

from scheduler.core.config import Settings
from scheduler.core.database import current_revision, head_revision, open_database


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="legal-service-scheduler")
def main() -> None:
    """Public legal service scheduler: solve rosters, run the week, publish calendars."""


def open_migrated(settings: Settings | None = None):
    """The database of the settings, refused unless it is at the newest schema, so that no
    command reads or writes tables an older release laid out."""
    engine, factory = open_database(settings)
    if current_revision(engine) != head_revision():
        engine.dispose()
        raise click.ClickException("The database is not initialised or not up to date: run `scheduler init-db`.")
    return engine, factory
