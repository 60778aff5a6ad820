"""Language choice: an explicit `?lang=` switch (remembered in the session and, for a signed-in
user, saved as their locale), then the user's saved locale, then the session, then the
browser's Accept-Language, then Simplified Chinese."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, current_app, request, session
from flask_login import current_user

from scheduler.auth import accounts
from web.db import db
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
    if current_user.is_authenticated and current_user.locale in current_app.config["LANGUAGES"]:
        return current_user.locale
    if session.get("lang") in current_app.config["LANGUAGES"]:
        return session["lang"]
    best = request.accept_languages.best_match(["zh", "en"])
    return normalise(best) or current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_language() -> None:
    chosen = normalise(request.args.get("lang"))
    if not chosen:
        return
    session["lang"] = chosen
    if current_user.is_authenticated and current_user.locale != chosen:
        accounts.set_locale(db(), current_user.user, chosen)
        db().commit()


def language_url(locale: str) -> str:
    """The current page in another language."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [SHORT_CODES[locale]]
    return f"{request.path}?{urlencode(args, doseq=True)}"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: app.config["SCHEDULER_TIMEZONE"])
    app.before_request(remember_language)
