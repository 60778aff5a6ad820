"""Forms of the sites blueprint."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from models.vocab import SITE_KINDS
from web.choices import choices
from web.labels import SITE_KINDS as SITE_KIND_LABELS


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
