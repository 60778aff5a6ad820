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
    start = TimeField(_l("From"), validators=[DataRequired()])
    end = TimeField(_l("To"), validators=[DataRequired()])
    kind = SelectField(_l("Kind"), choices=choices(RULE_KIND_LABELS))


class PeriodForm(FlaskForm):
    start = DateTimeLocalField(_l("From"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M")
    end = DateTimeLocalField(_l("To"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M")
    kind = SelectField(_l("Kind"), choices=choices(PERIOD_KIND_LABELS))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=256)])


class UploadForm(FlaskForm):
    calendar = FileField(_l("Calendar file (.ics)"), validators=[
        FileRequired(), FileAllowed(["ics"], _l("Choose an .ics calendar file."))])


class DeleteForm(FlaskForm):
    """Only the CSRF token: the row is in the URL."""
