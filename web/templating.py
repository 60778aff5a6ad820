"""Template filters and the values every page needs (navigation, languages, logout form)."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, request
from flask_babel import get_locale
from flask_login import current_user

from scheduler.people.operations import mask_phone
from web import i18n, labels, nav


def _logout_form():
    # Built only when a page shows it, so anonymous pages set no session cookie. Never bound
    # to the request's form: that is the page's own, and reading a body over the size limit
    # again while showing its 413 page turned the 413 into a 500.
    from web.auth.forms import LogoutForm

    return LogoutForm(formdata=None)


def page_url(number: int) -> str:
    """The current list with the same filters, on another page."""
    args = request.args.to_dict(flat=False)
    args["page"] = [str(number)]
    return f"{request.path}?{urlencode(args, doseq=True)}"


def _page_context() -> dict[str, object]:
    locale = str(get_locale() or "zh_Hans_CN")
    role = current_user.role if current_user.is_authenticated else None
    return {
        "current_locale": locale,
        "html_lang": i18n.HTML_LANG.get(locale, "zh-Hans-CN"),
        "language_names": i18n.LANGUAGE_NAMES,
        "language_url": i18n.language_url,
        "this_page": i18n.this_page,
        "nav_items": nav.items_for(role),
        "nav_is_current": nav.is_current,
        "logout_form": _logout_form,
    }


def init_templating(app: Flask) -> None:
    app.context_processor(_page_context)
    # Globals, unlike context values, are also seen by imported macros.
    app.jinja_env.globals.update(page_url=page_url)
    app.jinja_env.filters.update(
        mask_phone=mask_phone,
        person_role=labels.person_role,
        site_kind=labels.site_kind,
        user_role=labels.user_role,
        organisation_kind=labels.organisation_kind,
        weekday=labels.weekday,
        skill=labels.skill,
        skill_names=labels.skill_names,
        open_reason=labels.open_reason,
    )
