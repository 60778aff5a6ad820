"""Standing village advisers over the database: propose, review, approve, history, overdue."""
from __future__ import annotations

from datetime import datetime

import click
from sqlalchemy import select

from models import Person, Site
from scheduler.cli.base import current_clock, main, open_migrated
from scheduler.ops.inventory import UnknownDistrict, find_district, format_table


@main.group("advisers")
def advisers() -> None:
    """Standing village advisers (村法律顾问) in the database."""


def _district_id(session, name: str) -> int:
    try:
        return find_district(session, name).id
    except UnknownDistrict as exc:
        raise click.ClickException(str(exc)) from exc


def _by_external_id(session, model, ext: str):
    row = session.scalar(select(model).where(model.external_id == ext))
    if row is None:
        raise click.ClickException(f"no {model.__tablename__[:-1]} with id {ext!r}")
    return row


def _print_rows(rows) -> None:
    click.echo(format_table([
        {"village": r.site, "name": r.site_name, "status": r.status, "current": r.current or "-",
         "proposed": r.proposed or "-", "km_before": "-" if r.km_before is None else f"{r.km_before:.1f}",
         "km_after": "-" if r.km_after is None else f"{r.km_after:.1f}", "fixed": "yes" if r.fixed else "",
         "reasons": " | ".join(r.reasons)}
        for r in rows
    ]))


@advisers.command("propose")
@click.option("--district", "district_name", required=True)
@click.option("--fix", "fixes", multiple=True, metavar="VILLAGE=PERSON",
              help="Keep this pair whatever the solver prefers (external ids); repeatable.")
@click.option("--all-rows", is_flag=True, help="Also list the villages whose adviser stays.")
def propose_cmd(district_name: str, fixes: tuple[str, ...], all_rows: bool) -> None:
    """Propose the optimal pairing of a district's villages and show it against the current one."""
    from scheduler.advisers.pairings import ProposalError, compare, propose

    _, factory = open_migrated()
    with factory.begin() as session:
        district_id = _district_id(session, district_name)
        fixed = {}
        for text in fixes:
            village, sep, person = text.partition("=")
            if not sep:
                raise click.BadParameter(f"{text!r} is not VILLAGE=PERSON", param_hint="--fix")
            fixed[_by_external_id(session, Site, village).id] = _by_external_id(session, Person, person).id
        try:
            proposal = propose(session, None, district_id, current_clock().today(), fixed)
        except ProposalError as exc:
            raise click.ClickException(str(exc)) from exc
        rows = compare(session, proposal)
    counts = {s: sum(r.status == s for r in rows) for s in ("kept", "moved", "new", "unpaired")}
    _print_rows([r for r in rows if all_rows or r.status != "kept"])
    before = sum(r.km_before or 0 for r in rows)
    after = sum(r.km_after or 0 for r in rows)
    click.echo(f"\nProposal {proposal.id} ({proposal.solver_status}): "
               + ", ".join(f"{k} {v}" for k, v in counts.items())
               + f"; adviser distance {before:,.1f} km -> {after:,.1f} km.")
    click.echo(f"Approve it with: scheduler advisers approve {proposal.id} --from YYYY-MM-DD")


@advisers.command("approve")
@click.argument("proposal_id", type=int)
@click.option("--from", "effective_from", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="The day the new pairs start and the changed ones end.")
def approve_cmd(proposal_id: int, effective_from: datetime) -> None:
    """Approve a proposal: end the changed pairs and start the new ones, in one transaction."""
    from scheduler.advisers.pairings import ProposalError, approve
    from scheduler.core.access import NotVisible

    _, factory = open_migrated()
    try:
        with factory.begin() as session:
            counts = approve(session, None, proposal_id, effective_from.date(), now=current_clock().now())
    except (ProposalError, NotVisible) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Approved proposal {proposal_id} from {effective_from.date()}: "
               + ", ".join(f"{k} {v}" for k, v in counts.items()) + ".")


@advisers.command("history")
@click.argument("village")
def history_cmd(village: str) -> None:
    """Every adviser a village has had, with dates."""
    from scheduler.advisers.pairings import history

    _, factory = open_migrated()
    with factory() as session:
        site = _by_external_id(session, Site, village)
        rows = [{"from": p.valid_from, "to": p.valid_to or "", "adviser": p.person.name,
                 "person": p.person.external_id} for p in history(session, site.id)]
    click.echo(f"{site.name} ({site.external_id})")
    click.echo(format_table(rows))


@advisers.command("overdue")
@click.option("--district", "district_name", required=True)
def overdue_cmd(district_name: str) -> None:
    """Villages that have gone longer than their visit rhythm without an adviser visit."""
    from scheduler.advisers.rhythm import overdue_villages

    _, factory = open_migrated()
    with factory() as session:
        flagged = overdue_villages(session, _district_id(session, district_name), current_clock().now())
    click.echo(format_table([
        {"village": o.external_id, "name": o.name, "every_weeks": o.every_weeks,
         "last_visit": o.last_visit.date() if o.last_visit else "never",
         "days_overdue": "" if o.days_overdue is None else o.days_overdue}
        for o in flagged
    ]))
    click.echo(f"({len(flagged)} villages overdue)", err=True)
