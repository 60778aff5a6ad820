"""`scheduler api-token ...`: personal access tokens of the JSON API, for operators and scripts
(users make their own in the app, under "API tokens")."""
from __future__ import annotations

import click

from models.api_token import API_SCOPES
from scheduler.api import tokens
from scheduler.cli.base import current_clock, main, open_migrated


@main.group("api-token")
def api_token() -> None:
    """Personal access tokens of the JSON API (/api/v1)."""


@api_token.command("create")
@click.argument("username")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(API_SCOPES), default=("read",),
              show_default=True, help="What the token may do: read (GET), write (changes). Repeat for both.")
@click.option("--days", type=click.IntRange(1, tokens.MAX_DAYS), default=tokens.DEFAULT_DAYS, show_default=True,
              help="Days until it expires.")
@click.option("--name", default="command line", show_default=True, help="A label to recognise it by.")
def create(username: str, scopes: tuple[str, ...], days: int, name: str) -> None:
    """Make a token for USERNAME and print it once: only its hash is kept."""
    engine, factory = open_migrated()
    try:
        with factory() as session, session.begin():
            owner = tokens.find_user(session, username)
            made = tokens.create(session, None, owner, name=name, scopes=list(scopes), days=days,
                                 now=current_clock().now())
            secret, expires, ident = made.secret, made.token.expires_at, made.token.id
    except (LookupError, tokens.TokenRefused) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()
    click.echo(secret)
    click.echo(f"Token {ident} for {username!r}, scopes {', '.join(scopes)}, expires {expires:%Y-%m-%d %H:%M} UTC. "
               "It is shown only now.", err=True)


@api_token.command("list")
@click.argument("username")
def list_tokens(username: str) -> None:
    """The tokens of USERNAME (never the secrets)."""
    engine, factory = open_migrated()
    try:
        with factory() as session:
            rows = tokens.tokens_of(session, tokens.find_user(session, username))
            for row in rows:
                state = "revoked" if row.revoked_at else ("expired" if row.expires_at <= current_clock().now()
                                                         else "live")
                click.echo(f"{row.id}\t{row.prefix}…\t{row.name}\t{','.join(row.scopes)}\t"
                           f"{row.expires_at:%Y-%m-%d}\t{state}")
    except LookupError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()


@api_token.command("revoke")
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    """End the token TOKEN_ID at once."""
    engine, factory = open_migrated()
    try:
        with factory() as session, session.begin():
            tokens.revoke(session, None, token_id, current_clock().now())
    except LookupError as exc:
        raise click.ClickException(f"No token {token_id}.") from exc
    finally:
        engine.dispose()
    click.echo(f"Token {token_id} revoked.")
