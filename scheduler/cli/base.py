"""The root command group, kept apart so command modules can import it without cycles."""
from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="legal-service-scheduler")
def main() -> None:
    """Public legal service scheduler: solve rosters, run the week, publish calendars."""
