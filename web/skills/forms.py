"""Forms of the skills blueprint: lengths only; `scheduler.skills.admin` checks the rest,
so every problem is listed at once."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import Length, Optional


class RenameForm(FlaskForm):
    name_zh = StringField(_l("Chinese name"), description=_l("e.g. 婚姻家庭"), validators=[Optional(), Length(max=64)])
    name_en = StringField(_l("English name"), description=_l("e.g. Marriage and family"),
                          validators=[Optional(), Length(max=64)])
    submit = SubmitField(_l("Save"))


class SkillForm(RenameForm):
    code = StringField(_l("Code"), description=_l("Lower-case letters, digits and _, at most 32; never changes, "
                                                  "e.g. family"),
                       validators=[Optional(), Length(max=32)])
    submit = SubmitField(_l("Add skill"))
