"""Forms of the notices blueprint."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from web.choices import choices

CHANNEL_CHOICES = [("", _l("(none)")), ("wecom", _l("WeCom")), ("sms", _l("SMS")), ("email", _l("e-mail"))]


class PreferencesForm(FlaskForm):
    first = SelectField(_l("First"), validators=[Optional()])
    second = SelectField(_l("Then"), validators=[Optional()])
    third = SelectField(_l("Then"), validators=[Optional()])
    quiet_hours = BooleanField(_l("No SMS between 21:00 and 08:00 (changes for today or tomorrow still come)"))
    reminders = BooleanField(_l("Reminders the day before"))
    wecom_userid = StringField(_l("WeCom user ID"), validators=[Optional(), Length(max=64)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first", "second", "third"):
            self[name].choices = choices(CHANNEL_CHOICES)

    def channels(self) -> tuple[str, ...]:
        return tuple(c for c in (self.first.data, self.second.data, self.third.data) if c)

    def fill(self, owner) -> None:
        """Show what is stored (a GET): the chosen order, or empty for the default."""
        chosen = [c for c in (owner.notify_channels or "").split(",") if c]
        for name, value in zip(("first", "second", "third"), chosen + ["", "", ""]):
            self[name].data = value
        self.quiet_hours.data, self.reminders.data = owner.quiet_hours, owner.reminders
        if hasattr(owner, "wecom_userid"):
            self.wecom_userid.data = owner.wecom_userid
