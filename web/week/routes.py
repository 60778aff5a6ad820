"""Week views: thin wrappers over `scheduler` (week_view, review, edits, week_desk) with the
acting user passed in. Writes carry the draft's lock_version; a stale page gets a conflict
message and the current draft, never a lost update."""
from __future__ import annotations

from datetime import date, timedelta

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from models import Assignment
from scheduler.core.access import visible_districts
from scheduler.core.weeks import monday_of, parse_week
from scheduler.week import desk as week_desk
from scheduler.week import edits
from scheduler.week.drafts import NothingToPublish, StaleDraft
from scheduler.week.edits import EditRefused
from scheduler.week.freshness import week_fingerprint
from scheduler.week.landing import LOOK_AHEAD_WEEKS, landing_week, nearest_weeks
from scheduler.week.review import diff, who_is_told
from scheduler.week.view import week_figures, week_view
from web.access import acting_user, roles_required
from web.config import app_settings
from web.dates import local_today, now
from web.db import db
from web.solve_runner import solve_runner
from web.urls import carried_args
from web.week import bp, caching, messages, publishing
from web.week.forms import CancelForm, DraftForm, SolveForm, WeekFilterForm
from web.week.grid import grid_words
from web.week.progress import job_info, outcome

FIRST_YEAR, LAST_YEAR = 2000, 2099


def _week_url(district_id: int, week_start: date, **args) -> str:
    return url_for("week.show", district_id=district_id, week=week_start.isoformat(), **args)


def _week(district_id: int, text: str, canonical: str | None = None) -> date:
    """The Monday of the week named in the URL. A bad date goes back to this week with a
    message; on pages (`canonical` set) any other day of the week redirects to its Monday."""
    try:
        start = parse_week(text)
        if not FIRST_YEAR <= start.year <= LAST_YEAR:
            raise ValueError(text)
    except ValueError:
        flash(_("“%(text)s” is not a week this app can show. Give a date between %(first)d and %(last)d "
                "as YYYY-MM-DD, e.g. %(example)s.", text=text[:20], first=FIRST_YEAR, last=LAST_YEAR,
                example=monday_of(local_today()).isoformat()), "error")
        abort(redirect(_week_url(district_id, monday_of(local_today()))))
    if canonical and start.isoformat() != text:
        # The route's own arguments (slot and line too, on the assign page) with the Monday,
        # then the query's, none of which may stand for url_for's own or the route's arguments.
        path_args = {**(request.view_args or {}), "week": start.isoformat()}
        abort(redirect(url_for(canonical, **path_args, **carried_args(*path_args))))
    return start


def _pages(week_start: date, **nav_args) -> dict:
    """What the shared week header needs: the neighbouring weeks and the arguments to keep."""
    return {"week_start": week_start, "previous_week": week_start - timedelta(weeks=1),
            "next_week": week_start + timedelta(weeks=1), "this_week": monday_of(local_today()),
            "nav_args": {k: v for k, v in nav_args.items() if v}}


def _jobs(session, user, district_id: int, week_start: date) -> dict:
    """The week's running solve (`job`) for the pages' banner, or else its last one when it
    ended without storing anything the coordinator should know of (`ended_job`: its result
    refused because the draft changed meanwhile, or its worker died)."""
    live = week_desk.live_job(session, user, district_id, week_start, now=now())
    last = None if live is not None else week_desk.last_job(session, user, district_id, week_start)
    told = outcome(last) if last is not None else None
    return {"job": live, "ended_job": last if told in ("discarded", "lost") else None, "ended_outcome": told}


def _back(form: DraftForm, default: str) -> str:
    # Only a path on this site: never an open redirect.
    target = form.next.data or ""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else default


@bp.route("/week")
@roles_required("coordinator")
def index():
    """One district: the week asked for (`?week=`), else the nearest week that has a draft or
    a published version (`scheduler.week.landing`), saying so when it is not this week."""
    user, session = acting_user(), db()
    districts = visible_districts(session, user)
    this_week = monday_of(local_today())
    asked = request.args.get("week")
    if len(districts) == 1:
        if asked:
            return redirect(_week_url(districts[0].id, _week(districts[0].id, asked)))
        landing = landing_week(session, user, districts[0].id, local_today())
        if landing.moved_ahead:
            flash(_("This week has no roster yet: opened the next week that has one (from %(date)s).",
                    date=format_date(landing.week_start, "long")), "info")
        return redirect(_week_url(districts[0].id, landing.week_start))
    return render_template("week/index.html", districts=nearest_weeks(session, user, local_today()),
                           this_week=this_week, next_week=this_week + timedelta(weeks=1),
                           look_ahead=LOOK_AHEAD_WEEKS)


