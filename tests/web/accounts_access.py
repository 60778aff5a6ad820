"""URL arguments of the account endpoints for the route x role table (`tests/web/route_table.py`)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import object_session

from models import Notification
from scheduler.accounts import invitations, operations
from tests.factories import Factory
from tests.web.conftest import NOW


def provider_a(world) -> dict:
    """The provider account of district A (not invited: a resend is refused with a message)."""
    return {"user_id": world.users["provider"].id}


def coord_a(world) -> dict:
    return {"user_id": world.users["coord_a"].id}


def village_a(world) -> dict:
    return {"village_id": world.village_a.id}


def _link_token(world, kind: str, marker: str) -> dict:
    body = object_session(world.person_a).scalars(
        select(Notification.body).where(Notification.kind == kind).order_by(Notification.id.desc())).first()
    return {"token": body.split(marker, 1)[1].split()[0]}


def invitation_link(world) -> dict:
    """A live invitation link of a new provider account of district A (by e-mail)."""
    session = object_session(world.person_a)
    person = Factory(session).person(world.district_a, email="invitee@example.com")
    user = operations.create_person_account(session, world.users["coord_a"], person.id)
    invitations.send_invitation(session, None, user, NOW, "http://localhost")
    return _link_token(world, "invitation", "/invitation/")


def reset_link(world) -> dict:
    """A live password-reset link of the provider of district A (by its verified e-mail)."""
    world.users["provider"].email = world.users["provider"].verified_email = "provider-a@example.com"
    invitations.request_reset(object_session(world.person_a), "provider-a@example.com", NOW, "http://localhost")
    return _link_token(world, "password_reset", "/password/reset/")
