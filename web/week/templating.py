"""Template filters of the week pages, registered app-wide (the dashboard uses them too)."""
from __future__ import annotations

from datetime import date

from babel.dates import format_skeleton
from flask_babel import get_locale

from web.week import bp, labels


@bp.app_template_filter("month_day")
def month_day(day: date) -> str:
    # "11月30日" / "Nov 30": the locale's own short form, not a fixed pattern.
    return format_skeleton("MMMd", day, locale=str(get_locale() or "zh_Hans_CN"))


@bp.app_template_filter("hhmm")
def hhmm(moment) -> str:
    return moment.strftime("%H:%M")


bp.app_template_filter("slot_kind")(labels.slot_kind)
bp.app_template_filter("job_state")(labels.job_state)
bp.app_template_filter("change_kind")(labels.change_kind)
bp.app_template_filter("channel_name")(labels.channel_name)
bp.app_template_filter("solver_status")(labels.solver_status)
bp.app_template_filter("reason_text")(labels.reason_text)
bp.app_template_filter("request_kind")(labels.request_kind)
bp.app_template_filter("request_status")(labels.request_status)
bp.app_template_filter("urgency")(labels.urgency)
bp.app_template_filter("objective_term")(labels.objective_term)
bp.app_template_filter("points")(labels.points)
bp.app_template_filter("bilingual")(labels.bilingual)
