"""Forms of the people blueprint."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, StopValidation

from models.vocab import ROLES
from scheduler.skills.vocabulary import split
from web.choices import choices
from web.labels import PERSON_ROLES


class SearchForm(FlaskForm):
    """The filters of the list; a GET form, so no CSRF token is needed or wanted in URLs."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=64)])
    district = SelectField(_l("District"), coerce=str, validators=[Optional()])
    role = SelectField(_l("Role"), validators=[Optional()])
    status = SelectField(
        _l("Status"),
        choices=choices([("active", _l("Active")), ("inactive", _l("Deactivated")), ("all", _l("All"))]),
        default="active",
        validators=[Optional()],
    )

    def __init__(self, districts, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.district.choices = choices([("", _l("All districts"))] + [(str(d.id), d.name) for d in districts])
        self.role.choices = choices([("", _l("All roles"))] + [(r, PERSON_ROLES[r]) for r in ROLES])


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def at_least_one(form, field) -> None:
    # Not DataRequired: its "required" flag would put `required` on every checkbox, and a
    # browser would then insist that all of them be ticked.
    if not field.data:
        raise StopValidation(_l("Choose at least one role."))


class PersonForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    phone = StringField(
        _l("Phone"),
        validators=[Optional(), Length(max=32), Regexp(r"^[0-9+\- ()]*$", message=_l("Digits, spaces, +, - and brackets only."))],
    )
    email = EmailField(_l("Email"), validators=[
        Optional(), Length(max=254),
        Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter an email address like name@example.com.")),
    ])
    badge_no = StringField(_l("Badge number"), description=_l("Worn on duty and shown on the public pages."),
                           validators=[Optional(), Length(max=32)])
    organisation = SelectField(_l("Organisation"), coerce=str, validators=[Optional()])
    roles = CheckboxesField(_l("Roles"), choices=choices((r, PERSON_ROLES[r]) for r in ROLES),
                            validators=[at_least_one])
    skills = StringField(
        _l("Skills"),
        description=_l("Separated by commas; a code, the Chinese or the English name, e.g. 婚姻家庭, Labour disputes, dialect_ningbo"),
        validators=[Optional(), Length(max=400)],
    )
    max_hours_week = DecimalField(_l("Maximum hours per week"), places=1,
                                  validators=[DataRequired(), NumberRange(min=0, max=80)])
    target_hours_week = DecimalField(_l("Target hours per week"), places=1,
                                     validators=[Optional(), NumberRange(min=0, max=80)])
    max_slots_per_day = IntegerField(_l("Maximum slots per day"), validators=[Optional(), NumberRange(min=0, max=10)])
    max_paired_sites = IntegerField(_l("Maximum paired villages"), validators=[Optional(), NumberRange(min=0, max=50)])
    submit = SubmitField(_l("Save"))

    def __init__(self, organisations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = choices([("", _l("None"))] + [(str(o.id), o.name) for o in organisations])

    def skill_list(self) -> list[str]:
        """The skills as typed: codes, Chinese or English names (`scheduler.skills.vocabulary`)."""
        return split(self.skills.data)


class ActiveForm(FlaskForm):
    """Deactivate or reactivate: only the CSRF token and a button."""

    submit = SubmitField()
