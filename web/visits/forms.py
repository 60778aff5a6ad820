"""Forms after a visit. They render and carry the CSRF token; `scheduler.visits.operations` checks the
values, so every problem comes back at once."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField

from web.choices import choices

NUMBER = {"type": "number", "min": 0, "inputmode": "numeric"}


class OutcomeForm(FlaskForm):
    consultations = StringField(_l("Consultations"), render_kw=NUMBER)
    disputes_mediated = StringField(_l("Disputes mediated"), render_kw=NUMBER)
    opinions_written = StringField(_l("Legal opinions written"), render_kw=NUMBER)
    hours = StringField(_l("Hours served"), render_kw={"type": "number", "min": 0, "step": "0.25",
                                                       "inputmode": "decimal"})
    notes = TextAreaField(_l("Notes (optional)"), render_kw={"rows": 2, "maxlength": 2000})


class RatingForm(FlaskForm):
    score = RadioField(_l("Your score (5 is best)"), choices=choices([(str(i), str(i)) for i in range(1, 6)]),
                       validate_choice=False)
    comment = TextAreaField(_l("Comment (optional)"), render_kw={"rows": 2, "maxlength": 1000})
