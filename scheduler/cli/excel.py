"""Spreadsheets and paper from the command line: `scheduler import`, `scheduler export`
and `scheduler print`, doing exactly what the web app's transfer pages do. The command line
acts for the whole city; messages are in Chinese / English."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from sqlalchemy import select

from scheduler.cli.base import current_clock, current_settings, main, open_migrated
from scheduler.core.config import public_base_url
from scheduler.core.weeks import next_week_start, parse_week
from scheduler.ops.inventory import UnknownDistrict, find_district

KINDS = ("people", "sites", "availability", "pairings")


def _week(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return parse_week(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def _day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {value!r}") from exc


def _district(session, name: str):
    try:
        return find_district(session, name)
    except UnknownDistrict as exc:
        raise click.ClickException(str(exc)) from exc


def _write(path: str, data: bytes) -> None:
    Path(path).write_bytes(data)
    click.echo(f"已写入 Wrote {path} ({len(data):,} bytes)")


def _suffix(path: str, allowed: tuple[str, ...]) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in allowed:
        raise click.BadParameter(f"the file must end in {' or '.join(allowed)}", param_hint="-o")
    return suffix


# --- import ----------------------------------------------------------------------------

@main.command("import")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--kind", type=click.Choice(KINDS), help="What the file holds (default: recognised from its headings).")
@click.option("--district", "district_name", help="Import into this district (name or code); rows naming "
              "another district are errors. Without it every row names its district.")
@click.option("--dry-run", is_flag=True, help="Check the file and report what would change; write nothing.")
@click.option("--template", type=click.Choice(KINDS), help="Write a blank template of this kind instead (with -o).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Where to write the template (.xlsx).")
def import_cmd(file: str | None, kind: str | None, district_name: str | None, dry_run: bool, template: str | None,
               output: str | None) -> None:
    """Import people, sites, weekly availability or standing pairings from .xlsx or CSV.

    All or nothing: a file with any problem is refused with every problem listed (sheet,
    row, column) and the exit status 1. Rows are matched by their ids, so importing the
    same file again changes nothing.
    """
    from scheduler.transfer.imports import KINDS as SPECS
    from scheduler.transfer.imports import describe, import_file
    from scheduler.transfer.imports.template import template_workbook

    if template:
        if not output:
            raise click.UsageError("--template needs -o FILE.xlsx")
        _suffix(output, (".xlsx",))
        _write(output, template_workbook(SPECS[template]))
        return
    if not file:
        raise click.UsageError("give a FILE to import, or --template KIND -o FILE.xlsx")
    data = Path(file).read_bytes()
    _, factory = open_migrated()
    with factory.begin() as session:
        district = _district(session, district_name) if district_name else None
        # A refused file or a dry run has written nothing: the commit on leaving is empty.
        report = import_file(session, None, Path(file).name, data, kind=kind, district=district, dry_run=dry_run,
                             now=current_clock().now())
    if not report.ok:
        for error in report.errors:
            click.echo(f"{error.place()}: {describe(error)}", err=True)
        raise click.ClickException(f"文件未导入，共 {len(report.errors)} 处问题 / nothing imported: "
                                   f"{len(report.errors)} problems")
    counts = (f"新增 created {report.created}, 更新 updated {report.updated}, 未变 unchanged {report.unchanged}"
              + (f", 删除 removed {report.removed}" if report.removed else ""))
    click.echo(f"{report.kind}: {report.rows} 行 rows; {counts}")
    for change in report.changes[:20]:
        fields = f" ({', '.join(change.fields)})" if change.fields else ""
        click.echo(f"  {change.action} {change.key} {change.name}{fields}")
    if len(report.changes) > 20:
        click.echo(f"  … {len(report.changes) - 20} more")
    click.echo("试运行，未写入 / dry run: nothing written" if dry_run else "已导入 / imported")


# --- export ----------------------------------------------------------------------------

@main.group("export")
def export_group() -> None:
    """Export a published week or a service record to .xlsx or CSV."""


@export_group.command("week")
@click.option("--district", "district_name", required=True, help="District name or code.")
@click.option("--week", callback=_week, help="Any date in the week (default: next week).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="FILE.xlsx or FILE.csv")
@click.option("--full-phones", is_flag=True, help="Full phone numbers instead of 138****1234 (audited).")
def export_week(district_name: str, week: date | None, output: str, full_phones: bool) -> None:
    """A published week: .xlsx with a sheet per township and a per-person sheet, or one CSV list."""
    from scheduler.transfer.exports import NothingPublished, published_week, week_csv, week_xlsx

    suffix = _suffix(output, (".xlsx", ".csv"))
    _, factory = open_migrated()
    with factory.begin() as session:
        district = _district(session, district_name)
        try:
            export = published_week(session, None, district.id, week or next_week_start(current_clock().today()),
                                    full_phones=full_phones)
        except NothingPublished as exc:
            raise click.ClickException(f"该周尚未发布 / {exc}") from exc
        data = week_xlsx(export) if suffix == ".xlsx" else week_csv(export)
    _write(output, data)


@export_group.command("record")
@click.argument("subject", type=click.Choice(("person", "village")))
@click.argument("external_id")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="FILE.xlsx or FILE.csv")
@click.option("--since", callback=_day, help="First day (YYYY-MM-DD).")
@click.option("--until", callback=_day, help="Last day (YYYY-MM-DD).")
@click.option("--full-phones", is_flag=True, help="The person's full phone number (audited).")
def export_record(subject: str, external_id: str, output: str, since: date | None, until: date | None,
                  full_phones: bool) -> None:
    """The service record of a person or a village (by id, e.g. YZ-L0001)."""
    from models import Person, Site
    from scheduler.transfer.exports import person_record, to_csv, to_xlsx, village_record

    suffix = _suffix(output, (".xlsx", ".csv"))
    _, factory = open_migrated()
    with factory.begin() as session:
        model = Person if subject == "person" else Site
        found = session.scalar(select(model).where(model.external_id == external_id))
        if found is None or (subject == "village" and found.kind != "village"):
            raise click.ClickException(f"没有编号为 {external_id} 的{'人员' if subject == 'person' else '村（社区）'} / "
                                       f"no {subject} with id {external_id!r}")
        if subject == "person":
            record = person_record(session, None, found.id, since=since, until=until, full_phones=full_phones)
        else:
            record = village_record(session, None, found.id, since=since, until=until)
        data = to_xlsx(record.tables) if suffix == ".xlsx" else to_csv(record.main)
    _write(output, data)


# --- print -----------------------------------------------------------------------------

@main.group("print")
def print_group() -> None:
    """Print window rosters and village posters as PDF (A4)."""


@print_group.command("roster")
@click.option("--site", "site_id", help="One window (or centre, station) by id.")
@click.option("--district", "district_name", help="Every window of a district, a page each.")
@click.option("--week", callback=_week, help="Any date in the week (default: next week).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="FILE.pdf")
def print_roster(site_id: str | None, district_name: str | None, week: date | None, output: str) -> None:
    """The week's A4 window roster: who serves when, their role, office phone, 12348."""
    from scheduler.transfer.exports import NothingPublished
    from scheduler.transfer.printing import render_pdf, window_roster

    _suffix(output, (".pdf",))
    week = week or next_week_start(current_clock().today())
    _, factory = open_migrated()
    with factory() as session:
        sites = _sites(session, site_id, district_name, ("window", "centre", "station"))
        try:
            docs = [window_roster(session, None, s.id, week, complaint_phone=current_settings().complaint_phone)
                    for s in sites]
        except NothingPublished as exc:
            raise click.ClickException(f"该周尚未发布 / {exc}") from exc
        data = render_pdf(docs, title=f"值班表 {week}")
    _write(output, data)


