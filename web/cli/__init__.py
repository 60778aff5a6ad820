"""The `scheduler` console script, the composition root of the command line: the use-case
commands of `scheduler.cli` plus those that need the web app (`serve`, `quickstart`). It lives
at the top of the stack so that every import flows web -> scheduler -> (models, solver)."""
from scheduler.cli import main
from web.cli import quickstart, serve  # noqa: F401 - importing a command module registers it

__all__ = ["main"]
