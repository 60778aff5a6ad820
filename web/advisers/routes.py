"""Advisers views: thin wrappers over `scheduler.advisers.pairings` with the acting user passed in."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from scheduler.advisers import pairings as service
from scheduler.home import overview
from web.access import acting_user, roles_required
from web.advisers import bp
from web.advisers.forms import ApproveForm, DiscardForm, ProposeForm, ReproposeForm, fixes_from
from web.advisers.messages import proposal_error, proposal_status
from web.dates import local_today, now
from web.db import db


@bp.route("/districts/<int:district_id>/advisers")
@roles_required("coordinator")
def index(district_id: int):
    user, session = acting_user(), db()
    summary = overview.district_summary(session, user, district_id)
    rows = service.current_pairing(session, user, district_id, local_today())
    return render_template("advisers/index.html", district=summary.district, rows=rows,
                           unpaired=sum(r.person_id is None for r in rows),
                           proposals=service.open_proposals(session, user, district_id), form=ProposeForm())


@bp.route("/districts/<int:district_id>/advisers/propose", methods=["POST"])
@roles_required("coordinator")
def propose(district_id: int):
    user, session = acting_user(), db()
    if not ProposeForm().validate_on_submit():
        flash(_("The form has expired: reload the page and try again."), "error")
        return redirect(url_for("advisers.index", district_id=district_id))
    proposal = service.propose(session, user, district_id, local_today())
    session.commit()
    return redirect(url_for("advisers.proposal", proposal_id=proposal.id))


@bp.route("/advisers/proposals/<int:proposal_id>")
@roles_required("coordinator")
def proposal(proposal_id: int):
    user, session = acting_user(), db()
    found = service.get_proposal(session, user, proposal_id)
    rows = service.compare(session, found)
    show_all = request.args.get("show") == "all"
    counts = {s: sum(r.status == s for r in rows) for s in ("kept", "moved", "new", "unpaired")}
    approve_form = ApproveForm()
    if approve_form.effective_from.data is None:
        approve_form.effective_from.data = local_today()
    return render_template(
        "advisers/proposal.html", proposal=found, district=overview.district_summary(session, user, found.district_id).district,
        rows=rows if show_all else [r for r in rows if r.status != "kept" or r.fixed], show_all=show_all,
        counts=counts, km_before=sum(r.km_before or 0 for r in rows), km_after=sum(r.km_after or 0 for r in rows),
        approve_form=approve_form, discard_form=DiscardForm(), repropose_form=ReproposeForm(),
        status_text=proposal_status(found.status))


@bp.route("/advisers/proposals/<int:proposal_id>/repropose", methods=["POST"])
@roles_required("coordinator")
def repropose(proposal_id: int):
    user, session = acting_user(), db()
    old = service.get_proposal(session, user, proposal_id)
    back = url_for("advisers.proposal", proposal_id=proposal_id)
    if not ReproposeForm().validate_on_submit():
        flash(_("The form has expired: reload the page and try again."), "error")
        return redirect(back)
    try:
        new = service.propose(session, user, old.district_id, local_today(), fixes_from(request.form, old.items))
        if old.status == "open":
            service.discard(session, user, old.id)
    except service.ProposalError as error:
        session.rollback()
        flash(proposal_error(error), "error")
        return redirect(back)
    session.commit()
    return redirect(url_for("advisers.proposal", proposal_id=new.id))


@bp.route("/advisers/proposals/<int:proposal_id>/approve", methods=["POST"])
@roles_required("coordinator")
def approve(proposal_id: int):
    user, session = acting_user(), db()
    found = service.get_proposal(session, user, proposal_id)
    form = ApproveForm()
    back = url_for("advisers.proposal", proposal_id=proposal_id)
    if not form.validate_on_submit():
        flash(_("Choose the day the new pairs start."), "error")
        return redirect(back)
    try:
        counts = service.approve(session, user, proposal_id, form.effective_from.data, now=now())
    except service.ProposalError as error:
        session.rollback()
        flash(proposal_error(error), "error")
        return redirect(back)
    session.commit()
    flash(_("Approved: %(kept)d pairs kept, %(ended)d ended, %(started)d started on %(date)s.",
            date=form.effective_from.data.isoformat(), **counts), "success")
    return redirect(url_for("advisers.index", district_id=found.district_id))


@bp.route("/advisers/proposals/<int:proposal_id>/discard", methods=["POST"])
@roles_required("coordinator")
def discard(proposal_id: int):
    user, session = acting_user(), db()
    found = service.get_proposal(session, user, proposal_id)
    if DiscardForm().validate_on_submit():
        try:
            service.discard(session, user, proposal_id)
        except service.ProposalError as error:
            session.rollback()
            flash(proposal_error(error), "error")
            return redirect(url_for("advisers.proposal", proposal_id=proposal_id))
        session.commit()
        flash(_("The proposal was discarded; the pairing stays as it was."), "success")
    return redirect(url_for("advisers.index", district_id=found.district_id))
