"""Issue 13, deliverable 8: every form and every query argument of the app, fuzzed.

Every endpoint of the real app's url_map is fuzzed (or exempted below, with the reason): each
POST with its form's fields (found in the form classes its view uses) full of hostile values,
each GET with the query arguments its module reads, plus junk ones. The forms are posted with
a valid CSRF token, so WTForms' and the use cases' own validation runs. No answer may be a
5xx, and a refusal (an error page, a form shown again with its problems, a flash) must be in
the reader's language: Chinese by default, with no WTForms English leaking through; a short
pass in English checks that those pages say they are English.

Bounded and reproducible: few examples per endpoint, derandomized, no shrinking.
"""
from __future__ import annotations

import traceback
from io import BytesIO
from urllib.parse import quote

import pytest
from flask import got_request_exception, url_for
from hypothesis import HealthCheck, Phase, example, given, settings
from sqlalchemy import update
from werkzeug.routing import AnyConverter, IntegerConverter

from models import User
from tests.factories import TOTP_SECRET
from tests.web.all_routes import ROUTES
from tests.web.conftest import NOW, build_app, login_as
from tests.web.fuzz_forms import (
    FieldSpec,
    csrf_token,
    encoded,
    fuzz_role,
    query_string,
    shown,
    submissions,
    url_map_endpoints,
    view_args,
    view_fields,
)
from tests.web.fuzz_pages import language_problems, page_defaults
from web.auth.limits import PENDING
from web.auth.routes import SETUP_SECRET
from web.i18n import normalise

ENDPOINTS = url_map_endpoints()
# (endpoint, method) -> why it is not fuzzed. Keep this empty unless there is a real reason.
EXEMPT: dict[tuple[str, str], str] = {
    (endpoint, method): "the JSON API has no forms: Schemathesis fuzzes it over its OpenAPI document "
                        "(tests/web/api/test_schemathesis.py)"
    for endpoint, methods in ENDPOINTS.items() if endpoint.startswith("api.") for method in methods}
GETS = [e for e, methods in ENDPOINTS.items() if "GET" in methods and (e, "GET") not in EXEMPT]
POSTS = [e for e, methods in ENDPOINTS.items() if "POST" in methods and (e, "POST") not in EXEMPT]

# Who fuzzes an endpoint when the route table's first allowed role cannot reach its form.
ROLE = {
    "auth.second_factor": "anonymous",  # a sign-in waiting for its code, see SESSION
    "transfer.confirm": "coord_a",  # a coordinator; the route table's token is no upload: 404
}


def _pending_sign_in(world) -> dict:
    user = world.users["coord_a"]
    return {PENDING: {"id": user.id, "epoch": user.session_epoch or 0, "name": user.username.lower(),
                      "at": int(NOW.timestamp()), "next": ""}}


# What the session holds before each request, for the steps that need one under way.
SESSION = {
    "auth.second_factor": _pending_sign_in,
    "auth.two_factor_confirm": lambda world: {SETUP_SECRET: TOTP_SECRET},
}

