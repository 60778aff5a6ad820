"""Forms of the provider's own corner."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateTimeLocalField, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from web.choices import choices
from web.labels import WEEKDAYS

RULE_KIND_LABELS = [("available", _l("Available")), ("undesired", _l("Possible, but rather not"))]
PERIOD_KIND_LABELS = [("unavailable", _l("Unavailable")), ("available", _l("Available")),
                      ("undesired", _l("Possible, but rather not"))]


class DeclineForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=256)])


class RuleForm(FlaskForm):
    weekday = SelectField(_l("Weekday"), coerce=int, choices=choices([(i, d) for i, d in enumerate(WEEKDAYS)]))
    # Ids of their own: the period form on the same page has fields of the same names.
    start = TimeField(_l("From"), validators=[DataRequired()], id="rule-start")
    end = TimeField(_l("To"), validators=[DataRequired()], id="rule-end")
    kind = SelectField(_l("Kind"), choices=choices(RULE_KIND_LABELS), id="rule-kind")


class PeriodForm(FlaskForm):
    start = DateTimeLocalField(_l("From"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M", id="period-start")
    end = DateTimeLocalField(_l("To"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M", id="period-end")
    kind = SelectField(_l("Kind"), choices=choices(PERIOD_KIND_LABELS), id="period-kind")
    note = StringField(_l("Note"), validators=[Optional(), Length(max=256)])


class UploadForm(FlaskForm):
    calendar = FileField(_l("Calendar file (.ics)"), validators=[
        FileRequired(), FileAllowed(["ics"], _l("Choose an .ics calendar file."))])


class DeleteForm(FlaskForm):
    """Only the CSRF token: the row is in the URL."""
