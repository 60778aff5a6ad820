"""Forms of the week blueprint. Every form that changes the draft carries the draft's
`lock_version` as the page showed it, so a write based on a stale page is refused."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import HiddenInput

from web.choices import choices
from web.ids import MAX_ID as ROW_ID_MAX
from web.week.labels import SLOT_KINDS


class WeekFilterForm(FlaskForm):
    """The grid's filters; a GET form, so no CSRF token in the URL."""

    class Meta:
        csrf = False

    view = SelectField(_l("Show"), choices=choices([("draft", _l("Draft")), ("published", _l("Published"))]),
                       default="draft", validators=[Optional()])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    township = SelectField(_l("Township (street)"), validators=[Optional()])

    def __init__(self, townships, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices([("", _l("All kinds"))] + list(SLOT_KINDS.items()))
        self.township.choices = choices([("", _l("All townships"))] + [(str(t.id), t.name) for t in townships])


class SolveForm(FlaskForm):
    submit = SubmitField(_l("Solve"))


class CancelForm(FlaskForm):
    submit = SubmitField(_l("Cancel the solve"))


class DraftForm(FlaskForm):
    """Publish, lock, unlock or take off: the draft's version is all they carry."""

    lock_version = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=1)])
    # The page to return to (a path on this site; anything else is ignored).
    next = HiddenField()


class AssignForm(DraftForm):
    # Any id of a row is taken, not only the ones the page listed: the ranking may have moved
    # since the page was drawn, and the hard-rule check of the edit is what decides.
    person = RadioField(_l("Person"), coerce=int, validate_choice=False,
                        validators=[InputRequired(_l("Choose a person.")), NumberRange(min=1, max=ROW_ID_MAX)])
    submit = SubmitField(_l("Assign"))

    def __init__(self, candidates, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.person.choices = choices((c.person.id, c.person.name) for c in candidates)


class RepairForm(DraftForm):
    """A suggested repair: `person` leaves (`from_slot`, `from_line`) for the place and
    `replacement` takes theirs."""

    person = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=ROW_ID_MAX)])
    from_slot = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=ROW_ID_MAX)])
    from_line = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=0, max=99)])
    replacement = IntegerField(widget=HiddenInput(),
                               validators=[InputRequired(), NumberRange(min=1, max=ROW_ID_MAX)])
    submit = SubmitField(_l("Apply this repair"))
