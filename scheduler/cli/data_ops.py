"""Backups, restores and the retention purge."""
from __future__ import annotations

import click

from scheduler.cli.base import current_clock, current_settings, main, open_database
from scheduler.core.config import Settings
from scheduler.core.database import head_revision


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
    from scheduler.ops.backup import BackupError, backup

    settings = current_settings()
    try:
        done = backup(settings.database_url, file, environ=settings.child_environ())
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backed up {_where(settings.database_url)} to {done.path} "
               f"({done.bytes / 1e6:.1f} MB, {done.seconds:.1f} s, {done.kind}).")


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", "yes", is_flag=True,
              help="Replace a database that is not empty without asking (everything in it is lost).")
@click.option("--force", "yes", is_flag=True, hidden=True, help="The same as --yes (its old name).")
def restore_cmd(file: str, yes: bool) -> None:
    """Restore a backup made by `scheduler backup` into the database.

    The backup is validated before anything is touched, and the restore is all or nothing:
    a damaged backup leaves the database as it was. A database that has any table is only
    replaced after you confirm, or with --yes (--force). Afterwards run `scheduler init-db`
    if the backup is older than this version's schema.
    """
    from scheduler.ops.backup import BackupError, is_empty, restore

    settings = current_settings()
    where = _where(settings.database_url)
    if not yes and not is_empty(settings.database_url):
        try:
            confirmed = click.confirm(f"{where} is not empty: replace everything in it with {file}?", default=False)
        except click.Abort:
            confirmed = False
        if not confirmed:
            raise click.ClickException("Not restored: the database is not empty and the replacement was not "
                                       "confirmed (give --yes, or its old name --force, to skip the question).")
    try:
        done = restore(settings.database_url, file, force=True, environ=settings.child_environ())
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {done.path} into {_where(settings.database_url)} ({done.seconds:.1f} s).")
    _revision_hint(settings)


def _revision_hint(settings: Settings) -> None:
    from scheduler.core.database import current_revision

    # Not open_migrated: a restored file may hold an older schema, which is what this reports.
    engine, _ = open_database(settings)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    if revision != head_revision():
        click.echo(f"The restored schema is at revision {revision}, this version expects {head_revision()}: "
                   "run `scheduler init-db` to upgrade it.")


@main.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what the policy would remove.")
def purge_cmd(dry_run: bool) -> None:
    """Delete or anonymise personal data past its retention period (RETENTION_* variables;
    see docs/operations.md). The audit log is never touched."""
    from scheduler.cli.base import open_migrated
    from scheduler.ops.retention import RetentionPolicy, purge

    policy = RetentionPolicy.from_settings(current_settings())
    engine, factory = open_migrated()
    try:
        with factory.begin() as session:
            report = purge(session, policy, now=current_clock().now(), dry_run=dry_run)
    finally:
        engine.dispose()
    click.echo("Policy: " + ", ".join(f"{k}={v}" for k, v in policy.describe().items()))
    labels = {"availability_exceptions": "dated availability exceptions", "calendar_uploads": "calendar uploads",
              "people_anonymised": "deactivated people anonymised", "notifications": "notifications"}
    click.echo("Dry run, nothing changed:" if dry_run else "Purged:")
    for what, n in report.counts.items():
        click.echo(f"  {n:>8,}  {labels[what]}")