CHINESE_EXAMPLES, ENGLISH_EXAMPLES = 10, 3
SENTINEL_INT, SENTINEL_TEXT = 987654321, "fuzz-stand-in"
FUZZ = settings(deadline=None, derandomize=True, database=None, phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

# Inputs that once answered 5xx or an untranslated refusal: (method, endpoint) -> submissions.
# A value not among a multiple select's choices: WTForms' own English message (its Chinese
# catalogue lacks it), now from ours (web/form_messages.py).
NOT_A_ROLE = {"lines-0-roles": ["-1.7e+16"], "lines-0-count": ["1"], "start_at": ["2026-12-01T09:00"],
              "end_at": ["2026-12-01T12:00"], "title": ["普法"]}
# An id beyond PostgreSQL's INTEGER: the lookup was a DataError (500) there; and digits that
# are not decimal ("¹²" passes str.isdigit, not int()): a ValueError (500) on every database.
# Now no number (web/ids.py), and `<int:...>` in a URL stops at the largest id (a 404).
TOO_BIG = "2147483648"
REGRESSIONS: dict[tuple[str, str], list[dict[str, list]]] = {
    ("POST", "demand.new_event"): [NOT_A_ROLE, {**NOT_A_ROLE, "lines-0-roles": ["lawyer"], "site": [TOO_BIG]}],
    ("POST", "demand.edit_event"): [NOT_A_ROLE, {**NOT_A_ROLE, "lines-0-roles": ["lawyer"], "site": [TOO_BIG]}],
    ("POST", "demand.new_template"): [{"lines-0-roles": ["nobody"], "lines-0-count": ["1"]},
                                      {"site": ["¹²"], "weekday": ["²"], "priority": ["³"]}],
    ("POST", "people.edit"): [{"name": ["王律师"], "roles": ["2.5e-32", "nobody"], "target_hours_week": ["4"]}],
    ("POST", "requests.handover"): [{"to_user": [TOO_BIG]}, {"to_user": ["-68639375880982352"]}],
    ("POST", "sites.new"): [{"name": ["新村"], "kind": ["village"], "township": ["¹²"]}],
    ("GET", "people.index"): [{"district": ["¹²"], "page": ["²"]}],
    ("GET", "sites.index"): [{"district": ["¹²"], "page": ["²"]}],
    ("GET", "people.detail"): [{"<person_id>": [TOO_BIG]}],
    ("GET", "week.assign"): [{"<slot_id>": ["9" * 30]}],
}


def test_every_endpoint_is_fuzzed_or_exempt():
    for method, endpoint in REGRESSIONS:
        assert method in ENDPOINTS.get(endpoint, ()), f"a regression of {method} {endpoint}, not in the app"
    for (endpoint, method), reason in EXEMPT.items():
        assert method in ENDPOINTS.get(endpoint, ()), f"{endpoint} {method}: exempt but not in the app"
        assert reason.strip(), f"{endpoint} {method}: exempt without a reason"
    for endpoint, methods in ENDPOINTS.items():
        for method in methods:
            fuzzed = endpoint in (GETS if method == "GET" else POSTS)
            assert fuzzed or (endpoint, method) in EXEMPT, f"{endpoint} {method}: neither fuzzed nor exempt"
            assert (endpoint, method) in EXEMPT or endpoint in ROUTES, (
                f"{endpoint}: not in tests/web/route_table.py, so its URL cannot be built"
            )


@pytest.fixture
def fuzz_app(engine, session, tmp_path, monkeypatch):
    """The app as deployed in these respects: CSRF checked, an exception is a 500 page."""
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = build_app(engine, session, tmp_path, WTF_CSRF_ENABLED=True, PROPAGATE_EXCEPTIONS=False)
    app.extensions["tests.fuzz_exceptions"] = raised = []

    def record(_sender, exception, **_extra):
        raised.append("".join(traceback.format_exception(exception)))

    got_request_exception.connect(record, app, weak=False)
    yield app
    got_request_exception.disconnect(record, app)


class Fuzzer:
    def __init__(self, app, session, world, endpoint: str, method: str):
        self.app, self.session, self.world = app, session, world
        self.endpoint, self.method = endpoint, method
        self.role = ROLE.get(endpoint) or fuzz_role(endpoint)
        self.client = app.test_client()
        self.path_args = ROUTES[endpoint].args(world)
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods)
        # The route's own arguments (an id, a week, a token, a kind) are fuzzed too, on a GET.
        self.url_args = list(rule._converters)
        self.int_args = {name for name, c in rule._converters.items() if isinstance(c, IntegerConverter)}
        self.any_args = {name for name, c in rule._converters.items() if isinstance(c, AnyConverter)}
        self.url = self.url_with({})
        self.raised: list[str] = app.extensions["tests.fuzz_exceptions"]

    def url_with(self, overrides: dict[str, str | bytes]) -> str:
        """The endpoint's URL, a path argument's segment replaced by a fuzzed one (escaped, as
        url_for builds no value its converter refuses): built with a stand-in there first."""
        stand_ins = {name: SENTINEL_INT if name in self.int_args else
                     (self.path_args[name] if name in self.any_args else SENTINEL_TEXT) for name in overrides}
        with self.app.test_request_context():
            url = url_for(self.endpoint, **{**self.path_args, **stand_ins})
        for name, value in overrides.items():
            url = url.replace(quote(str(stand_ins[name]), safe="/:"), quote(value, safe=""), 1)
        return url

    def prepare(self, english: bool) -> str:
        """A fresh session of the role (the language chosen, a step under way where the
        endpoint needs one), the account's language back to Chinese; the CSRF token."""
        self.session.execute(update(User).values(locale="zh_Hans_CN"))
        self.session.flush()
        with self.client.session_transaction() as sess:
            sess.clear()
        if self.role != "anonymous":
            login_as(self.client, self.world.users[self.role])
        with self.client.session_transaction() as sess:
            sess.update(SESSION[self.endpoint](self.world) if self.endpoint in SESSION else {})
            if english:
                sess["lang"] = "en"
            return csrf_token(self.app, sess)

    def defaults(self) -> dict[str, str]:
        """The values the form's own page fills in, when the endpoint shows it on a GET."""
        if "GET" not in ENDPOINTS[self.endpoint]:
            return {}
        self.prepare(english=False)
        response = self.client.get(self.url)
        return page_defaults(response.get_data(as_text=True)) if response.status_code == 200 else {}

    def send(self, sent: dict[str, list], *, english: bool = False) -> None:
        token = self.prepare(english)
        self.raised.clear()
        if self.method == "POST":
            body, kind = encoded({**sent, "csrf_token": [token]})
            if isinstance(body, dict):
                response = self.client.post(self.url, data=body)
            else:
                response = self.client.post(self.url, data=body, content_type=kind)
            url = self.url
        else:
            path = self.url_with({name[1:-1]: vs[0] for name, vs in sent.items() if name.startswith("<")})
            query = query_string({name: vs for name, vs in sent.items() if not name.startswith("<")})
            url = f"{path}{'&' if '?' in path else '?'}{query}" if query else path
            response = self.client.get(url)
        with self.client.session_transaction() as sess:
            flashes = [message for _category, message in sess.get("_flashes", [])]
        asked_english = english or any(isinstance(v, str) and normalise(v) == "en" for v in sent.get("lang", []))
        problems = [] if response.status_code < 500 else [f"answered {response.status_code}"]
        if not asked_english:
            problems += language_problems(response, flashes, chinese=True)
        elif english:
            problems += language_problems(response, flashes, chinese=False)
        if problems:
            report = "\n".join(problems)
            traces = "\n".join(self.raised) or "(no exception recorded)"
            pytest.fail(f"{self.method} {url[:300]} as {self.role} ({'en' if english else 'zh'}) with "
                        f"{shown(sent)}\n-> {response.status_code}: {report}\n{traces}", pytrace=False)


