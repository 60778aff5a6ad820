"""Account refusals from `scheduler.auth.accounts`, in the reader's language."""
from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime, gettext as _

from scheduler.auth.accounts import LOCK_MINUTES, MAX_FAILED_LOGINS, AccountError, LoginOutcome


def login_refusal(outcome: LoginOutcome) -> str:
    if outcome.refusal == "locked":
        return locked_message(outcome.locked_until)
    if outcome.refusal == "inactive":
        return _("This account is deactivated. Please ask your coordinator.")
    return _(
        "Wrong username or password. After %(count)d wrong attempts in a row the account is "
        "locked for %(minutes)d minutes.",
        count=MAX_FAILED_LOGINS,
        minutes=LOCK_MINUTES,
    )


def locked_message(until: datetime | None) -> str:
    return _(
        "Too many wrong passwords: this account is locked until %(time)s. Please try again "
        "then, or ask your coordinator to unlock it.",
        time=format_datetime(until, "short") if until else "",
    )


def account_error(error: AccountError) -> str:
    messages = {
        "wrong_current_password": lambda: _("The current password is wrong."),
        "password_unchanged": lambda: _("The new password must differ from the current one."),
        "password_too_short": lambda: _(
            "The password must have at least %(count)d characters.", count=error.params.get("min_length", 0)
        ),
        "password_is_username": lambda: _("The password must not be the username."),
    }
    # Codes the web forms cannot cause fall back to the service's own English text.
    return messages.get(error.code, lambda: str(error))()
