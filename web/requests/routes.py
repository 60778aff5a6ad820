"""Village visit requests: thin views over `scheduler.requests.intake` (taking a request in, every
problem at once) and `scheduler.requests.desk` (queue, hand-over, confirm, cancel, close)."""
from __future__ import annotations

import re
from collections import defaultdict

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from models.visit_request import REQUEST_STATUSES
from scheduler.core.access import visible_districts
from scheduler.core.checking import FieldProblem
from scheduler.portal import referrals
from scheduler.requests import desk
from scheduler.requests.intake import RequestInput, RequestRefused, WindowInput, submit_request
from web.access import acting_user, roles_required
from web.config import app_settings
from web.dates import now
from web.db import db
from web.ids import parse_id
from web.requests import bp
from web.requests.forms import ActionForm, HandoverForm, ReasonForm, RequestForm
from web.requests.messages import problem_text, texts

WINDOW_FIELD = re.compile(r"windows\[(\d+)\](?:\.(\w+))?")
LIST_STATUSES = ("open", "all", *REQUEST_STATUSES)


def _attach(form: RequestForm, problems: list[FieldProblem]) -> dict[int, list[str]]:
    """Put each problem next to its field; problems of a whole time row come back by row."""
    rows: dict[int, list[str]] = defaultdict(list)
    for problem in problems:
        text = problem_text(problem)
        found = WINDOW_FIELD.fullmatch(problem.field)
        if found:
            index, part = int(found[1]), found[2]
            if index < len(form.windows.entries) and part:
                field = form.windows[index][part]
                field.errors = [*field.errors, text]
            else:
                rows[index].append(text)
        elif problem.field in form:
            form[problem.field].errors = [*form[problem.field].errors, text]
    return dict(rows)


@bp.route("/requests/")
@roles_required("coordinator", "village")
def index():
    user, session = acting_user(), db()
    if user.role == "village":
        return render_template("requests/village_list.html", rows=desk.village_requests(session, user))
    status = request.args.get("status", "open")
    status = status if status in LIST_STATUSES else "open"
    district_id = request.args.get("district", type=parse_id)
    rows = desk.request_list(session, user, status=status, district_id=district_id)
    return render_template("requests/list.html", rows=rows, status=status, statuses=LIST_STATUSES, mine=False,
                           districts=visible_districts(session, user), district_id=district_id)


@bp.route("/requests/queue")
@roles_required("coordinator")
def queue():
    rows = desk.request_list(db(), acting_user(), mine=True)
    return render_template("requests/list.html", rows=rows, status="open", statuses=LIST_STATUSES, mine=True,
                           districts=[], district_id=None)


@bp.route("/requests/new", methods=["GET", "POST"])
@roles_required("coordinator", "village")
def new():
    user, session = acting_user(), db()
    form = RequestForm()
    coordinator = user.role == "coordinator"
    if coordinator:
        form.village.choices = [("", _("Choose…"))] + [(str(i), label)
                                                       for i, label in desk.villages_for_requests(session, user)]
    problems: list[FieldProblem] = []
    rows: dict[int, list[str]] = {}
    if request.method == "POST":
        data = RequestInput(
            topic=form.topic.data, kind=form.kind.data, people_count=form.people_count.data,
            urgency=form.urgency.data, details=form.details.data,
            channel=form.channel.data if coordinator else None, village_id=form.village.data if coordinator else None,
            windows=tuple(WindowInput(w.day.data, w.start.data, w.end.data) for w in form.windows))
        try:
            row = submit_request(session, user, data, now())
        except RequestRefused as refused:
            session.rollback()
            problems = refused.problems
            rows = _attach(form, problems)
        else:
            session.commit()
            owner = row.owner.display_name or row.owner.username
            flash(_("Request no. %(number)d is received. %(owner)s is responsible for it and will arrange the visit.",
                    number=row.id, owner=owner), "success")
            return redirect(url_for("requests.detail", request_id=row.id))
    return render_template("requests/form.html", form=form, coordinator=coordinator, problems=texts(problems),
                           row_errors=rows)


@bp.route("/requests/<int:request_id>")
@roles_required("coordinator", "village")
def detail(request_id: int):
    user, session = acting_user(), db()
    view = desk.detail(session, user, request_id, now())
    handover = None
    if user.role == "coordinator" and view.can_cancel:
        handover = HandoverForm()
        handover.to_user.choices = [(0, _("Choose…"))] + [
            (u.id, u.display_name or u.username) for u in desk.handover_candidates(session, user, view.request)]
    # Refused as not ours: the other departments to go to (一次性告知).
    refer = referrals.list_referrals(session, view.request.district_id, str(get_locale())) \
        if view.request.not_ours else []
    return render_template("requests/detail.html", view=view, handover_form=handover, reason_form=ReasonForm(),
                           action_form=ActionForm(), referrals=refer)


def _after(request_id: int, step, success: str):
    try:
        step()
    except desk.RequestActionRefused as refused:
        db().rollback()
        for text in texts(refused.problems):
            flash(text, "error")
    else:
        db().commit()
        flash(success, "success")
    return redirect(url_for("requests.detail", request_id=request_id))


@bp.route("/requests/<int:request_id>/handover", methods=["POST"])
@roles_required("coordinator")
def handover(request_id: int):
    form = HandoverForm()
    return _after(request_id, lambda: desk.hand_over(db(), acting_user(), request_id, form.to_user.data,
                                                     form.reason.data, now()),
                  _("The request has a new owner; the hand-over is recorded."))


@bp.route("/requests/<int:request_id>/confirm", methods=["POST"])
@roles_required("coordinator")
def confirm(request_id: int):
    return _after(request_id, lambda: desk.confirm(db(), acting_user(), request_id, now()),
                  _("Confirmed with the village."))


@bp.route("/requests/<int:request_id>/close", methods=["POST"])
@roles_required("coordinator")
def close(request_id: int):
    return _after(request_id, lambda: desk.close(db(), acting_user(), request_id, now()),
                  _("The request is done."))


@bp.route("/requests/<int:request_id>/cancel", methods=["POST"])
@roles_required("coordinator", "village")
def cancel(request_id: int):
    form = ReasonForm()
    return _after(request_id, lambda: desk.cancel(db(), acting_user(), request_id, form.reason.data, now(),
                                                  feed_domain=app_settings().feed_domain,
                                                  not_ours=bool(form.not_ours.data)),
                  _("The request is cancelled; whoever was to come has been told."))
