"""`scheduler feed-url`: the secret calendar feed URL of a person, village or site."""
from __future__ import annotations

import click

from models.feed import FEED_SUBJECTS
from scheduler.cli.base import current_clock, current_settings, main, open_migrated


@main.command("feed-url")
@click.argument("kind", type=click.Choice(FEED_SUBJECTS))
@click.argument("external_id")
@click.option("--reset", is_flag=True,
              help="Replace the feed's URL with a new one; the old URL stops working at once.")
def feed_url(kind: str, external_id: str, reset: bool) -> None:
    """Print the calendar feed URL of a person, village or site (by external id).

    A feed without a URL gets one. Only a hash of each URL's secret is stored, so an existing
    URL cannot be printed again: --reset issues a new one. The host comes from
    SCHEDULER_BASE_URL (default http://127.0.0.1:5000).
    """
    from scheduler.feeds.tokens import FeedError, TokenExists, find_subject, issue_token
    from scheduler.feeds.urls import feed_urls, public_base_url

    settings = current_settings()
    base = public_base_url(settings.base_url)
    _, factory = open_migrated()
    with factory.begin() as session:
        try:
            subject = find_subject(session, kind, external_id)
            token = issue_token(session, kind, subject.id, reset=reset, now=current_clock().now(),
                                domain=settings.feed_domain)
        except FeedError as exc:
            raise click.ClickException(str(exc)) from exc
        except TokenExists as exc:
            raise click.ClickException(
                f"{kind} {external_id} already has a feed URL. Only its hash is stored, so it cannot be "
                f"shown again; run `scheduler feed-url {kind} {external_id} --reset` for a new one "
                "(the old URL stops working at once)."
            ) from exc
    urls = feed_urls(base, token)
    click.echo(urls.https)
    click.echo(f"webcal: {urls.webcal}", err=True)
    if reset:
        click.echo("The previous URL no longer works.", err=True)
