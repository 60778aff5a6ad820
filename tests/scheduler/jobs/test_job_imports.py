"""The job modules import one way: runners -> celery_app -> solve_jobs, never back."""
from __future__ import annotations

import ast
from pathlib import Path

JOBS = Path(__file__).resolve().parents[3] / "scheduler" / "jobs"


def imported(module: str) -> set[str]:
    """Every module `scheduler/jobs/<module>.py` imports, at its top or inside a function."""
    tree = ast.parse((JOBS / f"{module}.py").read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_celery_app_and_the_jobs_never_import_the_runners():
    assert "scheduler.jobs.runners" not in imported("celery_app")
    assert not {"scheduler.jobs.runners", "scheduler.jobs.celery_app"} & imported("solve_jobs")
