"""Language choice: an explicit `?lang=` switch (for this request, and remembered in the
session), then the session's choice, then the signed-in user's saved locale, then the
browser's Accept-Language, then Simplified Chinese.

A GET never saves anything: `?lang=` only changes what this browser shows. A signed-in user
saves a language as theirs with the POST form of the language switch (`auth.language`, CSRF
checked), so a link from another site cannot change an account."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, current_app, g, request, session
from flask_login import current_user

from web import form_messages
from web.extensions import babel

# What `?lang=` accepts, mapped to the catalogue names under web/translations.
ALIASES = {
    "zh": "zh_Hans_CN",
    "zh-cn": "zh_Hans_CN",
    "zh_cn": "zh_Hans_CN",
    "zh-hans": "zh_Hans_CN",
    "zh_hans_cn": "zh_Hans_CN",
    "en": "en",
    "en-us": "en",
    "en-gb": "en",
}
LANGUAGE_NAMES = {"zh_Hans_CN": "中文", "en": "English"}
SHORT_CODES = {"zh_Hans_CN": "zh", "en": "en"}
HTML_LANG = {"zh_Hans_CN": "zh-Hans-CN", "en": "en"}


def normalise(value: str | None) -> str | None:
    return ALIASES.get((value or "").strip().lower())


def select_locale() -> str:
    chosen = normalise(request.args.get("lang"))
    if chosen:
        return chosen
    if request.path.startswith("/api/"):
        return _api_locale()
    if session.get("lang") in current_app.config["LANGUAGES"]:
        return session["lang"]
    if current_user.is_authenticated and current_user.locale in current_app.config["LANGUAGES"]:
        return current_user.locale
    best = request.accept_languages.best_match(["zh", "en"])
    return normalise(best) or current_app.config["BABEL_DEFAULT_LOCALE"]


def _api_locale() -> str:
    """The API speaks the client's Accept-Language, else its token account's language: it
    keeps no session (g.api_user is set once the token is read)."""
    if request.accept_languages:
        best = normalise(request.accept_languages.best_match(["zh", "en"]))
        if best:
            return best
    user = g.get("api_user")
    if user is not None and user.locale in current_app.config["LANGUAGES"]:
        return user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_language() -> None:
    """`?lang=` switches this browser's session; the account's saved locale is left alone."""
    chosen = normalise(request.args.get("lang"))
    if chosen and session.get("lang") != chosen:
        session["lang"] = chosen


def language_url(locale: str) -> str:
    """The current page in another language."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [SHORT_CODES[locale]]
    return f"{request.path}?{urlencode(args, doseq=True)}"


def this_page() -> str:
    """The current page without its `?lang=`, for the language form to come back to."""
    args = {key: value for key, value in request.args.to_dict(flat=False).items() if key != "lang"}
    return f"{request.path}?{urlencode(args, doseq=True)}" if args else request.path


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: app.config["SCHEDULER_TIMEZONE"])
    app.before_request(remember_language)
    app.before_request(form_messages.install)
