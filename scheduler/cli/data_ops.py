"""Backups, restores and the retention purge."""
from __future__ import annotations

import click

from scheduler.cli.base import main
from scheduler.config import Settings
from scheduler.database import head_revision


def _where(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def backup_cmd(file: str) -> None:
    """Write a consistent backup of the database to FILE, also while the app runs.

    SQLite: a SQLite file made with the online backup API. PostgreSQL: pg_dump's custom
    format (needs the PostgreSQL client tools of the server's version).
    """
    from scheduler.backup import BackupError, backup

    settings = Settings.from_env()
    try:
        done = backup(settings.database_url, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backed up {_where(settings.database_url)} to {done.path} "
               f"({done.bytes / 1e6:.1f} MB, {done.seconds:.1f} s, {done.kind}).")


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that is not empty (everything in it is lost).")
def restore_cmd(file: str, force: bool) -> None:
    """Restore a backup made by `scheduler backup` into the database.

    Refuses a database that has any table unless --force is given. Afterwards run
    `scheduler init-db` if the backup is older than this version's schema.
    """
    from scheduler.backup import BackupError, restore

    settings = Settings.from_env()
    try:
        done = restore(settings.database_url, file, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {done.path} into {_where(settings.database_url)} ({done.seconds:.1f} s).")
    _revision_hint(settings)


def _revision_hint(settings: Settings) -> None:
    from scheduler.database import current_revision, open_database

    engine, _ = open_database(settings)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    if revision != head_revision():
        click.echo(f"The restored schema is at revision {revision}, this version expects {head_revision()}: "
                   "run `scheduler init-db` to upgrade it.")
