"""Forms of the advisers pages; the per-village fixes of a re-proposal are read from the
request by `fixes_from`, since their number depends on the proposal."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SubmitField
from wtforms.validators import InputRequired


class ProposeForm(FlaskForm):
    submit = SubmitField(_l("Propose a new pairing"))


class ReproposeForm(FlaskForm):
    submit = SubmitField(_l("Propose again with these pairs fixed"))


class ApproveForm(FlaskForm):
    effective_from = DateField(_l("New pairs start on"), validators=[InputRequired()])
    submit = SubmitField(_l("Approve"))


class DiscardForm(FlaskForm):
    submit = SubmitField(_l("Discard"))


FIX_PREFIX = "fix-"


def fixes_from(form_data, items) -> dict[int, int]:
    """Site id -> person id for every row the coordinator fixed: "current" keeps the present
    adviser, "proposed" the one this proposal suggests; anything else leaves it to the solver."""
    fixed: dict[int, int] = {}
    for item in items:
        choice = form_data.get(f"{FIX_PREFIX}{item.site_id}", "")
        person = {"current": item.current_person_id, "proposed": item.person_id}.get(choice)
        if person is not None:
            fixed[item.site_id] = person
    return fixed
