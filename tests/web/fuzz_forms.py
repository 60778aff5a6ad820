"""The pieces of `tests/web/test_fuzz_forms.py`: the endpoints of the real app, the fields of
each POST form and the query arguments of each GET view (found in their source), and the
hostile values posted into them. Reading the answers is `tests/web/fuzz_pages.py`."""
from __future__ import annotations

import hashlib
import inspect
import os
import re
import tempfile
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from urllib.parse import urlencode

from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TimeField,
)
from wtforms.fields.core import UnboundField

from scheduler.core.config import Settings
from tests.web.all_routes import ROUTES
from tests.web.route_table import LOGIN, ROLES, To

# --- the endpoints ----------------------------------------------------------------------


@cache
def url_map_endpoints() -> dict[str, frozenset[str]]:
    """endpoint -> its methods (GET, POST), read from an app built like the tests' own."""
    from web import create_app

    instance = tempfile.mkdtemp(prefix="fuzz-instance-")
    settings = Settings.from_env({"SCHEDULER_INSTANCE_PATH": instance})
    app = create_app({"DATABASE_URL": f"sqlite:///{instance}/unused.sqlite", "SECRET_KEY": "x"}, settings=settings)
    methods: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        methods.setdefault(rule.endpoint, set()).update(rule.methods & {"GET", "POST"})
    return {endpoint: frozenset(m) for endpoint, m in sorted(methods.items())}


# Who fuzzes an endpoint: the first of these the route table lets in. The public pages go to
# no one signed in, the provider's and the village's own pages to them, the rest to A's
# coordinator (the city's coordinator where only the city may).
PREFERENCE = ("anonymous", "provider", "village", "coord_a", "city")


def allowed(role: str, answer: object) -> bool:
    if isinstance(answer, To):
        return role != "anonymous"
    return answer != LOGIN and isinstance(answer, int) and answer not in (403, 404, 405)


def fuzz_role(endpoint: str) -> str:
    expect = ROUTES[endpoint].expect
    for role in PREFERENCE:
        if allowed(role, expect.get(role)):
            return role
    raise AssertionError(f"{endpoint}: no role in the route table may use it")


assert set(PREFERENCE) <= set(ROLES)

# --- the fields of a view's forms -------------------------------------------------------

FORM_CLASS = re.compile(r"\b([A-Z]\w*Form)\(([^()]*)")
PREFIX = re.compile(r"prefix=f?[\"']([^\"']*)[\"']")
FORM_KEY = re.compile(r"request\.(?:form|files)(?:\.get|\.getlist)?\(\s*[\"'](\w+)[\"']|request\.(?:form|files)\[[\"'](\w+)")
ARG_KEY = re.compile(r"request\.args\.(?:get|getlist)\(\s*[\"'](\w+)[\"']|request\.args\[[\"'](\w+)|\bflag\(\s*[\"'](\w+)[\"']")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # text, int, date, time, datetime, select, bool, file; junk: not the view's
    choices: tuple[str, ...] = ()


# First match wins: DateTimeLocalField is a DateTimeField, not a DateField, but order
# keeps the subclasses ahead of their bases anyway.
KINDS = ((SubmitField, "submit"), (DateTimeLocalField, "datetime"), (DateField, "date"),
         (TimeField, "time"), (IntegerField, "int"), (BooleanField, "bool"),
         ((SelectField, SelectMultipleField, RadioField), "select"))


def _kind(field_class: type) -> str:
    found = next((kind for classes, kind in KINDS if issubclass(field_class, classes)), None)
    if found:
        return found
    return "file" if "File" in field_class.__name__ else "text"


def _choice_values(unbound: UnboundField) -> tuple[str, ...]:
    found = unbound.kwargs.get("choices")
    if not isinstance(found, (list, tuple)):
        return ()
    values = []
    for entry in found:
        value = getattr(entry, "value", None) if not isinstance(entry, tuple) else entry[0]
        if value is not None:
            values.append(str(value))
    return tuple(values)


def form_fields(form_class: type, prefix: str = "") -> list[FieldSpec]:
    """The fields a form class declares, with the names a browser posts (a list's first two
    entries: `lines-0-count`, `lines-1-count`)."""
    specs: list[FieldSpec] = []
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        if not isinstance(unbound, UnboundField) or name == "csrf_token":
            continue
        field_class = unbound.field_class
        full = f"{prefix}{name}"
        if issubclass(field_class, FieldList):
            inner = unbound.args[0]
            for index in range(2):
                if issubclass(inner.field_class, FormField):
                    specs += form_fields(inner.args[0], f"{full}-{index}-")
                else:
                    specs.append(FieldSpec(f"{full}-{index}", _kind(inner.field_class), _choice_values(inner)))
        elif issubclass(field_class, FormField):
            specs += form_fields(unbound.args[0], f"{full}-")
        else:
            specs.append(FieldSpec(full, _kind(field_class), _choice_values(unbound)))
    return specs


