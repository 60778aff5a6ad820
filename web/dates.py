"""The time of a request, from the clock the app was built with (`web.create_app(clock=...)`):
`now()` in UTC and today's date where the service happens (the configured zone,
Asia/Shanghai by default). Routes read the time here, never from the system."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from scheduler.core.clock import Clock

# The app's `Clock`, in app.extensions.
CLOCK = "scheduler_clock"


def app_clock(app: Flask | None = None) -> Clock:
    return (app or current_app).extensions[CLOCK]


def now() -> datetime:
    """This moment (UTC) by the app's clock."""
    return app_clock().now()


def local_today() -> date:
    return now().astimezone(ZoneInfo(current_app.config["SCHEDULER_TIMEZONE"])).date()
