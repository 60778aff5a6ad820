"""Forms of the transfer blueprint."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from web.choices import choices

KIND_LABELS = {
    "people": _l("People"),
    "sites": _l("Sites"),
    "availability": _l("Weekly availability"),
    "pairings": _l("Standing pairings"),
}
FORMATS = choices([("xlsx", _l("Excel (.xlsx)")), ("csv", _l("CSV"))])


def _districts(field, districts, blank=None) -> None:
    field.choices = choices(([("", blank)] if blank else []) + [(str(d.id), d.name) for d in districts])


class UploadForm(FlaskForm):
    file = FileField(_l("File"), validators=[
        FileRequired(_l("Choose a file.")),
        FileAllowed(["xlsx", "xlsm", "csv", "txt", "xls"], _l("Upload an .xlsx or .csv file."))])
    kind = SelectField(_l("What the file holds"), validators=[Optional()])
    district = SelectField(_l("District"), coerce=str, validators=[Optional()])
    submit = SubmitField(_l("Check the file"))

    def __init__(self, districts, city_wide: bool, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices([("", _l("Recognise from the headings"))] + list(KIND_LABELS.items()))
        _districts(self.district, districts, _l("As each row says") if city_wide else None)


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Import"))


class WeekExportForm(FlaskForm):
    """Posted with its CSRF token: full phone numbers are audited, so never by a GET."""

    district = SelectField(_l("District"), coerce=str, validators=[DataRequired()])
    week = DateField(_l("Week (any day in it)"), validators=[DataRequired()])
    format = SelectField(_l("Format"), choices=FORMATS, default="xlsx")
    full_phones = BooleanField(_l("Full phone numbers (recorded in the audit log)"))
    submit = SubmitField(_l("Download"))

    def __init__(self, districts, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _districts(self.district, districts)


class FindForm(FlaskForm):
    """Open a record, roster or poster by the id coordinators know (YZ-L0001)."""

    class Meta:
        csrf = False

    what = SelectField(_l("What"), choices=choices([
        ("person_record", _l("Service record of a person")),
        ("village_record", _l("Service record of a village")),
        ("roster", _l("Window roster")),
        ("poster", _l("Village poster")),
    ]))
    ref = StringField(_l("Id"), validators=[DataRequired(), Length(max=64)],
                      description=_l("The person's or site's id, e.g. YZ-V0001"))
    week = DateField(_l("Week (rosters)"), validators=[Optional()])
    submit = SubmitField(_l("Look up"))


class DistrictPrintForm(FlaskForm):
    class Meta:
        csrf = False

    district = SelectField(_l("District"), coerce=str, validators=[DataRequired()])
    week = DateField(_l("Week (rosters)"), validators=[Optional()])
    submit_rosters = SubmitField(_l("All window rosters (PDF)"))
    submit_posters = SubmitField(_l("All village posters (PDF)"))

    def __init__(self, districts, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _districts(self.district, districts)


class PosterLinkForm(FlaskForm):
    """Print the poster with a QR code of a new calendar link (the old link stops working)."""

    full_phones = BooleanField(_l("Full mobile number (recorded in the audit log)"))
    as_pdf = SubmitField(_l("New link, as PDF"))
    as_page = SubmitField(_l("New link, as a page"))
