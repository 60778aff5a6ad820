"""Today's date where the service happens (the configured zone, Asia/Shanghai by default)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def local_today() -> date:
    return datetime.now(ZoneInfo(current_app.config["SCHEDULER_TIMEZONE"])).date()
