"""The pages `tests/web/test_fuzz_forms.py` reads: what a form's page fills in (to post a form
that would pass but for the fuzzed fields), and whether an answer is in the reader's language."""
from __future__ import annotations

import re
from html.parser import HTMLParser

# --- the checks -------------------------------------------------------------------------

CJK = re.compile(r"[\u3400-\u9fff]")
# WTForms' and flask_wtf's own English messages: on a Chinese page they are a leak.
ENGLISH_ONLY = re.compile(
    r"This field is required|Not a valid|Invalid|Field must|Number must|not a valid choice|"
    r"could not coerce|CSRF|File does not have|characters long|Field cannot be|Bad Request|"
    r"Request Entity Too Large|Internal Server Error|Method Not Allowed|Not Found|Forbidden"
)


class Refusals(HTMLParser):
    """The texts of a page that tell the reader what went wrong: field errors, the problem
    summary and the flashes, and the page's language."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.texts: list[str] = []
        self._depth = 0
        self._stack: list[str] = []
        self._current: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "html":
            self.lang = attributes.get("lang") or ""
        if self._depth:
            self._depth += 1 if tag not in ("br", "input", "img") else 0
        elif ("error" in classes and tag == "p") or "flash" in classes or (tag == "li" and self._stack[-1:] == ["problems"]):
            self._depth = 1
            self._current = []
        if tag == "div" and "problems" in classes:
            self._stack.append("problems")

    def handle_endtag(self, tag):
        if self._depth and tag not in ("br", "input", "img"):
            self._depth -= 1
            if not self._depth:
                self.texts.append("".join(self._current).strip())

    def handle_data(self, data):
        if self._depth:
            self._current.append(data)


class Defaults(HTMLParser):
    """What a browser would post from a page's forms unchanged: each input's value, a
    select's chosen (else first non-empty) option, a textarea's text."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "file", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            if a.get("value") or name not in self.values:
                self.values[name] = a.get("value") or ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and a.get("value"):
            if "selected" in a or self._select not in self.values:
                self.values[self._select] = a["value"]
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def page_defaults(body: str) -> dict[str, str]:
    parser = Defaults()
    parser.feed(body)
    parser.values.pop("csrf_token", None)
    return parser.values


def refusal_texts(body: str) -> tuple[str, list[str]]:
    parser = Refusals()
    parser.feed(body)
    return parser.lang, parser.texts


def language_problems(response, flashes: list[str], chinese: bool) -> list[str]:
    """What is not in the reader's language. Chinese: a refusal page, every error shown and
    every flash has Chinese text, and no WTForms English. English: the page says so."""
    problems: list[str] = []
    kind = response.mimetype or ""
    status = response.status_code
    if 300 <= status < 400:
        pass  # a redirect: its flashes are checked below
    elif kind == "text/html":
        body = response.get_data(as_text=True)
        lang, texts = refusal_texts(body)
        if chinese:
            if lang != "zh-Hans-CN":
                problems.append(f"page language {lang!r}, not zh-Hans-CN")
            leak = ENGLISH_ONLY.search(body)
            if leak:
                problems.append(f"English on a Chinese page: {body[max(0, leak.start() - 60):leak.end() + 60]!r}")
            if status >= 400 and not CJK.search(body):
                problems.append("a refusal page without Chinese")
            problems += [f"a message without Chinese: {t[:200]!r}" for t in texts if not CJK.search(t)]
        elif status >= 400 and lang != "en":
            problems.append(f"page language {lang!r}, not en")
    elif status >= 400 and chinese:
        body = response.get_data(as_text=True)
        if not CJK.search(body):
            problems.append(f"a {kind} refusal without Chinese: {body[:200]!r}")
    if chinese:
        problems += [f"a flash without Chinese: {str(text)[:200]!r}" for text in flashes if not CJK.search(str(text))]
    return problems
