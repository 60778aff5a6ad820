"""Running a district's week from the command line, exactly as the web app does."""
from __future__ import annotations

import json
from datetime import date

import click

from scheduler.cli.base import current_clock, current_settings, main, open_migrated
from scheduler.core.weeks import next_week_start, parse_week
from scheduler.ops.inventory import UnknownDistrict, find_district


def _week(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date:
    if value is None:
        return next_week_start(current_clock().today())
    try:
        return parse_week(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


district_option = click.option("--district", "district_name", required=True, help="District name or code.")
week_option = click.option("--week", callback=_week, help="Any date in the week (default: next week).")


def _district_id(factory, name: str) -> int:
    with factory() as session:
        try:
            return find_district(session, name).id
        except UnknownDistrict as exc:
            raise click.ClickException(str(exc)) from exc


@main.command("demand")
@district_option
@week_option
def demand_cmd(district_name: str, week: date) -> None:
    """Generate a week's slots: shifts, due village visits, events and requests."""
    from scheduler.demand.generate import generate_week

    _, factory = open_migrated()
    district_id = _district_id(factory, district_name)
    with factory.begin() as session:
        report = generate_week(session, district_id, week)
    click.echo(f"Week of {week}: created {report.total_created} slots "
               f"({', '.join(f'{k} {v}' for k, v in report.created.items())}), {report.existing} existed.")
    if report.holidays:
        click.echo("Closed for holidays: " + ", ".join(d.isoformat() for d in report.holidays))


@main.command("problem")
@district_option
@week_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
def problem_cmd(district_name: str, week: date, output: str) -> None:
    """Write the roster problem the app would solve for a district's week."""
    from scheduler.week.problem import build_problem

    _, factory = open_migrated()
    district_id = _district_id(factory, district_name)
    with factory() as session:
        doc = build_problem(session, district_id, week)
    with open(output, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=1)
    click.echo(f"Wrote {output}: {len(doc['slots'])} slots, {len(doc['people'])} people, "
               f"{len(doc['pinned'])} pinned, {len(doc['previous'])} previous.")


@main.command("solve-week")
@district_option
@week_option
@click.option("--time-limit", type=float, default=30.0, show_default=True, help="Seconds.")
@click.option("--workers", type=int, default=2, show_default=True)
@click.option("--publish", "do_publish", is_flag=True, help="Publish the draft when solved.")
@click.option("--quiet", is_flag=True)
def solve_week_cmd(district_name: str, week: date, time_limit: float, workers: int, do_publish: bool,
                   quiet: bool) -> None:
    """Solve a district's week into its draft (and publish it with --publish)."""
    from scheduler.week.drafts import publish
    from scheduler.week.solve import solve_week

    _, factory = open_migrated()
    district_id = _district_id(factory, district_name)
    result = solve_week(factory, district_id, week, None, clock=current_clock(), time_limit=time_limit,
                        workers=workers)
    sol = result.solution
    places = sum(o.missing for o in sol.unfilled)
    if not quiet:
        click.echo(f"Week of {week}: {result.demand.total_created} new slots; solver {sol.status}, "
                   f"objective {sol.objective:,.1f}, {len(sol.assignments)} assignments, {places} places open.")
    if do_publish:
        with factory.begin() as session:
            version = publish(session, district_id, week, None, now=current_clock().now(),
                              feed_domain=current_settings().feed_domain)
            click.echo(f"Published version {version.version} of the week of {week}.")
