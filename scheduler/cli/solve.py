"""`scheduler solve` and `scheduler check`: the solver on roster files, no database needed."""
from __future__ import annotations

import dataclasses
import json
import os
import threading
import time
from collections import Counter
from typing import IO

import click

from scheduler.cli.base import main
from solver.io import (
    ProblemError,
    load_problem,
    load_solution,
    parse_problem,
    parse_solution,
    read_document,
    solution_to_dict,
)
from solver.problem import Assignment, Problem

# The solution's own objective must agree with the recomputed one this closely.
OBJECTIVE_TOLERANCE = 1e-4


class ProgressLine:
    """Best objective, bound, gap and time on one terminal line, redrawn in place.

    `on_progress` may come from the solver's thread and arrive many times a second, so
    redraws are throttled and serialised."""

    def __init__(self, stream: IO[str], enabled: bool, every_s: float = 0.1) -> None:
        self.stream = stream
        self.enabled = enabled
        self.every_s = every_s
        self._last = -1e9
        self._width = 0
        self._lock = threading.Lock()

    def __call__(self, progress) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        with self._lock:
            if now - self._last < self.every_s:
                return
            self._last = now
            self._draw(format_progress(progress))

    def _draw(self, text: str) -> None:
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)

    def clear(self) -> None:
        with self._lock:
            if self.enabled and self._width:
                self.stream.write("\r" + " " * self._width + "\r")
                self.stream.flush()
                self._width = 0


def format_progress(progress) -> str:
    bound = progress.bound
    parts = [f"best {progress.objective:,.1f}",
             "bound -" if bound is None else f"bound {bound:,.1f}",
             f"gap {gap_text(progress.objective, bound)}",
             f"{progress.elapsed_s:.1f} s",
             f"{progress.solutions} solution{'' if progress.solutions == 1 else 's'}"]
    return "  ".join(parts)


def gap_text(objective: float, bound: float | None) -> str:
    if bound is None:
        return "-"
    if objective == 0:
        return "0.0%"
    return f"{max(0.0, objective - bound) / abs(objective):.1%}"


def places(problem: Problem, assignments: tuple[Assignment, ...]) -> tuple[int, int]:
    """(filled, total) places counted as the objective counts them: of a choice group only
    the staffed slot's lines, or the first slot's when none is staffed."""
    per_line = Counter((a.slot, a.line) for a in assignments)
    staffed = {a.slot for a in assignments}
    counted, seen_groups = [], {}
    for s in problem.slots:
        if s.choice is None:
            counted.append(s)
        else:
            seen_groups.setdefault(s.choice, []).append(s)
    for members in seen_groups.values():
        chosen = [s for s in members if s.id in staffed]
        counted.extend(chosen or members[:1])
    total = sum(line.count for s in counted for line in s.demand)
    filled = sum(min(line.count, per_line[(s.id, k)])
                 for s in counted for k, line in enumerate(s.demand))
    return filled, total


def _fail_on_bad_input(exc: ProblemError, what: str) -> None:
    click.echo(f"{what}: {exc}", err=True)
    click.get_current_context().exit(2)


