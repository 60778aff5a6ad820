"""Forms of the coordinator's availability pages: the provider's own forms plus validity
dates and the week to return to."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField
from wtforms.validators import Optional

from web.mine.forms import PeriodForm as OwnPeriodForm
from web.mine.forms import RuleForm as OwnRuleForm


class RuleForm(OwnRuleForm):
    valid_from = DateField(_l("First day"), description=_l("Empty: from now on"), validators=[Optional()])
    valid_to = DateField(_l("Last day"), description=_l("Empty: open-ended"), validators=[Optional()])
    week = HiddenField()


class PeriodForm(OwnPeriodForm):
    week = HiddenField()


class RemoveForm(FlaskForm):
    week = HiddenField()
