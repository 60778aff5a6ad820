"""WTForms' own messages in the reader's language.

flask_wtf takes them from WTForms' catalogue, whose Chinese leaves a few untranslated (a value
not among a select's choices, in 3.3), so they reached Chinese pages in English. Those come
from the app's catalogue instead: WTForms' first, ours where it has nothing."""
from __future__ import annotations

from babel import support
from flask import request
from flask_babel import get_locale, get_translations, gettext, ngettext
from wtforms.i18n import messages_path


def _marked() -> None:  # never called: marks WTForms' messages for pybabel extract
    ngettext("'%(value)s' is not a valid choice for this field.",
             "'%(value)s' are not valid choices for this field.", 1)
    gettext("Not a valid week value.")
    gettext("This field cannot be edited.")
    gettext("This field is disabled and cannot have a value.")


class FormMessages:
    """What flask_wtf looks for in `request.wtforms_translations`, loaded when a form first
    needs a message."""

    def __init__(self) -> None:
        self._loaded: support.NullTranslations | None = None

    def _translations(self) -> support.NullTranslations:
        if self._loaded is None:
            wtforms = support.Translations.load(messages_path(), [get_locale()], domain="wtforms")
            wtforms.add_fallback(get_translations())
            self._loaded = wtforms
        return self._loaded

    def ugettext(self, string: str) -> str:
        return self._translations().gettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations().ngettext(singular, plural, n)


def install() -> None:
    """Before each request: flask_wtf finds these instead of loading WTForms' catalogue alone."""
    request.wtforms_translations = FormMessages()
