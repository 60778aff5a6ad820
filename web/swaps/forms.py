"""Forms of swaps and declines."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional


class AskForm(FlaskForm):
    person = RadioField(_l("Colleague"), coerce=int, validators=[InputRequired(_l("Choose a colleague."))])
    note = StringField(_l("Message to your colleague"), validators=[Optional(), Length(max=256)],
                       description=_l("Optional, at most 256 characters."))


class RefuseForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=256)])


class RejectForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=256)])


class ActionForm(FlaskForm):
    """Only the CSRF token: what to do is in the URL."""
