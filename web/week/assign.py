"""The assign page of one place: ranked suggestions (`scheduler.week.suggest`), assigning
or replacing someone, and applying a suggested repair, each one edit of the draft."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from scheduler.week import desk as week_desk
from scheduler.week import edits
from scheduler.week import suggest as suggesting
from scheduler.week.drafts import StaleDraft
from scheduler.week.edits import EditRefused
from web.access import acting_user, roles_required
from web.dates import now
from web.db import db
from web.ids import parse_id
from web.week import bp, messages
from web.week.forms import AssignForm, RepairForm
from web.week.routes import _pages, _week, _week_url

PLACE = "/districts/<int:district_id>/weeks/<week>/slots/<int:slot_id>/lines/<int:line>"


@bp.route(PLACE + "/assign", methods=["GET", "POST"])
@roles_required("coordinator")
def assign(district_id: int, week: str, slot_id: int, line: int):
    user, session = acting_user(), db()
    district = week_desk.district_for(session, user, district_id)
    week_start = _week(district_id, week, canonical="week.assign" if request.method == "GET" else None)
    replacing, show_all = request.args.get("replace", type=parse_id), request.args.get("all") == "1"
    limit = 10_000 if show_all else 10
    found = suggesting.suggestions(session, user, district_id, week_start, slot_id, line,
                                   replacing_id=replacing, limit=limit)
    form = AssignForm(found.feasible)
    if request.method == "GET":
        form.lock_version.data = found.lock_version
    refusals: list[str] = []
    if form.validate_on_submit():
        person = form.person.data
        try:
            # A page shown before the draft existed carries no version: stale once there is one.
            week_desk.check_version(session, district_id, week_start, form.lock_version.data)
            if found.replacing is not None:
                made = edits.move(session, user, district_id, week_start, [(slot_id, replacing, line)],
                                  [(slot_id, person, line)], form.lock_version.data, now=now(), action="replace")[0]
            else:
                made = edits.assign(session, user, district_id, week_start, slot_id, person, line,
                                    expected_lock_version=form.lock_version.data, now=now())
        except StaleDraft as error:
            session.rollback()
            flash(messages.stale_draft(error), "error")
            return redirect(request.full_path)
        except EditRefused as error:
            session.rollback()
            refusals = messages.refused(error)
            found = suggesting.suggestions(session, user, district_id, week_start, slot_id, line,
                                           replacing_id=replacing, limit=limit)
        else:
            session.commit()
            name = made.person.name
            flash(_("%(name)s now has this place.", name=name), "success")
            if made.locked:
                flash(messages.locked_while_solving(name), "info")
            return redirect(_week_url(district_id, week_start) + f"#slot-{slot_id}")
    return render_template("week/assign.html", district=district, found=found, form=form,
                           repair_form=RepairForm(), refusals=refusals, show_all=show_all,
                           **_pages(week_start)), (422 if refusals else 200)


@bp.route(PLACE + "/repair", methods=["POST"])
@roles_required("coordinator")
def repair(district_id: int, week: str, slot_id: int, line: int):
    """Apply a suggested repair: the person moves here and the replacement takes their place."""
    user, session = acting_user(), db()
    week_desk.district_for(session, user, district_id)
    week_start = _week(district_id, week)
    here = url_for("week.assign", district_id=district_id, week=week_start.isoformat(), slot_id=slot_id,
                   line=line)
    form = RepairForm()
    if not form.validate_on_submit():
        flash(messages.incomplete_form(), "error")
        return redirect(here)
    mover, replacement = form.person.data, form.replacement.data
    other = (form.from_slot.data, mover, form.from_line.data)
    try:
        week_desk.check_version(session, district_id, week_start, form.lock_version.data)
        edits.move(session, user, district_id, week_start, [other],
                   [(slot_id, mover, line), (other[0], replacement, other[2])],
                   form.lock_version.data, now=now(), action="repair")
    except StaleDraft as error:
        session.rollback()
        flash(messages.stale_draft(error), "error")
        return redirect(here)
    except EditRefused as error:
        session.rollback()
        for text in messages.refused(error):
            flash(text, "error")
        return redirect(here)
    session.commit()
    flash(_("Done: both places are filled, in one edit of the draft."), "success")
    return redirect(_week_url(district_id, week_start) + f"#slot-{slot_id}")
