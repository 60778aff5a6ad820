"""Account refusals from `scheduler.auth.accounts`, in the reader's language."""
from __future__ import annotations

from flask_babel import gettext as _

from scheduler.auth.accounts import AccountError, LoginOutcome
from scheduler.auth.second_factor import SecondFactorError


def login_refusal(outcome: LoginOutcome) -> str:
    """One answer for an unknown name, a wrong password and an account that is backing off:
    nobody learns which names exist or which accounts are under attack."""
    if outcome.refusal == "inactive":
        return _("This account is deactivated. Please ask your coordinator.")
    return bad_credentials()


def bad_credentials() -> str:
    return _(
        "Wrong username or password, or too many recent attempts on this account. Check both and "
        "try again in a few minutes; on a device where you have signed in before you can go on at once."
    )


def wrong_code() -> str:
    return _("That code is not right, or it has been used already. Wait for the next code in your app, "
             "or use one of your recovery codes.")


WEAK_REASONS = {
    "common": lambda: _("it is one of the most common passwords, or close to one"),
    "personal": lambda: _("it is built on your username or name"),
    "keyboard": lambda: _("it follows a row or pattern of keys on the keyboard"),
    "repeat": lambda: _("it repeats characters or words"),
    "sequence": lambda: _("it is a run such as abcdef or 98765"),
    "date": lambda: _("it contains a date or a year"),
    "words": lambda: _("it is one or two common words or names"),
    "guessable": lambda: _("it is too short or simple overall"),
}


def second_factor_error(error: SecondFactorError) -> str:
    messages = {
        "wrong_code": wrong_code,
        "required": lambda: _("Coordinators must keep a second factor."),
        "not_enrolled": lambda: _("Set up the second factor first."),
    }
    return messages.get(error.code, lambda: str(error))()


def account_error(error: AccountError) -> str:
    messages = {
        "wrong_current_password": lambda: _("The current password is wrong."),
        "password_unchanged": lambda: _("The new password must differ from the current one."),
        "password_too_short": lambda: _(
            "The password must have at least %(count)d characters.", count=error.params.get("min_length", 0)
        ),
        "password_is_username": lambda: _("The password must not be the username."),
        "password_weak": lambda: _(
            "This password is too easy to guess: %(reason)s. A few unrelated words make a strong one.",
            reason=WEAK_REASONS.get(str(error.params.get("reason")), WEAK_REASONS["guessable"])(),
        ),
    }
    # Codes the web forms cannot cause fall back to the service's own English text.
    return messages.get(error.code, lambda: str(error))()