@print_group.command("poster")
@click.option("--village", "village_id", help="One village by id.")
@click.option("--district", "district_name", help="Every village of a district, a page each.")
@click.option("--new-feed-link", is_flag=True,
              help="Issue a new calendar feed link per village for the QR code (old links stop working).")
@click.option("--full-phones", is_flag=True, help="The adviser's full mobile number (audited).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="FILE.pdf")
def print_poster(village_id: str | None, district_name: str | None, new_feed_link: bool, full_phones: bool,
                 output: str) -> None:
    """The village bulletin-board poster: adviser, photo box, next visits, 12348, calendar QR."""
    from scheduler.core import audit
    from scheduler.feeds.tokens import issue_token
    from scheduler.feeds.urls import feed_urls
    from scheduler.transfer.printing import render_pdf, village_poster

    _suffix(output, (".pdf",))
    settings, now = current_settings(), current_clock().now()
    _, factory = open_migrated()
    with factory.begin() as session:
        villages = _sites(session, village_id, district_name, ("village",))
        docs = []
        for village in villages:
            url = None
            if new_feed_link:
                token = issue_token(session, "village", village.id, reset=True, now=now,
                                    domain=settings.feed_domain)
                audit.record(session, None, "feed_link", "village", village.id, village.district_id)
                url = feed_urls(public_base_url(settings.base_url), token).https
            docs.append(village_poster(session, None, village.id, feed_url=url, full_phones=full_phones, now=now,
                                       complaint_phone=settings.complaint_phone,
                                       base_url=public_base_url(settings.base_url)))
        data = render_pdf(docs, title="村（社区）法律顾问公示")
    _write(output, data)
    if new_feed_link:
        click.echo("新的日历链接已生效，旧链接失效 / new calendar links issued; the old ones no longer work", err=True)


def _sites(session, external_id: str | None, district_name: str | None, kinds: tuple[str, ...]):
    from models import Site

    if bool(external_id) == bool(district_name):
        raise click.UsageError("give exactly one of the site id option or --district")
    query = select(Site).where(Site.kind.in_(kinds), Site.active).order_by(Site.external_id)
    if external_id:
        found = session.scalars(query.where(Site.external_id == external_id)).all()
    else:
        found = session.scalars(query.where(Site.district_id == _district(session, district_name).id)).all()
    if not found:
        raise click.ClickException(f"没有找到 / nothing found: {external_id or district_name} ({', '.join(kinds)})")
    return found