@bp.route("/districts/<int:district_id>/weeks/<week>")
@roles_required("coordinator")
def show(district_id: int, week: str):
    user, session = acting_user(), db()
    district = week_desk.district_for(session, user, district_id)
    week_start = _week(district_id, week, canonical="week.show")
    townships = week_desk.townships(session, user, district_id)
    form = WeekFilterForm(townships, request.args)
    valid = form.validate()
    published = valid and form.view.data == "published"
    kind = (form.kind.data or None) if valid else None
    township = int(form.township.data) if valid and form.township.data else None
    fingerprint = week_fingerprint(session, user, district_id, week_start, now())
    tag = caching.page_tag(user, fingerprint) if valid else None
    unchanged = caching.not_modified(tag)
    if unchanged is not None:
        return unchanged
    filters = {k: v for k, v in (("kind", kind), ("township", township)) if v}
    here = request.full_path.rstrip("?")

    def build() -> caching.Grid:
        view = week_view(session, user, district_id, week_start, published=published, kind=kind,
                         township_id=township)
        return caching.grid_of(view, render_template(
            "week/_grid.html", district=district, view=view, editable=not published, filter_args=filters,
            here=here, grid_words=grid_words(view.days), week_start=week_start))

    grid = caching.grid_cache().get((fingerprint, str(get_locale()), published, kind, township, here), build)
    return caching.tagged(render_template(
        "week/show.html", district=district, grid=grid, form=form, published=published, editable=not published,
        township_links=[(t.name, _week_url(district_id, week_start, township=t.id, kind=kind,
                                           view="published" if published else None)) for t in townships],
        filter_args=filters, **_jobs(session, user, district_id, week_start),
        lock_version=week_desk.draft_lock_version(session, district_id, week_start),
        solve_form=SolveForm(), here=here, **_pages(week_start, view="published" if published else None, **filters)),
        tag)


@bp.route("/districts/<int:district_id>/weeks/<week>/solve", methods=["POST"])
@roles_required("coordinator")
def solve(district_id: int, week: str):
    user, session = acting_user(), db()
    week_desk.district_for(session, user, district_id)
    week_start = _week(district_id, week)
    job, new = week_desk.start_solve(session, user, district_id, week_start,
                                     float(current_app.config["SOLVE_TIME_LIMIT"]), now=now())
    session.commit()
    if new:
        solve_runner().submit(job.id)
        flash(_("The solve has started. You can leave this page: it goes on without you."), "success")
    else:
        flash(_("This week was already being solved: here is that solve."), "info")
    return redirect(url_for("week.job", job_id=job.id))


@bp.route("/jobs/<int:job_id>")
@roles_required("coordinator")
def job(job_id: int):
    found = week_desk.job_for(db(), acting_user(), job_id)
    district = week_desk.district_for(db(), acting_user(), found.district_id)
    return render_template("week/job.html", job=found, info=job_info(found), district=district,
                           cancel_form=CancelForm())


@bp.route("/jobs/<int:job_id>/status")
@roles_required("coordinator")
def job_status(job_id: int):
    return jsonify(job_info(week_desk.job_for(db(), acting_user(), job_id)))


@bp.route("/jobs/<int:job_id>/cancel", methods=["POST"])
@roles_required("coordinator")
def cancel_job(job_id: int):
    if CancelForm().validate_on_submit():
        found = week_desk.cancel_job(db(), acting_user(), job_id)
        db().commit()
        if found.cancel_requested:
            flash(_("Cancelling: the solver stops within a few seconds and the draft stays as it was."), "info")
        else:
            flash(_("This solve had already ended; there was nothing to cancel."), "info")
    return redirect(url_for("week.job", job_id=job_id))


