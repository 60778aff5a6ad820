"""`scheduler users ...`: accounts of the web app, for the first account and for scripts."""
from __future__ import annotations

import click

from models.vocab import USER_ROLES
from scheduler.auth import accounts, second_factor
from scheduler.cli.base import current_clock, main, open_migrated
from scheduler.ops import inventory


@main.group("users")
def users() -> None:
    """Manage accounts of the web app."""


@users.command("create")
@click.option("--role", type=click.Choice(USER_ROLES), required=True, help="Kind of account.")
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Asked for when left out, so it stays out of the shell history.")
@click.option("--district", "district_ref", help="Coordinator of this district (name or code).")
@click.option("--city", "city_wide", is_flag=True, help="City-wide coordinator.")
@click.option("--person", "person_ref", help="Provider: the person (external id or database id).")
@click.option("--village", "village_ref", help="Village representative: the village (external id or database id).")
@click.option("--display-name", help="Shown in the app; a provider's defaults to the person's name.")
@click.option("--locale", type=click.Choice(accounts.LOCALES), default="zh_Hans_CN", show_default=True)
def create(role: str, username: str, password: str, district_ref: str | None, city_wide: bool,
           person_ref: str | None, village_ref: str | None, display_name: str | None, locale: str) -> None:
    """Create an account linked to what it acts for."""
    if district_ref and city_wide:
        raise click.UsageError("Give either --district or --city, not both.")
    engine, factory = open_migrated()
    try:
        with factory() as session, session.begin():
            user = accounts.create_user(
                session,
                role=role,
                username=username,
                password=password,
                district=inventory.find_district(session, district_ref) if district_ref else None,
                city_wide=city_wide,
                person=accounts.find_person(session, person_ref) if person_ref else None,
                village=accounts.find_village(session, village_ref) if village_ref else None,
                display_name=display_name,
                locale=locale,
            )
            scope = _scope(user)
    except (accounts.AccountError, inventory.UnknownDistrict) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()
    click.echo(f"Created {role} {username!r} ({scope}).")


def _scope(user) -> str:
    if user.role == "coordinator":
        return "whole city" if user.city_wide else f"district {user.district.name}"
    if user.role == "provider":
        return f"person {user.person.external_id} {user.person.name}"
    return f"village {user.village.external_id} {user.village.name}"


@users.command("set-password")
@click.argument("username")
@click.option("--password", prompt="New password", hide_input=True, confirmation_prompt=True)
def set_password(username: str, password: str) -> None:
    """Reset a user's password (and lift any lock)."""
    _change(username, lambda s, u: accounts.reset_password(s, u, password))
    click.echo(f"Password of {username!r} changed.")


@users.command("unlock")
@click.argument("username")
def unlock(username: str) -> None:
    """Lift the lock set after too many wrong passwords."""
    _change(username, accounts.unlock)
    click.echo(f"{username!r} unlocked.")


@users.command("reset-second-factor")
@click.argument("username")
def reset_second_factor(username: str) -> None:
    """Remove a user's second factor and recovery codes (a lost phone); their sessions end.
    A coordinator sets up a new one at the next sign-in."""
    now = current_clock().now()

    def reset(session, user) -> None:
        second_factor.disable(session, user, now, by_admin=True)
        accounts.end_sessions(session, user)

    _change(username, reset)
    click.echo(f"Second factor of {username!r} removed.")


def _change(username: str, action) -> None:
    engine, factory = open_migrated()
    try:
        with factory() as session, session.begin():
            action(session, accounts.find_user(session, username))
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()