def _source(function) -> str:
    try:
        return inspect.getsource(inspect.unwrap(function))
    except (OSError, TypeError):
        return ""


def view_fields(view, path_args: dict | None = None) -> list[FieldSpec]:
    """The fields of every form class the view names (under its prefix, an f-string of the
    route's arguments filled in), and the keys it reads off request.form."""
    source = _source(view)
    scope = inspect.unwrap(view).__globals__
    specs: dict[str, FieldSpec] = {}
    for name, arguments in FORM_CLASS.findall(source):
        form_class = scope.get(name)
        found = PREFIX.search(arguments)
        prefix = found.group(1).format(**(path_args or {})) if found else ""
        if isinstance(form_class, type):
            for spec in form_fields(form_class, f"{prefix.rstrip('-')}-" if prefix else ""):
                specs.setdefault(spec.name, spec)
    for match in FORM_KEY.findall(source):
        key = next(k for k in match if k)
        specs.setdefault(key, FieldSpec(key, "text"))
    for name in JUNK_FIELDS:
        specs.setdefault(name, FieldSpec(name, "junk"))
    return list(specs.values())


# Read by the app around every view: the language switch, and the sign-in page's `next`.
SHARED_ARGS = ("lang", "next", "page")
JUNK_ARGS = ("zzz", "endpoint", "_external", "_anchor", "csrf_token")
# Posted to every form besides its own fields: a stray field, and names views might trust.
JUNK_FIELDS = ("zzz", "next", "district_id", "person_id", "_method")


def view_args(view) -> list[FieldSpec]:
    """The query arguments a GET view may read: those read anywhere in its module (its helpers
    included), the fields of the forms it binds to the query, the app's shared ones."""
    module = inspect.getmodule(inspect.unwrap(view))
    source = inspect.getsource(module) if module else ""
    names = {next(k for k in match if k) for match in ARG_KEY.findall(source)}
    specs = {name: FieldSpec(name, "text") for name in sorted(names)}
    if "request.args)" in _source(view):
        for spec in view_fields(view):
            specs.setdefault(spec.name, spec)
    for name in SHARED_ARGS + JUNK_ARGS:
        specs.setdefault(name, FieldSpec(name, "junk"))
    return list(specs.values())


# --- the values -------------------------------------------------------------------------

HUGE = "x" * 100_000
HOSTILE: tuple[str | bytes, ...] = (
    "", " ", "\t", "\x00", "a\x00b", "\r\n", "x\r\nSet-Cookie: a=1", "\x1b[31m", "\x7f", "\u0085", "\u2028",
    HUGE, "中" * 20_000,
    "０１２３", "２０２６-１２-０１", "１２：００", "٣", "Ⅻ", "¹²",
    "😀🏳️‍🌈", "\u202eevil", "שלום\u200f", "Z̸̢̛a̵l̷g̶o", "\ufeff",
    b"\xff\xfe", b"\xed\xa0\x80", b"\xc0\xaf",  # not UTF-8: a lone surrogate, an overlong slash
    "0", "-1", "1.5", "-0", "1e309", "NaN", "inf", "2147483648", "9" * 40, "-9223372036854775809", "0x10",
    "2026-12-01", "2026-02-30", "0001-01-01", "9999-12-31", "10000-01-01", "2026-W49", "2026-13",
    "2026-12-01T09:00", "1970-01-01T00:00", "09:00", "24:00", "23:59:60", "9:00",
    "true", "on", "y", "null", "[]", "{}", "<script>alert(1)</script>", "' OR 1=1 --", "%s%n{0}", "../../etc/passwd",
    "en", "zh", "all", "xlsx", "csv", "people",
)
TYPED = {
    "text": ("测试", "a"),
    "int": ("1", "3"),
    "date": ("2026-12-01", "2026-12-31"),
    "time": ("09:00", "12:00"),
    "datetime": ("2026-12-01T09:00", "2026-12-01T12:00"),
    "bool": ("y",),
    "submit": ("y",),
    "select": ("",),
    "file": ("",),
}


def world_ids(world) -> tuple[str, ...]:
    """Ids of both districts' objects: A's to reach the use case, B's to try to cross over."""
    ids = {world.district_a.id, world.district_b.id, world.person_a.id, world.person_b.id, world.village_a.id,
           world.village_b.id, world.window_a.id, *(user.id for user in world.users.values())}
    return tuple(str(i) for i in sorted(ids))


def values(world) -> st.SearchStrategy:
    return st.one_of(
        st.sampled_from(HOSTILE + world_ids(world)),
        st.text(max_size=40),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.floats().map(repr),
    )