@bp.route("/districts/<int:district_id>/weeks/<week>/review")
@roles_required("coordinator")
def review(district_id: int, week: str):
    user, session = acting_user(), db()
    district = week_desk.district_for(session, user, district_id)
    week_start = _week(district_id, week, canonical="week.review")
    changes = diff(session, user, district_id, week_start)
    figures = week_figures(session, user, district_id, week_start)[2].values()
    places = (sum(f[0] for f in figures), sum(f[2] for f in figures))
    return render_template(
        "week/review.html", district=district, diff=changes, places=places,
        locked=week_desk.locked_count(session, district_id, week_start),
        told=who_is_told(session, user, district_id, week_start, now()),
        lock_version=week_desk.draft_lock_version(session, district_id, week_start),
        **_jobs(session, user, district_id, week_start),
        solve_form=SolveForm(), draft_form=DraftForm(), **_pages(week_start))


@bp.app_errorhandler(StaleDraft)
def stale_anywhere(error: StaleDraft):
    """A conflict no route caught (two editors writing the same draft at the same moment, seen
    at flush): nothing was saved, and the reader is told so instead of a 500."""
    db().rollback()
    return render_template("week/stale.html", code=409, message=messages.stale_draft(error)), 409


@bp.route("/districts/<int:district_id>/weeks/<week>/publish", methods=["POST"])
@roles_required("coordinator")
def publish(district_id: int, week: str):
    user, session = acting_user(), db()
    week_desk.district_for(session, user, district_id)
    week_start = _week(district_id, week)
    review_url = url_for("week.review", district_id=district_id, week=week_start.isoformat())
    form = DraftForm()
    if not form.validate_on_submit():
        flash(messages.incomplete_form(), "error")
        return redirect(review_url)
    try:
        version = week_desk.publish_week(session, user, district_id, week_start, form.lock_version.data, now=now(),
                                         feed_domain=app_settings().feed_domain, defer_feeds=True)
    except StaleDraft as error:
        session.rollback()
        flash(messages.stale_draft(error), "error")
        return redirect(review_url)
    except NothingToPublish:
        session.rollback()
        flash(messages.nothing_to_publish(), "error")
        return redirect(review_url)
    session.commit()
    flash(_("Published as version %(version)d. Calendars and rosters now show it.", version=version.version),
          "success")
    return publishing.after_publish(version) or redirect(_week_url(district_id, week_start, view="published"))


def _seat_edit(assignment_id: int, change, done):
    user, session = acting_user(), db()
    district_id, week_start = week_desk.assignment_week(session, user, assignment_id)
    form = DraftForm()
    back = _back(form, _week_url(district_id, week_start))
    if not form.validate_on_submit():
        flash(messages.incomplete_form(), "error")
        return redirect(back)
    try:
        week_desk.check_version(session, district_id, week_start, form.lock_version.data)
        target = week_desk.editable_assignment(session, user, assignment_id)
        name = change(session, user, target, form.lock_version.data)
    except StaleDraft as error:
        session.rollback()
        flash(messages.stale_draft(error), "error")
    except EditRefused as error:
        session.rollback()
        for line in messages.refused(error):
            flash(line, "error")
    else:
        session.commit()
        flash(done(name), "success")
    return redirect(back)


def _lock(locked: bool):
    def change(session, user, assignment_id, version):
        return edits.set_locked(session, user, assignment_id, locked, expected_lock_version=version,
                                now=now()).person.name
    return change


def _unassign(session, user, assignment_id, version):
    name = session.get(Assignment, assignment_id).person.name
    edits.unassign(session, user, assignment_id, expected_lock_version=version, now=now())
    return name


@bp.route("/assignments/<int:assignment_id>/lock", methods=["POST"])
@roles_required("coordinator")
def lock(assignment_id: int):
    return _seat_edit(assignment_id, _lock(True),
                      lambda name: _("%(name)s is locked in: the next solve keeps this place.", name=name))


@bp.route("/assignments/<int:assignment_id>/unlock", methods=["POST"])
@roles_required("coordinator")
def unlock(assignment_id: int):
    return _seat_edit(assignment_id, _lock(False),
                      lambda name: _("%(name)s is unlocked: the next solve may move them.", name=name))


@bp.route("/assignments/<int:assignment_id>/unassign", methods=["POST"])
@roles_required("coordinator")
def unassign(assignment_id: int):
    return _seat_edit(assignment_id, _unassign,
                      lambda name: _("%(name)s has been taken off this place.", name=name))