def _run(fuzzer: Fuzzer, specs, rest: str, defaults: dict | None = None) -> None:
    strategy = submissions(specs, fuzzer.world, rest=rest, defaults=defaults)

    @settings(FUZZ, max_examples=CHINESE_EXAMPLES)
    @given(strategy)
    def in_chinese(sent):
        fuzzer.send(sent)

    for regression in REGRESSIONS.get((fuzzer.method, fuzzer.endpoint), ()):
        in_chinese = example(regression)(in_chinese)
    in_chinese()

    @settings(FUZZ, max_examples=ENGLISH_EXAMPLES)
    @given(strategy)
    def in_english(sent):
        fuzzer.send(sent, english=True)

    in_english()


@pytest.mark.parametrize("endpoint", POSTS)
def test_post_forms(fuzz_app, session, world, endpoint):
    fuzzer = Fuzzer(fuzz_app, session, world, endpoint, "POST")
    _run(fuzzer, view_fields(fuzz_app.view_functions[endpoint], fuzzer.path_args), "baseline", fuzzer.defaults())


@pytest.mark.parametrize("endpoint", GETS)
def test_get_query_arguments(fuzz_app, session, world, endpoint):
    fuzzer = Fuzzer(fuzz_app, session, world, endpoint, "GET")
    path = [FieldSpec(f"<{name}>", "junk") for name in fuzzer.url_args]
    _run(fuzzer, view_args(fuzz_app.view_functions[endpoint]) + path, "missing")


@pytest.mark.parametrize("english", [False, True], ids=["zh", "en"])
def test_an_oversized_upload_answers_413_in_the_readers_language(fuzz_app, session, world, english):
    fuzzer = Fuzzer(fuzz_app, session, world, "mine.upload_calendar", "POST")
    token = fuzzer.prepare(english)
    too_big = b"x" * (fuzz_app.config["MAX_CONTENT_LENGTH"] + 1)
    response = fuzzer.client.post(fuzzer.url, data={"csrf_token": token, "calendar": (BytesIO(too_big), "big.ics")})
    assert response.status_code == 413
    assert language_problems(response, [], chinese=not english) == []
    body = response.get_data(as_text=True)
    assert ("内容过大" in body and "16 MB" in body) if not english else "Too large" in body


def test_a_text_field_over_the_form_memory_limit_answers_413_in_chinese(fuzz_app, session, world):
    """Flask refuses a text field over MAX_FORM_MEMORY_SIZE (500 kB) with a 413 too."""
    fuzzer = Fuzzer(fuzz_app, session, world, "mine.decline", "POST")
    token = fuzzer.prepare(english=False)
    response = fuzzer.client.post(fuzzer.url, data={"csrf_token": token, "reason": "中" * 400_000},
                                  content_type="multipart/form-data")
    assert response.status_code == 413
    assert language_problems(response, [], chinese=True) == []


def test_numbers_from_readers_stop_at_the_largest_id():
    from web.ids import MAX_ID, coerce_id, parse_id, parse_int

    assert parse_int("12") == 12 and parse_int(" 0 ") == 0 and parse_int("１２") == 12
    assert parse_int("¹²") is None and parse_int("-1") is None and parse_int(str(MAX_ID + 1)) is None
    assert parse_id("0") is None and parse_id(str(MAX_ID)) == MAX_ID and parse_id(None) is None
    assert coerce_id(0) is None and coerce_id("") is None and coerce_id("7") == 7
    with pytest.raises(ValueError):
        coerce_id(str(MAX_ID + 1))
