"""Forms of the demand blueprint. Fields only parse; `scheduler.demand.standing` checks the values,
so every problem is listed at once. Demand lines are edited inline: "Add a line" and each
line's "Remove" are submit buttons that redraw the form without saving (no JavaScript)."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations
from werkzeug.datastructures import MultiDict
from wtforms import (
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import Optional

from models.vocab import ROLES
from web.choices import choices
from web.labels import PERSON_ROLES, WEEKDAYS
from web.people.forms import CheckboxesField

LINE_KEY = re.compile(r"^lines-(\d+)-(.+)$")
PRIORITIES = [("5", _l("5 (highest)")), ("4", "4"), ("3", "3"), ("2", "2"), ("1", _l("1 (lowest)"))]


class LineForm(Form):
    class Meta:
        # A plain subform: borrow Flask-WTF's catalogue so WTForms' own messages follow the reader.
        def get_translations(self, form):
            return translations

    roles = CheckboxesField(_l("Roles (any one of)"), choices=choices((r, PERSON_ROLES[r]) for r in ROLES))
    count = IntegerField(_l("Number of people"), default=1, validators=[Optional()])
    skills = StringField(_l("Skills (all of)"), description=_l("Skills separated by commas (code, Chinese or English name); may be empty"),
                         validators=[Optional()])


def priority_field(default: str):
    return SelectField(_l("Priority"), choices=choices(PRIORITIES), default=default, validate_choice=False,
                       validators=[Optional()])


def lines_field():
    return FieldList(FormField(LineForm), min_entries=1)


class DemandForm(FlaskForm):
    """Shared by shifts and events; each declares its fields in the order shown, so the list
    of problems follows the page."""

    def __init__(self, sites, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.site.choices = choices([("", _l("Choose..."))] + [(str(s.id), s.name) for s in sites])


class TemplateForm(DemandForm):
    site = SelectField(_l("Window"), validate_choice=False, validators=[Optional()])
    name = StringField(_l("Shift name"), description=_l("E.g. Morning, legal aid window"), validators=[Optional()])
    weekday = SelectField(_l("Weekday"), choices=choices([("", "—")] + [(str(i), d) for i, d in enumerate(WEEKDAYS)]),
                          validate_choice=False, validators=[Optional()])
    start = TimeField(_l("From"), validators=[Optional()])
    end = TimeField(_l("To"), validators=[Optional()])
    priority = priority_field("3")
    valid_from = DateField(_l("First day"), description=_l("Empty: from now on"), validators=[Optional()])
    valid_to = DateField(_l("Last day"), description=_l("Empty: open-ended"), validators=[Optional()])
    lines = lines_field()
    add_line = SubmitField(_l("Add a line"))
    submit = SubmitField(_l("Save"))


class EventForm(DemandForm):
    site = SelectField(_l("Square"), validate_choice=False, validators=[Optional()])
    title = StringField(_l("Title"), validators=[Optional()])
    description = TextAreaField(_l("Description"), validators=[Optional()])
    start_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    end_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    priority = priority_field("4")
    lines = lines_field()
    add_line = SubmitField(_l("Add a line"))
    submit = SubmitField(_l("Save"))


class ButtonForm(FlaskForm):
    """Only the CSRF token: the object is in the URL."""


def without_line(formdata: MultiDict, index: int) -> MultiDict:
    """The posted form without line `index` (FieldList renumbers the lines that remain)."""
    out: MultiDict = MultiDict()
    for key, value in formdata.items(multi=True):
        match = LINE_KEY.match(key)
        if match is None or int(match.group(1)) != index:
            out.add(key, value)
    return out
