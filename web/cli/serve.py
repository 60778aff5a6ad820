"""`scheduler serve`: the web app on Flask's development server, or under gunicorn."""
from __future__ import annotations

from dataclasses import replace

import click

from scheduler.cli.base import current_clock, current_settings, main, open_migrated
from web import create_app
from web.config import production_problem
from web.serving import development_logging, exec_gunicorn

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--prod", is_flag=True, help="Serve with gunicorn (web/gunicorn_conf.py), production settings.")
@click.option("--workers", type=click.IntRange(1, 64), help="With --prod: worker processes (default: $WEB_CONCURRENCY or 2 x cores + 1).")
def serve(host: str, port: int, prod: bool, workers: int | None) -> None:
    """Run the web app on Flask's development server (for a single machine or a trial), or
    under gunicorn with --prod (see docs/operations.md)."""
    settings = current_settings()
    problem = production_problem(settings) if prod else None
    if problem:
        raise click.ClickException(problem)
    engine, _ = open_migrated(settings)
    engine.dispose()
    if prod:
        exec_gunicorn(settings, host, port, workers)
    if workers is not None:
        raise click.UsageError("--workers goes with --prod.")
    # Plain http on this machine: the development configuration, unless chosen otherwise.
    if not settings.config_name:
        settings = replace(settings, config_name="development")
    if host not in LOOPBACK:
        click.echo("Warning: the development server is not made for a network; serve the app "
                   "behind https with a production server there.", err=True)
    app = create_app(settings=settings, clock=current_clock())
    development_logging(settings)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Serving on http://{shown}:{port}/  (Ctrl-C stops)")
    app.run(host=host, port=port, debug=False, use_reloader=False)
