"""Display names of the request vocabularies this blueprint adds (kinds, statuses and
urgencies are in `web.week.labels`, which the dashboard shares)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from web.requests import bp

CHANNELS = {"web": _l("Online"), "phone": _l("By phone"), "in_person": _l("In person")}


@bp.app_template_filter("request_channel")
def request_channel(value: str | None) -> str:
    return str(CHANNELS.get(value or "", value or ""))
