"""Problems found by `scheduler.core.checking`, worded in the reader's language and attached to
the form fields they concern, next to WTForms' own parsing errors, so a page lists every
problem at once (一次性告知制)."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from flask_babel import gettext as _
from wtforms import Field, FieldList, Form, FormField

from scheduler.core.checking import FieldProblem
from scheduler.skills.vocabulary import split
from web.labels import site_kind

LINE_FIELD = re.compile(r"^lines-(\d+)-")


def problem_text(p: FieldProblem) -> str:
    a = dict(p.params)
    messages = {
        "required": lambda: _("This is required."),
        "too_long": lambda: _("At most %(max)s characters.", max=a.get("max")),
        "out_of_range": lambda: _("Enter a value from %(min)s to %(max)s.", min=a.get("min"), max=a.get("max")),
        "bad_phone": lambda: _("Digits, spaces, +, - and brackets only."),
        "unknown_skills": lambda: _("Unknown skills: %(skills)s. Write a skill's code, Chinese or English name, "
                                    "or add it on the skills page first.", skills=a.get("skills")),
        "skill_code_format": lambda: _("A code holds lower-case letters, digits and _ only, at most 32."),
        "skill_code_taken": lambda: _("The code %(value)s is already a skill.", value=a.get("value")),
        "skill_name_taken": lambda: _("“%(value)s” already names the skill %(code)s.", value=a.get("value"),
                                      code=a.get("skill")),
        "id_spaces": lambda: _("An ID has no spaces."),
        "id_taken": lambda: _("The ID %(value)s is already used by another site.", value=a.get("value")),
        "foreign_township": lambda: _("Choose a township of this site's district."),
        "rhythm_only_villages": lambda: _("Only villages have a regular visit: leave the visit fields empty."),
        "rhythm_incomplete": lambda: _("A regular visit needs how often, the weekday, the start time and the "
                                       "duration."),
        "visit_past_midnight": lambda: _("The visit must end by midnight."),
        "person_not_found": lambda: _("No one in this district has the ID or name %(value)s.", value=a.get("value")),
        "person_ambiguous": lambda: _("More than one person is called %(value)s; give the ID (%(ids)s).",
                                      value=a.get("value"), ids=a.get("ids")),
        "priority_range": lambda: _("Choose a priority from %(min)s to %(max)s.", min=a.get("min"), max=a.get("max")),
        "end_before_start": lambda: _("The end must be after the start."),
        "validity_order": lambda: _("The last day must not be before the first day."),
        "site_foreign": lambda: _("Choose a site of this district."),
        "site_kind": lambda: _("A site of this kind (%(kind)s) cannot hold this.", kind=site_kind(str(a.get("kind")))),
        "lines_required": lambda: _("Add at least one demand line."),
        "unknown_roles": lambda: _("Line %(line)s: unknown roles: %(roles)s.", line=a.get("line"),
                                   roles=a.get("roles")),
        "line_roles_required": lambda: _("Line %(line)s: choose at least one role.", line=a.get("line")),
        "line_count_required": lambda: _("Line %(line)s: say how many people.", line=a.get("line")),
        "line_count_range": lambda: _("Line %(line)s: the number of people must be from 1 to %(max)s.",
                                      line=a.get("line"), max=a.get("max")),
        "line_unknown_skills": lambda: _("Line %(line)s: unknown skills: %(skills)s. Write a skill's code, "
                                         "Chinese or English name.", line=a.get("line"), skills=a.get("skills")),
        "event_cancelled": lambda: _("This event is cancelled and can no longer be changed."),
        "event_over": lambda: _("This event is already over."),
    }
    return messages.get(p.code, lambda: p.code)()


def skill_list(text: str | None) -> tuple[str, ...]:
    """Skills as typed (codes, Chinese or English names) with any of the usual separators."""
    return tuple(split(text))


def fields_of(form: Form) -> Iterator[Field]:
    """Every field, the subfields of lists and nested forms included."""
    for f in form:
        if isinstance(f, FieldList):
            for entry in f.entries:
                yield from (fields_of(entry.form) if isinstance(entry, FormField) else [entry])
        elif isinstance(f, FormField):
            yield from fields_of(f.form)
        else:
            yield f


def _errors(f: Field) -> list[str]:
    if not isinstance(f.errors, list):
        f.errors = list(f.errors)
    return f.errors


def fields_with_errors(form: Form) -> set[str]:
    return {f.name for f in fields_of(form) if f.errors}


def attach(form: Form, problems: Iterable[FieldProblem], skip: set[str] = frozenset()) -> list[str]:
    """Put each problem on its field (unless that field already shows a parsing error); the
    texts of problems without a field are returned for the top of the page."""
    by_name = {f.name: f for f in fields_of(form)}
    general = []
    for p in problems:
        if p.field in skip:
            continue
        text = problem_text(p)
        form._service_texts = getattr(form, "_service_texts", set()) | {text}
        if p.field in by_name:
            _errors(by_name[p.field]).append(text)
        else:
            general.append(text)
    return general


def summary(form: Form, general: list[str]) -> list[tuple[str, str]]:
    """All problems of the page as (label, text), for the notice at the top."""
    out = [("", text) for text in general]
    ours = getattr(form, "_service_texts", set())
    for f in fields_of(form):
        if f.name == "csrf_token":
            continue
        for error in f.errors if isinstance(f.errors, (list, tuple)) else []:
            label = str(f.label.text if f.label else f.name)
            line = LINE_FIELD.match(f.name)
            if line and error in ours:
                label = ""  # the checker's text already names the line
            elif line:
                label = _("Line %(line)s: %(field)s", line=int(line.group(1)) + 1, field=label)
            out.append((label, str(error)))
    return out
