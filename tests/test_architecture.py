"""The shape of the code, checked in the suite so that it stays: imports flow one way, the
linter is clean, the solver is pure, nothing names this machine's paths, features pair up
web/X with scheduler/X, and docs/architecture.md names every module of scheduler/."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("scheduler", "web", "models", "solver")
# A file this long must say at its top why it is one file (a `# long-file:` comment).
MAX_LINES = 400
LONG_FILE_MARK = "# long-file:"
# Blueprints whose use cases are the core's alone, so they have no scheduler/X of their own.
SHARED = "shared"
CORE_ONLY_BLUEPRINTS = {"health"}  # reads scheduler.core.database and nothing else


def _tracked_files() -> list[Path]:
    """The files git tracks (a user's checkout), or every file when there is no git."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return [p for p in ROOT.rglob("*") if p.is_file() and ".git" not in p.parts and ".venv" not in p.parts]
    return [ROOT / name for name in out.decode().split("\0") if name]


def _python_files(*packages: str) -> list[Path]:
    return sorted(p for pkg in packages for p in (ROOT / pkg).rglob("*.py") if "migrations" not in p.parts)


def test_import_contracts_hold():
    # In a process of its own: import-linter configures logging, which would silence caplog
    # in the tests that run after this one.
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_solver_uses_the_standard_library_and_ortools_only():
    allowed = set(sys.stdlib_module_names) | {"ortools", "solver", "__future__"}
    foreign = []
    for path in _python_files("solver"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            foreign += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] not in allowed]
    assert not foreign, foreign


def _machine_paths_named(text: str) -> list[str]:
    """The paths of this machine a text names: the checkout's parent folder, the home folder
    and the shared folder beside the checkout, none of which a user's machine has."""
    # Spelled in parts, so that this file does not name those paths itself.
    needles = {str(ROOT.parent) + "/", "/".join(["..", SHARED]), "/".join(["", SHARED, "spec"])}
    home = os.environ.get("HOME")
    if home and home != "/":
        needles.add(home.rstrip("/") + "/")
    return sorted(n for n in needles if n in text)


def test_no_tracked_file_names_a_path_of_this_machine():
    offenders = []
    for path in _tracked_files():
        if path == Path(__file__) or not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        offenders += [f"{path.relative_to(ROOT)}: {n}" for n in _machine_paths_named(text)]
    assert not offenders, offenders


def test_machine_paths_are_recognised():
    assert _machine_paths_named(f'EXAMPLES = Path("{ROOT.parent}/{SHARED}/spec/examples")')
    assert _machine_paths_named(f'EXAMPLES = Path(__file__).parents[2] / "../{SHARED}/spec"')
    assert not _machine_paths_named('EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"')


def test_scheduler_has_at_most_a_dozen_top_level_modules():
    top = [p.name for p in (ROOT / "scheduler").glob("*.py")]
    assert len(top) <= 12, top


def test_long_files_say_why():
    long_files = []
    for path in _python_files(*PACKAGES, "tests", "benchmarks"):
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(lines) > MAX_LINES and not any(line.startswith(LONG_FILE_MARK) for line in lines[:15]):
            long_files.append(f"{path.relative_to(ROOT)}: {len(lines)} lines")
    assert not long_files, long_files


def _blueprints() -> list[str]:
    return sorted(p.parent.name for p in (ROOT / "web").glob("*/__init__.py")
                  if "Blueprint(" in p.read_text(encoding="utf-8"))


def test_every_blueprint_has_its_use_cases_under_the_same_name():
    blueprints = _blueprints()
    assert len(blueprints) >= 10, blueprints
    missing = [name for name in blueprints
               if name not in CORE_ONLY_BLUEPRINTS and not (ROOT / "scheduler" / name / "__init__.py").exists()]
    assert not missing, f"web/X without scheduler/X: {missing}"


def test_architecture_doc_names_every_module_of_scheduler():
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    unnamed = []
    for path in _python_files("scheduler"):
        if path.name == "__init__.py":
            continue
        rel = path.relative_to(ROOT / "scheduler")
        # named either as a path below scheduler/ or, for a whole subpackage, by its folder
        if str(rel) not in doc and f"{rel.parent}/" not in doc:
            unnamed.append(str(rel))
    assert not unnamed, f"docs/architecture.md does not name: {unnamed}"


@pytest.mark.parametrize("package", PACKAGES)
def test_no_package_reads_the_environment_outside_the_settings(package):
    readers = []
    for path in _python_files(package):
        rel = path.relative_to(ROOT)
        if rel.as_posix() == "scheduler/core/config.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"} \
                    and isinstance(node.value, ast.Name) and node.value.id == "os":
                readers.append(f"{rel}:{node.lineno}")
    assert not readers, readers