def _write_json(path: str, doc: dict) -> None:
    """Write through a temporary file so a stopped run never leaves half a solution (and
    the file gets the usual permissions, as open() gives)."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "x", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _run_solver(problem: Problem, display: ProgressLine, **options):
    """solve() in a worker thread, so Ctrl-C can ask it to stop and still get its best."""
    from solver.solve import solve

    stop = threading.Event()
    done = threading.Event()
    outcome: dict = {}

    def work() -> None:
        try:
            outcome["solution"] = solve(problem, on_progress=display, stop=stop, **options)
        except BaseException as exc:  # handed to the main thread below
            outcome["error"] = exc
        finally:
            done.set()

    # Waiting on an event, not Thread.join: a join that Ctrl-C interrupts can return early.
    worker = threading.Thread(target=work, name="solve", daemon=True)
    worker.start()
    try:
        while not done.wait(0.2):
            pass
    except KeyboardInterrupt:
        stop.set()
        display.clear()
        click.echo("Stopping: keeping the best roster found so far "
                   "(Ctrl-C again to abandon it)...", err=True)
        try:
            while not done.wait(0.2):
                pass
        except KeyboardInterrupt:
            click.echo("Abandoned: no solution written.", err=True)
            click.get_current_context().exit(130)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["solution"]


@main.command("solve")
@click.argument("problem_path", metavar="PROBLEM.json", type=click.Path(dir_okay=False))
@click.option("-o", "--output", metavar="SOLUTION.json", required=True,
              type=click.Path(dir_okay=False), help="Where to write the solution.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=30.0,
              show_default=True, help="Seconds of solving.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="CP-SAT search workers.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option("--previous", "previous_path", metavar="OLD_SOLUTION.json",
              type=click.Path(dir_okay=False),
              help="The schedule published before (a solution file): each of its assignments "
                   "that is changed costs `change`. Replaces the problem's own `previous`.")
@click.option("--gap", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="Stop once the whole problem is proven within this relative gap "
                   "(0.05: 5%); 0 searches to the time limit or a proven optimum.")
@click.option("--quiet", "-q", is_flag=True, help="No progress line and no summary.")
def solve_cmd(problem_path: str, output: str, time_limit: float, workers: int, seed: int,
              previous_path: str | None, gap: float, quiet: bool) -> None:
    """Solve a roster-problem/1 file into a roster-solution/1 file.

    Exit status: 0 solved, 1 the pins cannot all hold (infeasible), 2 bad input."""
    try:
        problem = load_problem(problem_path)
    except ProblemError as exc:
        _fail_on_bad_input(exc, problem_path)
    if previous_path is not None:
        try:
            old = load_solution(previous_path)
        except ProblemError as exc:
            _fail_on_bad_input(exc, previous_path)
        problem = dataclasses.replace(problem, previous=old.assignments)

    stderr = click.get_text_stream("stderr")
    display = ProgressLine(stderr, enabled=not quiet and stderr.isatty())
    started = time.monotonic()
    try:
        solution = _run_solver(problem, display, time_limit=time_limit, workers=workers,
                               seed=seed, gap=gap)
    finally:
        display.clear()
    wall = time.monotonic() - started
    _write_json(output, solution_to_dict(solution))

    if solution.status == "infeasible":
        click.echo("Infeasible: the pinned assignments break hard rules:", err=True)
        for conflict in solution.conflicts:
            click.echo(f"  {conflict}", err=True)
        click.get_current_context().exit(1)
    if not quiet:
        filled, total = places(problem, solution.assignments)
        bound = "" if solution.bound is None else (
            f"  bound {solution.bound:,.3f} (gap {gap_text(solution.objective, solution.bound)})")
        click.echo(f"{solution.status}  objective {solution.objective:,.3f}{bound}  "
                   f"filled {filled}/{total} places  wall {wall:.1f} s  -> {output}")


@main.command("check")
@click.argument("problem_path", metavar="PROBLEM.json", type=click.Path(dir_okay=False))
@click.argument("solution_path", metavar="SOLUTION.json", type=click.Path(dir_okay=False))
def check_cmd(problem_path: str, solution_path: str) -> None:
    """Judge a solution by the spec alone: every broken hard rule, then the objective term
    by term. Exit status: 0 valid, 1 a hard rule is broken, 2 bad input."""
    from solver.check import CheckError, check

    docs = []
    for path, what, parse in ((problem_path, "roster problem", parse_problem),
                              (solution_path, "roster solution", parse_solution)):
        try:
            doc = read_document(path, what)
            parse(doc)
        except ProblemError as exc:
            _fail_on_bad_input(exc, path)
        docs.append(doc)
    try:
        report = check(*docs)
    except CheckError as exc:
        click.echo(f"cannot check: {exc}", err=True)
        click.get_current_context().exit(2)

    if report.ok:
        click.echo("valid: no hard rule is broken")
    else:
        click.echo(f"INVALID: {len(report.violations)} broken hard rule"
                   f"{'' if len(report.violations) == 1 else 's'}")
        for rule, text in report.violations:
            click.echo(f"  rule {rule}: {text}")
    click.echo(f"objective {report.objective:,.3f}")
    for term, value in report.terms.items():
        click.echo(f"  {term:<10}{value:>16,.3f}")
    click.echo(_claimed_text(report.objective, docs[1].get("objective")))
    click.get_current_context().exit(0 if report.ok else 1)


def _claimed_text(recomputed: float, claimed) -> str:
    if isinstance(claimed, bool) or not isinstance(claimed, (int, float)):
        return "the solution states no objective of its own"
    diff = abs(claimed - recomputed)
    scale = max(abs(recomputed), abs(claimed))
    share = diff / scale if scale else 0.0
    verdict = "matches" if share <= OBJECTIVE_TOLERANCE else "DOES NOT match"
    return (f"the solution's own objective {claimed:,.3f} {verdict} the recomputed one "
            f"(difference {diff:,.3f}, {share:.4%})")
