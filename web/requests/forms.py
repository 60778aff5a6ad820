"""Forms of the request pages. They only render and carry the CSRF token: `scheduler.requests.intake`
checks what was typed, so every problem comes back together, in one answer."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, RadioField, SelectField, StringField, TextAreaField

from web.choices import choices
from web.ids import coerce_id
from web.week.labels import REQUEST_KINDS, URGENCIES

WINDOW_ROWS = 3
CHANNELS = [("phone", _l("By phone")), ("in_person", _l("In person"))]


class WindowForm(Form):
    day = StringField(_l("Date"), render_kw={"type": "date"})
    start = StringField(_l("From"), render_kw={"type": "time", "step": 900})
    end = StringField(_l("To"), render_kw={"type": "time", "step": 900})


class RequestForm(FlaskForm):
    village = SelectField(_l("Village (community)"), validate_choice=False)
    channel = RadioField(_l("How the request came in"), choices=choices(CHANNELS), validate_choice=False)
    topic = StringField(_l("What is it about?"), render_kw={"maxlength": 200},
                        description=_l("A short subject, e.g. “land contract dispute”. No names or ID numbers."))
    kind = RadioField(_l("Kind of help"), choices=choices(REQUEST_KINDS.items()), validate_choice=False)
    people_count = StringField(_l("How many people does it concern?"),
                               render_kw={"type": "number", "min": 1, "inputmode": "numeric"})
    urgency = RadioField(_l("Urgency"), choices=choices(URGENCIES.items()), default="normal", validate_choice=False)
    details = TextAreaField(_l("Details (optional)"), render_kw={"rows": 4, "maxlength": 2000})
    windows = FieldList(FormField(WindowForm), min_entries=WINDOW_ROWS, max_entries=WINDOW_ROWS)


class HandoverForm(FlaskForm):
    to_user = SelectField(_l("Hand over to"), coerce=coerce_id, validate_choice=False)
    reason = StringField(_l("Why"), render_kw={"maxlength": 256})


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), render_kw={"maxlength": 256})
    not_ours = BooleanField(_l("Not ours: show the village the other departments to go to"))


class ActionForm(FlaskForm):
    """Only the CSRF token: the request is in the URL."""
