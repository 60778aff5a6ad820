"""The `scheduler` command line. Each module below adds its commands to `main`."""
from scheduler.cli.base import main

# Importing a command module registers its commands on `main`.
from scheduler.cli import db as _db  # noqa: E402,F401
from scheduler.cli import week as _week  # noqa: E402,F401
from scheduler.cli import advisers as _advisers  # noqa: E402,F401
from scheduler.cli import web as _web  # noqa: E402,F401
from scheduler.cli import solve as _solve  # noqa: E402,F401
from scheduler.cli import pair as _pair  # noqa: E402,F401
from scheduler.cli import feeds as _feeds  # noqa: E402,F401
from scheduler.cli import demo as _demo  # noqa: E402,F401
from scheduler.cli import quickstart as _quickstart  # noqa: E402,F401
from scheduler.cli import excel as _excel  # noqa: E402,F401
from scheduler.cli import ops as _ops  # noqa: E402,F401
from scheduler.cli import notices as _notices  # noqa: E402,F401

__all__ = ["main"]
