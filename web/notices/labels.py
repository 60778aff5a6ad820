"""Display names of the outbox's states, in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from web.notices import bp

NOTICE_STATES = {
    "sent": _l("Delivered"),
    "pending": _l("Waiting"),
    "retrying": _l("Being retried"),
    "failed": _l("Failed"),
}


@bp.app_template_filter("notice_state")
def notice_state(value: str | None) -> str:
    return str(NOTICE_STATES.get(value or "", value or ""))
