"""Landing pages. Each view checks the role, then asks `scheduler.home.overview` for its data."""
from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user

from scheduler.home import overview
from scheduler.home.dashboard import dashboard as week_dashboard
from web.access import acting_user, roles_required
from web.dates import local_today, now
from web.db import db
from web.home import bp
from web.portal.routes import landing

LANDING = {"coordinator": "home.dashboard", "provider": "home.me", "village": "home.my_village"}


@bp.route("/")
def home():
    """Visitors who are not signed in see the public portal; users land on their own page."""
    if not current_user.is_authenticated:
        return landing()
    return redirect(url_for(LANDING[acting_user().role]))


@bp.route("/dashboard")
@roles_required("coordinator")
def dashboard():
    summaries = overview.district_summaries(db(), acting_user())
    return render_template("home/dashboard.html", summaries=summaries)


@bp.route("/districts/<int:district_id>")
@roles_required("coordinator")
def district(district_id: int):
    summary = overview.district_summary(db(), acting_user(), district_id)
    board = week_dashboard(db(), acting_user(), district_id, now())
    return render_template("home/district.html", summary=summary, board=board)


@bp.route("/me")
@roles_required("provider")
def me():
    profile = overview.provider_profile(db(), acting_user(), local_today())
    return render_template("home/me.html", profile=profile)


@bp.route("/my-village")
@roles_required("village")
def my_village():
    view = overview.village_overview(db(), acting_user(), local_today())
    return render_template("home/my_village.html", view=view)
