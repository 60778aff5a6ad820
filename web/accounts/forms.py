"""Forms of the accounts blueprint."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from models.vocab import ROLES
from scheduler.accounts.operations import STATES
from scheduler.auth.accounts import MIN_PASSWORD_LENGTH
from web.choices import choices
from web.labels import PERSON_ROLES, USER_ROLES

# Control characters (NUL among them, which PostgreSQL refuses in text) never reach a query.
CONTROLS = re.compile(r"[\x00-\x1f\x7f]")


def clean(value):
    return CONTROLS.sub("", value) if isinstance(value, str) else value


STATE_LABELS = {"active": _l("Active"), "invited": _l("Invited"), "locked": _l("Locked"),
                "deactivated": _l("Deactivated")}
USERNAME = [Optional(), Length(max=64), Regexp(r"^\S*$", message=_l("A username has no spaces."))]
MOBILE = [Optional(), Length(max=32), Regexp(r"^[0-9+\- ()]*$", message=_l("Digits, spaces, +, - and brackets only."))]
EMAIL = [Optional(), Length(max=254),
         Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter an email address like name@example.com."))]


def district_choices(districts, *, city: bool = False, blank=None) -> list:
    first = [("", blank)] if blank is not None else []
    if city:
        first.append(("city", _l("The whole city")))
    return choices(first + [(str(d.id), d.name) for d in districts])


class SearchForm(FlaskForm):
    """The list's filters: a GET form, no CSRF token in URLs."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), filters=[clean], validators=[Optional(), Length(max=64)])
    role = SelectField(_l("Role"), validators=[Optional()],
                       choices=choices([("", _l("All roles"))] + list(USER_ROLES.items())))
    state = SelectField(_l("Status"), validators=[Optional()],
                        choices=choices([("", _l("All"))] + [(s, STATE_LABELS[s]) for s in STATES]))
    district = SelectField(_l("District"), coerce=str, validators=[Optional()])

    def __init__(self, districts, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.district.choices = district_choices(districts, blank=_l("All districts"))


class FindForm(FlaskForm):
    class Meta:
        csrf = False

    ref = StringField(_l("Person or village ID"), filters=[clean], validators=[DataRequired(), Length(max=64)],
                      description=_l("The ID of a person (e.g. YZ-L0001) or a village (e.g. YZ-V0001)."))


class AccountForm(FlaskForm):
    username = StringField(_l("Username"), validators=USERNAME, filters=[clean],
                           description=_l("Empty: the ID in lower case."),
                           render_kw={"autocapitalize": "none"})
    display_name = StringField(_l("Name"), filters=[clean], validators=[Optional(), Length(max=64)])
    email = EmailField(_l("Email"), filters=[clean], validators=EMAIL)
    mobile = StringField(_l("Mobile"), filters=[clean], validators=MOBILE)
    submit = SubmitField(_l("Create and invite"))


class CoordinatorForm(AccountForm):
    username = StringField(_l("Username"), validators=[DataRequired()] + USERNAME[1:], filters=[clean],
                           render_kw={"autocapitalize": "none"})
    scope = SelectField(_l("Scope"), validators=[DataRequired()])

    def __init__(self, districts, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope.choices = district_choices(districts, city=True)


class BulkForm(FlaskForm):
    what = SelectField(_l("Accounts for"), validators=[DataRequired()], choices=choices([
        ("people", _l("Every active person without an account")),
        ("villages", _l("Every village without a representative account"))]))
    district = SelectField(_l("District"), coerce=str, validators=[DataRequired()])
    role = SelectField(_l("Role (people only)"), validators=[Optional()],
                       choices=choices([("", _l("All roles"))] + [(r, PERSON_ROLES[r]) for r in ROLES]))
    township = SelectField(_l("Township"), coerce=str, validators=[Optional()],
                           description=_l("People: those advising a village of the township."))
    submit = SubmitField(_l("Create the accounts and send the invitations"))

    def __init__(self, districts, townships, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.district.choices = district_choices(districts)
        self.township.choices = choices([("", _l("All townships"))] + [(str(t.id), t.name) for t in townships])


class ActionForm(FlaskForm):
    """Resend, unlock, deactivate, reactivate: only the CSRF token and a button."""

    submit = SubmitField()


class ScopeForm(FlaskForm):
    scope = SelectField(_l("Scope"), validators=[DataRequired()])
    submit = SubmitField(_l("Change scope"))

    def __init__(self, districts, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope.choices = district_choices(districts, city=True)


class SetPasswordForm(FlaskForm):
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=256)],
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
        render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Set password"))


class ForgotForm(FlaskForm):
    # Named `username` so the sign-in limit per account (web.auth.limits.account_key) counts it.
    username = StringField(_l("Username, email or mobile"), filters=[clean], validators=[DataRequired(), Length(max=254)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    submit = SubmitField(_l("Send me a link"))
