"""Import problems (codes from `scheduler.transfer.imports`) in the reader's language."""
from __future__ import annotations

from flask_babel import gettext as _

from scheduler.transfer.imports import CellError
from web.labels import site_kind


def _messages() -> dict:
    return {
        "unreadable": lambda p: _("Cannot read the file: upload an .xlsx or .csv file."),
        "old_excel": lambda p: _("This is an old .xls file: save it as .xlsx in Excel and upload that."),
        "bad_encoding": lambda p: _("The CSV file's encoding is unknown: save it as UTF-8."),
        "empty": lambda p: _("The file has no data rows."),
        "too_many_rows": lambda p: _("Too many rows: a file holds at most %(limit)s (reading stopped here).", **p),
        "too_many_columns": lambda p: _("Column %(column)s is out of range: a row has at most %(limit)s columns (up "
                                        "to %(last)s); delete what lies further right.", **p),
        "line_too_long": lambda p: _("Line %(row)s is too long (more than %(limit)s characters).", **p),
        "too_large": lambda p: _("The file is too large: at most %(limit)s MB.", **p),
        "too_many_parts": lambda p: _("The file holds too many parts (more than %(limit)s) for an Excel workbook.",
                                      **p),
        "unpacked_too_large": lambda p: _("The file is too large once unpacked (more than %(limit)s MB): remove "
                                          "sheets or formatting you do not need.", **p),
        "zip_bomb": lambda p: _("The file is packed more than %(ratio)s times tighter than a workbook ever is: "
                                "refused as a possible zip bomb.", **p),
        "xml_entities": lambda p: _("The file declares XML entities or a document type (DOCTYPE), which are refused "
                                    "for safety: save it again as .xlsx in Excel.", **p),
        "unknown_kind": lambda p: _("Cannot tell what the file holds: choose the kind."),
        "unknown_column": lambda p: _("Unknown column heading \"%(header)s\".", **p),
        "duplicate_column": lambda p: _("The column heading \"%(header)s\" appears twice.", **p),
        "missing_column": lambda p: _("The required column \"%(column)s\" is missing.", **p),
        "required": lambda p: _("Required: must not be empty."),
        "too_long": lambda p: _("Too long: at most %(max)s characters.", **p),
        "not_a_number": lambda p: _("Not a number: \"%(value)s\".", **p),
        "not_an_integer": lambda p: _("Not a whole number: \"%(value)s\".", **p),
        "out_of_range": lambda p: _("Must be between %(min)s and %(max)s: \"%(value)s\".", **p),
        "bad_phone": lambda p: _("A phone number holds digits, spaces, +, - and brackets only: \"%(value)s\".", **p),
        "bad_email": lambda p: _("Not an email address: \"%(value)s\".", **p),
        "bad_id": lambda p: _("An id must not contain spaces: \"%(value)s\".", **p),
        "unknown_role": lambda p: _("Unknown role \"%(value)s\"; use one of: %(choices)s.", **p),
        "unknown_skill": lambda p: _("Unknown skill \"%(value)s\": write a skill's code, Chinese or English name, "
                                     "or add it on the skills page first.", **p),
        "bad_choice": lambda p: _("\"%(value)s\" is not one of: %(choices)s.", **p),
        "bad_weekday": lambda p: _("Not a weekday: \"%(value)s\" (write Mon to Sun, or 1 to 7).", **p),
        "bad_time": lambda p: _("Not a time of day: \"%(value)s\" (write 09:00).", **p),
        "bad_date": lambda p: _("Not a date: \"%(value)s\" (write 2026-03-02).", **p),
        "duplicate_id": lambda p: _("The id \"%(value)s\" already appears in row %(first_row)s.", **p),
        "duplicate_row": lambda p: _("The same as row %(first_row)s.", **p),
        "unknown_district": lambda p: _("No district named \"%(value)s\".", **p),
        "other_district": lambda p: _("\"%(value)s\" is not the district of this import.", **p),
        "id_in_other_district": lambda p: _("The id \"%(value)s\" belongs to another district.", **p),
        "unknown_township": lambda p: _("No township \"%(value)s\" in this district.", **p),
        "unknown_organisation": lambda p: _("No organisation named or numbered \"%(value)s\" in this district.", **p),
        "unknown_person": lambda p: _("No person with the id \"%(value)s\" in this district.", **p),
        "unknown_village": lambda p: _("No village with the id \"%(value)s\" in this district.", **p),
        "not_a_village": lambda p: _("\"%(value)s\" is not a village but a %(kind)s.", **p),
        "kind_changed": lambda p: _("The site \"%(value)s\" is a %(old)s; an import cannot make it a %(new)s.", **p),
        "end_before_start": lambda p: _("The end must come after the start."),
        "valid_to_before_from": lambda p: _("\"Valid until\" must not come before \"valid from\"."),
        "overlap": lambda p: _("Overlaps the time in row %(other_row)s.", **p),
        "target_above_max": lambda p: _("The target hours exceed the weekly maximum (%(max)s).", **p),
        "rhythm_incomplete": lambda p: _("A visit rhythm needs all of: %(columns)s.", **p),
        "inactive_person": lambda p: _("\"%(value)s\" is deactivated and cannot be paired.", **p),
        "not_a_lawyer": lambda p: _("\"%(value)s\" is not a lawyer and cannot advise a village.", **p),
        "person_other_district": lambda p: _("\"%(value)s\" works in another district than the village.", **p),
        "excluded_site": lambda p: _("\"%(value)s\" has a conflict of interest with this village (%(reason)s).",
                                     **p),
        "too_many_villages": lambda p: _(
            "\"%(value)s\" advises at most %(max)s villages; this import would make %(count)s.", **p),
        "before_current": lambda p: _("The start date is before the current adviser's (%(current)s).", **p),
    }


def import_error(error: CellError) -> str:
    params = {k: str(v) for k, v in error.params.items()}
    # Site kinds travel as codes too, so they read in the reader's language.
    for name in ("kind", "old", "new"):
        if f"{name}_code" in error.params:
            params[name] = site_kind(error.params[f"{name}_code"])
    message = _messages().get(error.code)
    if message is None:
        return error.code
    try:
        return message(params)
    except KeyError:
        return error.code
