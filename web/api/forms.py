"""Forms of the API token pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from scheduler.api import tokens
from web.choices import choices

SCOPE_LABELS = [("read", _l("Read")), ("write", _l("Change (write)"))]


class TokenForm(FlaskForm):
    name = StringField(_l("Name (to recognise it by)"), validators=[DataRequired(), Length(max=tokens.NAME_MAX)])
    scopes = SelectMultipleField(_l("May"), choices=choices(SCOPE_LABELS), default=["read"],
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                 validators=[DataRequired(message=_l("Choose at least one."))])
    days = IntegerField(_l("Days until it expires"), default=tokens.DEFAULT_DAYS,
                        validators=[DataRequired(), NumberRange(min=1, max=tokens.MAX_DAYS)])
    submit = SubmitField(_l("Make token"))


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))
