"""Operations commands: solve workers, a city's week in parallel, and (in data_ops) backups,
restores and the retention purge."""
from __future__ import annotations

import os
import sys
from datetime import date

import click

from scheduler.cli.base import current_clock, current_settings, main, open_migrated
from scheduler.cli.week import week_option


@main.command("worker")
@click.option("--concurrency", "-c", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Jobs this worker runs at once (one process each).")
@click.option("--queue", "-Q", help="Queue to consume (default: $CELERY_QUEUE or 'solve').")
@click.option("--loglevel", "-l", default="INFO", show_default=True)
def worker(concurrency: int, queue: str | None, loglevel: str) -> None:
    """Start a Celery solve worker (needs CELERY_BROKER_URL and the app's DATABASE_URL).

    Each worker process runs one district's solve at a time with SOLVE_WORKERS CP-SAT
    threads; run more workers, here or on other machines, to solve more districts at once.
    """
    settings = current_settings()
    if not settings.celery_broker_url:
        raise click.ClickException("CELERY_BROKER_URL is not set: without a broker the app solves in its "
                                   "own process and needs no worker (e.g. CELERY_BROKER_URL=redis://127.0.0.1:6379/0).")
    engine, _ = open_migrated(settings)
    engine.dispose()  # the worker processes open their own after the fork
    from scheduler.jobs.celery_app import make_celery

    app = make_celery(settings, queue=queue)
    app.worker_main([
        "worker", f"--concurrency={concurrency}", "--pool=prefork", f"--loglevel={loglevel}",
        f"--queues={app.conf.task_default_queue}", f"--hostname=solve-{os.getpid()}@%h",
        # No chatter between workers: each one only needs the queue.
        "--without-gossip", "--without-mingle",
    ])


@main.command("solve-city")
@week_option
@click.option("--district", "district_names", multiple=True, help="Only these districts (name or code; repeatable).")
@click.option("--time-limit", type=float, default=30.0, show_default=True, help="Seconds per district.")
@click.option("--timeout", type=float, help="Give up (and cancel) after this many seconds "
              "(default: enough for every district one after the other).")
@click.option("--publish", "do_publish", is_flag=True, help="Publish each district's draft when all are solved.")
@click.option("--workers", type=int, default=2, show_default=True,
              help="CP-SAT threads per job when solving in this process (Celery workers read SOLVE_WORKERS).")
def solve_city(week: date, district_names: tuple[str, ...], time_limit: float, timeout: float | None,
               do_publish: bool, workers: int) -> None:
    """Queue one solve job per district and wait, printing progress.

    With CELERY_BROKER_URL set the jobs go to the Celery workers, which solve districts in
    parallel; without it they run one after another in this process.
    """
    from scheduler.jobs import city
    from scheduler.jobs.runners import make_runner
    from scheduler.ops.inventory import UnknownDistrict, find_district
    from scheduler.week.drafts import publish

    settings, clock = current_settings(), current_clock()
    engine, factory = open_migrated(settings)
    try:
        ids = None
        if district_names:
            with factory() as session:
                try:
                    ids = [find_district(session, name).id for name in district_names]
                except UnknownDistrict as exc:
                    raise click.ClickException(str(exc)) from exc
        runner = make_runner(settings, factory, clock=clock, workers=workers)
        where = "Celery workers" if settings.celery_broker_url else "this process"
        try:
            queued = city.queue_city(factory, runner, week, time_limit=time_limit, districts=ids, now=clock.now())
            if not queued:
                raise click.ClickException("There are no districts in the database.")
            click.echo(f"Week of {week}: {len(queued)} district jobs on {where}"
                       + "".join(f"; joined job {j.job_id} ({j.district})" for j in queued if not j.new))
            limit = timeout if timeout is not None else len(queued) * (time_limit + 30) + 60
            try:
                views = city.watch(factory, queued, timeout=limit, on_tick=_printer())
            except KeyboardInterrupt:
                city.cancel_all(factory, queued)
                click.echo("Interrupted: cancel requested for every job.", err=True)
                sys.exit(130)
            live = [v for v in views if v.state in city.LIVE]
            if live:
                city.cancel_all(factory, queued)
        finally:
            runner.shutdown()
        if live:
            raise click.ClickException(f"Timed out after {limit:.0f} s with {len(live)} jobs unfinished: "
                                       "cancel requested (are the workers running?).")
        for v in views:
            if v.state != "done":
                click.echo(f"  {v.district}: {v.state}" + (f" ({v.error})" if v.error else ""), err=True)
        if do_publish:
            done = {j.job_id: j for j in queued}
            for v in views:
                if v.state == "done":
                    with factory.begin() as session:
                        version = publish(session, done[v.job_id].district_id, week, None, now=clock.now(),
                                          feed_domain=settings.feed_domain)
                        click.echo(f"Published {v.district} version {version.version}.")
        if any(v.state != "done" for v in views):
            sys.exit(1)
    finally:
        engine.dispose()


def _printer():
    """A line when a job changes state, and a summary line every ten seconds."""
    seen: dict[int, str] = {}
    last = [-10.0]

    def tick(elapsed: float, views) -> None:
        from scheduler.jobs.city import summary

        for v in views:
            if seen.get(v.job_id) != v.state:
                seen[v.job_id] = v.state
                detail = ""
                if v.state in ("running", "done") and v.progress.get("objective") is not None:
                    detail = f" objective {v.progress['objective']:,.1f}"
                    if v.progress.get("status"):
                        detail += f" ({v.progress['status']})"
                click.echo(f"[{elapsed:6.1f} s] {v.district}: {v.state}{detail}")
        if elapsed - last[0] >= 10:
            last[0] = elapsed
            click.echo(f"[{elapsed:6.1f} s] {summary(views)}")

    return tick


