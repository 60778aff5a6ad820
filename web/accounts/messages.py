"""Refusals of `scheduler.accounts`, in the reader's language."""
from __future__ import annotations

from flask_babel import gettext as _

from scheduler.accounts.invitations import TokenError
from scheduler.auth.accounts import AccountError
from web.auth.messages import account_error as password_error


def account_error(error: AccountError) -> str:
    params = error.params
    messages = {
        "username_taken": lambda: _("The username %(name)s is taken.", name=params.get("username", "")),
        "usernames_taken": lambda: _(
            "Nothing was created: %(count)d usernames are taken already (%(names)s). Rename those accounts "
            "or create the others one by one.", count=params.get("count", 0), names=params.get("usernames", "")),
        "bad_username": lambda: _("A username has 1 to 64 characters and no spaces."),
        "person_linked": lambda: _("This person has an account already (%(name)s).",
                                   name=params.get("username", "")),
        "person_inactive": lambda: _("This person is deactivated."),
        "not_a_village": lambda: _("This site is not a village."),
        "already_set_up": lambda: _("This account has set its password already: nothing to resend."),
        "account_inactive": lambda: _("This account is deactivated."),
        "own_account": lambda: _("You cannot change your own account here."),
        "not_a_coordinator": lambda: _("Only a coordinator account has a scope."),
        "unknown_district": lambda: _("No such district."),
    }
    return messages.get(error.code, lambda: password_error(error))()


def link_refusal(error: TokenError) -> str:
    messages = {
        "used": lambda: _("This link has been used already: each link works once. Sign in with your password, "
                          "or ask for a new link."),
        "expired": lambda: _("This link has expired or has been replaced by a newer one. Ask your coordinator "
                             "for a new invitation, or ask for a new password link."),
        "inactive": lambda: _("This account is deactivated. Please ask your coordinator."),
    }
    return messages.get(error.code, lambda: _("This link is not valid. Check that it was copied whole."))()


def channel_name(channel: str | None) -> str:
    return {"email": _("by email"), "sms": _("by SMS")}.get(channel or "", _("not sent: no email or mobile"))
