"""Database commands: create or upgrade the schema, and list what is in it."""
from __future__ import annotations

import json

import click

from scheduler.cli.base import main, open_database, open_migrated
from scheduler.core.database import current_revision, upgrade
from scheduler.ops import inventory


@main.command("init-db")
def init_db() -> None:
    """Create the database or upgrade it to the newest schema (Alembic head)."""
    # Not open_migrated: this command is what brings an empty or older schema up to date.
    engine, _ = open_database()
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    url = engine.url.render_as_string(hide_password=True)
    if before == after:
        click.echo(f"Database {url} is up to date (revision {after}).")
    else:
        click.echo(f"Database {url} upgraded from {before or 'empty'} to {after}.")
    engine.dispose()


@main.command("ls")
@click.argument("what", type=click.Choice(inventory.LISTINGS))
@click.option("--district", "district_name", help="Only this district (name or code).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
def ls(what: str, district_name: str | None, as_json: bool) -> None:
    """List districts, townships, sites, people or users in the database."""
    engine, factory = open_migrated()
    with factory() as session:
        try:
            rows = inventory.listing(session, what, district_name)
        except inventory.UnknownDistrict as exc:
            raise click.ClickException(str(exc)) from exc
    engine.dispose()
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    click.echo(inventory.format_table(rows))
    click.echo(f"({len(rows)} {what})", err=True)


