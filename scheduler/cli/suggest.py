"""`scheduler suggest`: the assign page's ranked suggestions for one place, on the terminal."""
from __future__ import annotations

import json
from datetime import date

import click
from sqlalchemy import select

from models import Person, Slot
from scheduler.cli.base import main, open_migrated
from scheduler.cli.week import _district_id, district_option, week_option
from scheduler.core.access import NotVisible


def _slot_id(session, district_id: int, week: date, value: str) -> int:
    """A slot named by its row id or its id in problem files (`scheduler problem`)."""
    query = select(Slot.id).where(Slot.district_id == district_id, Slot.week_start == week)
    found = session.scalar(query.where(Slot.id == int(value)) if value.isdigit() and len(value) < 10
                           else query.where(Slot.external_id == value))
    if found is None:
        raise click.ClickException(f"no slot {value!r} in that district's week of {week}")
    return found


def _person_id(session, value: str) -> int:
    found = session.scalar(select(Person.id).where(Person.external_id == value))
    if found is None:
        raise click.ClickException(f"no person with id {value!r}")
    return found


def _where(w) -> str:
    return f"{w.site.name} {w.start:%a %m-%d %H:%M}-{w.end:%H:%M}"


def _reason(r) -> str:
    detail = f" ({r.holder.name})" if r.holder else f" at {_where(r.where)}" if r.where else ""
    return f"rule {r.rule} ({r.en}){detail}"


def _terms(terms) -> str:
    return ", ".join(f"{name} {value:+,.1f}" for name, value in terms if name != "unfilled")


def _as_json(found) -> dict:
    def person(p):
        return {"id": p.external_id, "name": p.name}

    def reason(r):
        return {"rule": r.rule, "name": r.en, **({"slot": r.where.slot.external_id} if r.where else {}),
                **({"holder": r.holder.external_id} if r.holder else {})}

    return {
        "slot": found.slot.external_id, "line": found.line_index,
        "replacing": person(found.replacing) if found.replacing else None,
        "feasible": [{**person(s.person), "delta": round(s.delta, 6), "terms": dict(s.terms)} for s in found.feasible],
        "feasible_count": found.feasible_count,
        "infeasible": [{**person(s.person), "reasons": [reason(r) for r in s.reasons]} for s in found.infeasible],
        "repairs": [{"person": person(r.person), "leaves": {"slot": r.leaves.slot.external_id, "line": r.leaves_line},
                     "replacement": person(r.replacement), "delta": round(r.delta, 6), "terms": dict(r.terms)}
                    for r in found.repairs],
    }


@main.command("suggest")
@district_option
@week_option
@click.option("--slot", "slot_name", required=True, help="The slot: its id in problem files, or its row id.")
@click.option("--line", type=click.IntRange(0, 99), default=0, show_default=True, help="Demand line (from 0).")
@click.option("--replace", "replace", help="Suggest instead of this holder (a person's id in problem files).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def suggest_cmd(district_name: str, week: date, slot_name: str, line: int, replace: str | None, limit: int,
                as_json: bool) -> None:
    """Who could take a place of the week's draft, cheapest first (the change of the solver's
    objective), who cannot and why, and one-move repairs when nobody can."""
    from scheduler.week.suggest import place_suggestions

    _, factory = open_migrated()
    district_id = _district_id(factory, district_name)
    with factory() as session:
        slot_id = _slot_id(session, district_id, week, slot_name)
        replacing = _person_id(session, replace) if replace else None
        try:
            found = place_suggestions(session, district_id, week, slot_id, line, replacing_id=replacing, limit=limit,
                                      blocked_limit=10_000_000)
        except NotVisible as exc:
            raise click.ClickException(str(exc)) from exc
        if as_json:
            click.echo(json.dumps(_as_json(found), ensure_ascii=False, indent=1))
            return
        click.echo(f"{found.site.name} {found.start:%a %Y-%m-%d %H:%M}-{found.end:%H:%M}, line {line} "
                   f"({'/'.join(found.roles)}): {len(found.holders)} of {found.count} taken"
                   + (f"; replacing {found.replacing.name}" if found.replacing else ""))
        if found.full:
            click.echo("Every place is taken: give --replace with a holder's id: "
                       + ", ".join(f"{p.name} ({p.external_id})" for p in found.holders))
            return
        click.echo(f"Could take it ({found.feasible_count}), change of the objective, cheapest first:")
        for n, s in enumerate(found.feasible, 1):
            click.echo(f"{n:>3}  {s.person.name} ({s.person.external_id})  {s.delta:+,.1f}  {_terms(s.terms)}")
        if found.repairs:
            click.echo("Nobody can; one-move repairs:")
            for r in found.repairs:
                click.echo(f"     {r.person.name} leaves {_where(r.leaves)} for it, {r.replacement.name} takes "
                           f"that place  {r.delta:+,.1f}  {_terms(r.terms)}")
        click.echo(f"Cannot take it ({found.infeasible_count}):")
        for s in found.infeasible:
            click.echo(f"     {s.person.name} ({s.person.external_id}): " + "; ".join(map(_reason, s.reasons)))