FILES = st.tuples(
    st.sampled_from((b"", b"\x00" * 64, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", b"PK\x03\x04junk", "中文,测试\n".encode(),
                     b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:99999999T999999\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")),
    st.sampled_from(("calendar.ics", "people.xlsx", "data.csv", "", "../../x.ics", "名单.xlsx", "a\x00.ics")),
)


# Plain text fields that hold numbers, days or times, by their names.
TEXT_HINTS = (
    (re.compile(r"lat$"), "29.87"), (re.compile(r"lon$"), "121.55"), (re.compile(r"phone"), "13800000000"),
    (re.compile(r"email"), "wang@example.com"), (re.compile(r"skills|needs"), "family"),
    (re.compile(r"external_id"), "FUZZ-1"), (re.compile(r"minutes"), "60"),
    (re.compile(r"count|hours|weeks|consultations|disputes|opinions|score|version"), "1"),
    (re.compile(r"day$|from$|to$|anchor|date"), "2026-12-01"), (re.compile(r"start"), "09:00"),
    (re.compile(r"end"), "12:00"),
)


def baseline(spec: FieldSpec, world, defaults: dict[str, str]) -> str | None:
    """A value the form would take: what its page fills in, else a plain one of the kind
    (an end after its start). Only the form's main button is pressed."""
    if defaults.get(spec.name):
        return defaults[spec.name]
    if spec.kind == "junk" or (spec.kind == "submit" and spec.name.rsplit("-", 1)[-1] != "submit"):
        return None
    if "-1-" in spec.name:  # a list's second entry: one is enough
        return None
    if spec.kind == "select":
        return spec.choices[0] if spec.choices else str(world.district_a.id)
    if spec.kind == "text":
        last = spec.name.rsplit("-", 1)[-1]
        return next((value for pattern, value in TEXT_HINTS if pattern.search(last)), TYPED["text"][0])
    typed = TYPED[spec.kind]
    return typed[-1] if "end" in spec.name.rsplit("-", 1)[-1] else typed[0]


@st.composite
def submissions(draw, specs: list[FieldSpec], world, *, rest: str = "baseline", defaults: dict | None = None):
    """Fields to send: either a few fields hostile and the rest sensible (`rest="baseline"`:
    a form that would pass but for them) or absent (`rest="missing"`: a query of a few
    arguments), or every field hostile, missing or repeated. A file field gets a file or a
    plain value."""
    sensible = draw(st.booleans())
    hostile = values(world)
    chosen = set(draw(st.sets(st.sampled_from([s.name for s in specs]), max_size=3))) if specs and sensible else set()
    sent: dict[str, list] = {}
    for spec in specs:
        if sensible and spec.name not in chosen:
            value = baseline(spec, world, defaults or {}) if rest == "baseline" else None
            if value is not None:
                sent[spec.name] = [value]
            continue
        how = draw(st.sampled_from(("missing", "one", "one", "one", "repeated")))
        if how == "missing":
            continue
        count = 2 if how == "repeated" else 1
        if spec.kind == "file" and draw(st.booleans()):
            sent[spec.name] = [draw(FILES) for _ in range(count)]
        else:
            sent[spec.name] = [draw(hostile) for _ in range(count)]
    return sent


def encoded(sent: dict[str, list]) -> tuple[bytes | dict, str]:
    """The body and its content type: urlencoded (raw bytes allowed) unless a file is sent."""
    if any(isinstance(v, tuple) for vs in sent.values() for v in vs):
        data = {}
        for name, vs in sent.items():
            data[name] = [(BytesIO(v[0]), v[1]) if isinstance(v, tuple) else
                          (v.decode("latin-1") if isinstance(v, bytes) else v) for v in vs]
        return data, "multipart/form-data"
    pairs = [(name, v) for name, vs in sent.items() for v in vs]
    return urlencode(pairs).encode("ascii"), "application/x-www-form-urlencoded"


def query_string(sent: dict[str, list]) -> str:
    return urlencode([(name, v) for name, vs in sent.items() for v in vs])


def shown(sent: dict[str, list]) -> dict:
    """The submission for a failure message, huge values shortened."""
    def short(v):
        if isinstance(v, tuple):
            return (short(v[0]), v[1])
        return v if len(v) <= 80 else f"{v[:40]!r}...({len(v)} long)"
    return {name: [short(v) for v in vs] for name, vs in sent.items()}


# --- the session: signed in, a valid CSRF token, nothing left over ----------------------


def csrf_token(app, sess) -> str:
    """What flask_wtf's generate_csrf gives this session: a signed copy of its raw token."""
    raw = sess.setdefault("csrf_token", hashlib.sha1(os.urandom(64)).hexdigest())
    secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)
