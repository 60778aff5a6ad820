"""`scheduler pair`: the standing village-adviser pairing on roster files, no database."""
from __future__ import annotations

import json
import os
import tempfile
import time

import click

from scheduler.cli.base import main
from solver.io import ProblemError, load_problem, pairing_to_dict
from solver.problem import Pair, Pairing, Problem


def pairing_counts(problem: Problem, pairing: Pairing) -> dict[str, int]:
    """Pairs, how many of them are current pairs kept or new, the current pairs given up
    (each costs `change`), and the villages left unpaired."""
    chosen = {(x.site, x.person) for x in pairing.pairs}
    current = {(s, q.id) for q in problem.people for s in q.paired_sites}
    return {"pairs": len(chosen), "kept": len(chosen & current), "new": len(chosen - current),
            "changed": len(current - chosen), "unpaired": len(pairing.unpaired_sites)}


def _fixed_pairs(texts: tuple[str, ...]) -> tuple[Pair, ...]:
    out = []
    for text in texts:
        site, sep, person = text.partition("=")
        if not sep or not site.strip() or not person.strip():
            raise click.BadParameter(f"{text!r} is not VILLAGE=PERSON", param_hint="--fix")
        out.append(Pair(site=site.strip(), person=person.strip()))
    return tuple(out)


def _write_json(path: str, doc: dict) -> None:
    """Through a temporary file, so a failed run never leaves half a pairing behind."""
    fd, tmp = tempfile.mkstemp(prefix=".pairing-", suffix=".json",
                               dir=os.path.dirname(os.path.abspath(path)))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


@main.command("pair")
@click.argument("problem_path", metavar="PROBLEM.json", type=click.Path(dir_okay=False))
@click.option("-o", "--output", metavar="PAIRING.json", required=True,
              type=click.Path(dir_okay=False), help="Where to write the pairing.")
@click.option("--fix", "fixes", multiple=True, metavar="VILLAGE=PERSON",
              help="Keep this pair whatever the solver prefers (site and person ids); repeatable.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=10.0,
              show_default=True,
              help="Seconds for CP-SAT, used only when odd weights make leaving a village "
                   "unpaired cheaper than pairing it.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True)
@click.option("--quiet", "-q", is_flag=True, help="No summary.")
def pair_cmd(problem_path: str, output: str, fixes: tuple[str, ...], time_limit: float,
             workers: int, quiet: bool) -> None:
    """Pair every village with a standing adviser (roster-problem/1 in, roster-pairing/1 out).

    Exit status: 0 paired, 1 the fixed pairs break hard rules (infeasible), 2 bad input."""
    fixed = _fixed_pairs(fixes)
    try:
        problem = load_problem(problem_path)
    except ProblemError as exc:
        click.echo(f"{problem_path}: {exc}", err=True)
        click.get_current_context().exit(2)
    from solver.pairing import pair  # ortools loads only when a command needs it

    started = time.monotonic()
    pairing = pair(problem, fixed=fixed, time_limit=time_limit, workers=workers)
    wall = time.monotonic() - started
    _write_json(output, pairing_to_dict(pairing))

    if pairing.status == "infeasible":
        click.echo("Infeasible: the fixed pairs break hard rules:", err=True)
        for reason in pairing.conflicts:
            click.echo(f"  {reason.zh} / {reason.en}", err=True)
        click.get_current_context().exit(1)
    if not quiet:
        n = pairing_counts(problem, pairing)
        click.echo(f"{pairing.status}  pairs {n['pairs']} (kept {n['kept']}, new {n['new']})  "
                   f"changed {n['changed']}  unpaired {n['unpaired']}  "
                   f"objective {pairing.objective:,.3f}  wall {wall:.1f} s  -> {output}")

