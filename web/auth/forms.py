"""Forms of the auth blueprint."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from scheduler.auth.accounts import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=256)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change password"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Sign out"))


class CodeForm(FlaskForm):
    """The second step of signing in: a code from the authenticator app or a recovery code."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=64)],
                       description=_l("The 6 digits your authenticator app shows now, or one of your recovery codes."),
                       render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "none"})
    submit = SubmitField(_l("Continue"))


class EnrolForm(FlaskForm):
    code = StringField(_l("Code from the app"), validators=[DataRequired(), Length(max=16)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})
    submit = SubmitField(_l("Turn on"))


class SetupForm(FlaskForm):
    submit = SubmitField(_l("Set up the second factor"))


class RecoveryCodesForm(FlaskForm):
    code = StringField(_l("Code from the app"), validators=[DataRequired(), Length(max=16)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})
    submit = SubmitField(_l("New recovery codes"))


class DisableForm(FlaskForm):
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})
    code = StringField(_l("Code from the app"), validators=[DataRequired(), Length(max=16)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})
    submit = SubmitField(_l("Turn off"))


class LanguageForm(FlaskForm):
    """Save a language as the account's own (POST, with CSRF: a link never changes it)."""

    lang = HiddenField(validators=[DataRequired()])
    next = HiddenField()
