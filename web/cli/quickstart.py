"""`scheduler quickstart`: from nothing to the demo district's published week in the app."""
from __future__ import annotations

import secrets
from dataclasses import replace
from pathlib import Path

import click
from sqlalchemy import func, select

from models import District, User
from scheduler.cli.base import current_clock, current_settings, main
from scheduler.core.database import open_database, upgrade
from scheduler.core.weeks import next_week_start

DEMO_SEED = 1
LOGIN_FILE = "quickstart-login.txt"


def _demo_password(instance: Path) -> str:
    """One random password per instance folder, kept there (owner-only) so that running
    quickstart again can print the same login."""
    path = instance / LOGIN_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    password = secrets.token_urlsafe(12)
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(0o600)
    return password


@main.command("quickstart")
@click.option("--size", type=click.Choice(["tiny", "district"]), default="district", show_default=True)
@click.option("--time-limit", type=float, default=20.0, show_default=True, help="Seconds for the solve.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=5000, show_default=True)
@click.option("--no-serve", is_flag=True, help="Stop after publishing instead of serving the app.")
def quickstart(size: str, time_limit: float, host: str, port: int, no_serve: bool) -> None:
    """Create the database, load the demo district, solve and publish next week, serve the app."""
    from scheduler.core.versions import latest_published
    from scheduler.demo import build_world
    from scheduler.demo.load import load_world
    from scheduler.week.drafts import publish
    from scheduler.week.solve import solve_week

    settings, clock = current_settings(), current_clock()
    # Not open_migrated: quickstart creates or upgrades the schema itself, just below.
    engine, factory = open_database(settings)
    url = engine.url.render_as_string(hide_password=True)
    upgrade(engine)
    click.echo(f"Database {url} is at the newest schema.")
    password = _demo_password(settings.instance_path)
    week = next_week_start(clock.today())
    with factory() as session:
        loaded = session.scalar(select(func.count()).select_from(District)) > 0
    if not loaded:
        world = build_world(size, DEMO_SEED, week)
        with factory.begin() as session:
            counts = load_world(session, world, password, now=clock.now())
        click.echo(f"Loaded the {size} demo world: {counts.get('people', 0):,} people, "
                   f"{counts.get('sites', 0):,} sites.")
    else:
        click.echo("The database already holds data: nothing loaded.")
    with factory() as session:
        district = session.scalars(select(District).order_by(District.code)).first()
        published = latest_published(session, district.id, week)
    if published is None:
        click.echo(f"Solving {district.name}, week of {week} ({time_limit:.0f} s at most)...")
        result = solve_week(factory, district.id, week, None, clock=clock, time_limit=time_limit)
        with factory.begin() as session:
            version = publish(session, district.id, week, None, now=clock.now(), feed_domain=settings.feed_domain)
        sol = result.solution
        click.echo(f"Published version {version.version}: {len(sol.assignments)} assignments, "
                   f"{sum(o.missing for o in sol.unfilled)} places open (solver {sol.status}).")
    else:
        click.echo(f"Week of {week} is already published (version {published.version}).")
    with factory() as session:
        username = session.scalar(select(User.username).where(
            User.role == "coordinator", User.district_id == district.id).order_by(User.username))
    engine.dispose()
    click.echo(f"\nSign in as {username} with password {password} (kept in {settings.instance_path / LOGIN_FILE}).")
    if no_serve:
        return
    from web import create_app
    from web.serving import development_logging
    # Plain http on this machine: the development configuration, unless chosen otherwise.
    app_settings = settings if settings.config_name else replace(settings, config_name="development")
    app = create_app(settings=app_settings, clock=clock)
    development_logging(app_settings)
    click.echo(f"Serving on http://{host}:{port}/  (Ctrl-C stops)")
    app.run(host=host, port=port, debug=False, use_reloader=False)
