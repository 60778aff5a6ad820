"""`scheduler demo-data`: fill an empty database with the Ningbo demo world."""
from __future__ import annotations

import time

import click

from scheduler.auth.accounts import AccountError
from scheduler.cli.base import current_clock, current_settings, main, open_migrated
from scheduler.core.weeks import next_week_start, parse_week
from scheduler.demo import SIZES, build_world
from scheduler.demo.load import DemoDataExists, coordinator_username, load_world


@main.command("demo-data")
@click.option("--size", type=click.Choice(SIZES), default="district", show_default=True,
              help="tiny: 3 townships, 40 people; district: 鄞州区, 3,200 people; city: all of Ningbo, 25,000 people.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same world.")
@click.option("--week", "week_text", metavar="YYYY-MM-DD",
              help="A day in the demo's first week (leave, events and requests start there); default: next week.")
@click.option("--coordinator-password",
              help="Password for the demo coordinator accounts (default: $SCHEDULER_DEMO_PASSWORD); "
                   "without it they cannot sign in until a password is set.")
def demo_data(size: str, seed: int, week_text: str | None, coordinator_password: str | None) -> None:
    """Load a realistic, deterministic demo world modelled on Ningbo into an empty database."""
    try:
        week_start = parse_week(week_text) if week_text else next_week_start(current_clock().today())
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--week") from exc
    engine, factory = open_migrated()
    try:
        t0 = time.perf_counter()
        world = build_world(size, seed, week_start)
        with factory() as session, session.begin():
            counts = load_world(session, world, coordinator_password or current_settings().demo_password,
                                now=current_clock().now())
        elapsed = time.perf_counter() - t0
    except (DemoDataExists, AccountError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        url = engine.url.render_as_string(hide_password=True)
        engine.dispose()
    click.echo(f"Loaded the {size} demo world (seed {seed}, first week {week_start}) into {url} "
               f"in {elapsed:.1f} s:")
    for table, n in counts.items():
        click.echo(f"  {table:<24}{n:>8,}")
    users = ", ".join(coordinator_username(d.prefix) for d in world.districts)
    click.echo(f"Coordinator accounts: {users}"
               + ("" if coordinator_password else " (no password yet: set one before signing in)."))
