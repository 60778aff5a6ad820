"""Forms of the sites blueprint."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, FloatField, IntegerField, SelectField, StringField, SubmitField, TimeField
from wtforms.validators import Length, Optional

from models.vocab import SITE_KINDS
from web.choices import choices
from web.labels import SITE_KINDS as SITE_KIND_LABELS
from web.labels import WEEKDAYS


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=64)])
    district = SelectField(_l("District"), validators=[Optional()])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    status = SelectField(
        _l("Status"),
        choices=choices([("active", _l("Active")), ("inactive", _l("Deactivated")), ("all", _l("All"))]),
        default="active",
        validators=[Optional()],
    )

    def __init__(self, districts, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.district.choices = choices([("", _l("All districts"))] + [(str(d.id), d.name) for d in districts])
        self.kind.choices = choices([("", _l("All kinds"))] + [(k, SITE_KIND_LABELS[k]) for k in SITE_KINDS])


class SiteForm(FlaskForm):
    """A site's values. Only range and type errors are checked here; `scheduler.sites.admin`
    checks the rest, so every problem is listed at once."""

    external_id = StringField(_l("Site ID"), description=_l("Unique, without spaces, e.g. YZ-V0301"),
                              validators=[Optional(), Length(max=64)])
    # The choices are not checked here: `scheduler.sites.admin` words every refusal.
    kind = SelectField(_l("Kind"), validate_choice=False, validators=[Optional()])
    name = StringField(_l("Site name"), validators=[Optional()])
    township = SelectField(_l("Township (street)"), validate_choice=False, validators=[Optional()])
    address = StringField(_l("Address"), validators=[Optional()])
    phone = StringField(_l("Phone"), validators=[Optional()])
    lat = FloatField(_l("Latitude"), description=_l("From -90 to 90, e.g. 29.82"), validators=[Optional()])
    lon = FloatField(_l("Longitude"), description=_l("From -180 to 180, e.g. 121.55"), validators=[Optional()])
    needs = StringField(_l("Adviser should know"),
                        description=_l("Skills separated by commas (code, Chinese or English name), e.g. 土地纠纷, family"), validators=[Optional()])
    active = BooleanField(_l("Active (scheduled)"), default=True)
    visit_every_weeks = IntegerField(_l("Visit every (weeks)"), validators=[Optional()])
    visit_anchor = DateField(_l("Counting from the week of"),
                             description=_l("Any day of the week the rhythm counts from; empty: this week"),
                             validators=[Optional()])
    visit_weekday = SelectField(_l("Visit weekday"), validate_choice=False, validators=[Optional()])
    visit_start = TimeField(_l("Visit starts at"), validators=[Optional()])
    visit_minutes = IntegerField(_l("Visit length (minutes)"), validators=[Optional()])
    submit = SubmitField(_l("Save"))

    def __init__(self, townships, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.township.choices = choices([("", _l("None"))] + [(str(t.id), t.name) for t in townships])
        self.kind.choices = choices([("", _l("Choose..."))] + [(k, SITE_KIND_LABELS[k]) for k in SITE_KINDS])
        self.visit_weekday.choices = choices([("", "—")] + [(str(i), d) for i, d in enumerate(WEEKDAYS)])


class ExclusionForm(FlaskForm):
    person = StringField(_l("Person (ID or full name)"), validators=[Optional()])
    reason = StringField(_l("Reason"), description=_l("E.g. a relative lives in the village; counsel for a party"),
                         validators=[Optional()])
    submit = SubmitField(_l("Record"))


class ButtonForm(FlaskForm):
    """Only the CSRF token: the row is in the URL."""
