"""After a visit: thin views over `scheduler.visits.operations`. A refused form comes back with what was
typed and every problem listed at once."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from scheduler.visits import operations as service
from web.access import acting_user, roles_required
from web.dates import now
from web.db import db
from web.requests.messages import texts
from web.visits import bp
from web.visits.forms import OutcomeForm, RatingForm


def _outcome_form(visit: service.ServedVisit) -> OutcomeForm:
    o = visit.outcome
    data = {"hours": f"{o.hours:g}" if o else f"{visit.hours:g}"}
    if o is not None:
        data |= {"consultations": o.consultations, "disputes_mediated": o.disputes_mediated,
                 "opinions_written": o.opinions_written, "notes": o.notes or ""}
    return OutcomeForm(prefix=f"s{visit.slot.id}", formdata=None, data=data)


def _outcomes_page(posted: OutcomeForm | None = None, slot_id: int | None = None, problems=()):
    served = service.served(db(), acting_user(), now())
    forms = {v.slot.id: (posted if v.slot.id == slot_id and posted is not None else _outcome_form(v)) for v in served}
    return render_template("visits/outcomes.html", served=served, forms=forms, problems=texts(list(problems)),
                           problem_slot=slot_id)


@bp.route("/my/visits")
@roles_required("provider")
def outcomes():
    return _outcomes_page()


@bp.route("/my/visits/<int:slot_id>/outcome", methods=["POST"])
@roles_required("provider")
def record_outcome(slot_id: int):
    form = OutcomeForm(prefix=f"s{slot_id}")
    try:
        service.record_outcome(db(), acting_user(), slot_id, consultations=form.consultations.data,
                               disputes_mediated=form.disputes_mediated.data,
                               opinions_written=form.opinions_written.data, hours=form.hours.data,
                               notes=form.notes.data, now=now())
    except service.VisitRefused as refused:
        db().rollback()
        return _outcomes_page(form, slot_id, refused.problems)
    db().commit()
    flash(_("The outcome is recorded. Thank you."), "success")
    return redirect(url_for("visits.outcomes"))


def _village_page(posted: RatingForm | None = None, slot_id: int | None = None, problems=()):
    found = service.village_visits(db(), acting_user(), now())
    forms = {v.slot.id: posted if v.slot.id == slot_id and posted is not None else
             RatingForm(prefix=f"s{v.slot.id}", formdata=None) for v in found}
    return render_template("visits/village.html", visits=found, forms=forms, problems=texts(list(problems)),
                           problem_slot=slot_id)


@bp.route("/my-village/visits")
@roles_required("village")
def village():
    return _village_page()


@bp.route("/my-village/visits/<int:slot_id>/rating", methods=["POST"])
@roles_required("village")
def rate(slot_id: int):
    form = RatingForm(prefix=f"s{slot_id}")
    try:
        service.rate_visit(db(), acting_user(), slot_id, form.score.data, form.comment.data, now())
    except service.VisitRefused as refused:
        db().rollback()
        return _village_page(form, slot_id, refused.problems)
    db().commit()
    flash(_("Thank you for your rating."), "success")
    return redirect(url_for("visits.village"))
