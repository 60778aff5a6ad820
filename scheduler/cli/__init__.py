"""The use-case commands of the `scheduler` command line. Each module below adds its commands
to `main`; the console script itself is `web.cli:main`, which adds the commands that need the
web app (serve, quickstart) on top, so that no module here imports `web`."""
from scheduler.cli import (  # noqa: F401 - importing a command module registers its commands
    advisers,
    api_tokens,
    data_ops,
    db,
    demo,
    excel,
    feeds,
    notices,
    ops,
    pair,
    solve,
    suggest,
    users,
    week,
)
from scheduler.cli.base import main

__all__ = ["main"]
