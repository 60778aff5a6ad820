"""Account pages for coordinators: thin wrappers over `scheduler.accounts` with the acting user."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from models import Person, Site, Township
from scheduler.accounts import bulk, invitations
from scheduler.accounts import operations as service
from scheduler.auth.accounts import AccountError, find_person, find_village
from scheduler.core.access import can_see_district, require_visible, visible_district_ids, visible_districts
from scheduler.people.operations import mask_email
from web.access import acting_user, roles_required
from web.accounts import bp
from web.accounts.forms import (
    AccountForm,
    ActionForm,
    BulkForm,
    CoordinatorForm,
    FindForm,
    ScopeForm,
    SearchForm,
    clean,
)
from web.accounts.messages import account_error, channel_name
from web.config import base_url
from web.dates import local_today, now
from web.db import db
from web.ids import parse_int


@bp.route("/accounts/")
@roles_required("coordinator")
def index():
    user = acting_user()
    districts = visible_districts(db(), user)
    query = service.AccountQuery(
        text=clean(request.args.get("q") or "")[:64], role=request.args.get("role") or None,
        state=request.args.get("state") or None, district_id=parse_int(request.args.get("district")),
        page=parse_int(request.args.get("page")) or 1)
    page = service.search_accounts(db(), user, query, now())
    return render_template("accounts/index.html", form=SearchForm(districts, request.args), page=page,
                           find=FindForm(request.args), state_of=lambda u: service.account_state(u, now()),
                           city=visible_district_ids(user) is None)


@bp.route("/accounts/new")
@roles_required("coordinator")
def new():
    """Find the person or village to make an account for, by its ID."""
    form = FindForm(request.args)
    ref = (form.ref.data or "").strip()
    if ref and form.validate():
        for find, endpoint, arg in ((find_person, "accounts.new_person", "person_id"),
                                    (find_village, "accounts.new_village", "village_id")):
            try:
                found = find(db(), ref)
            except AccountError:
                continue
            if can_see_district(acting_user(), found.district_id):
                return redirect(url_for(endpoint, **{arg: found.id}))
        flash(_("No person or village with the ID %(ref)s in your districts.", ref=ref), "error")
    return redirect(url_for("accounts.index"))


def _create_page(form, title: str, create, **context):
    if form.validate_on_submit():
        try:
            account = create(form)
            channel = invitations.send_invitation(db(), acting_user(), account, now(), base_url())
        except AccountError as error:
            db().rollback()
            flash(account_error(error), "error")
        else:
            db().commit()
            flash(_("The account %(name)s has been created; its invitation was sent %(how)s.",
                    name=account.username, how=channel_name(channel)), "success")
            return redirect(url_for("accounts.detail", user_id=account.id))
    return render_template("accounts/new.html", form=form, title=title, **context)


@bp.route("/accounts/new/person/<int:person_id>", methods=["GET", "POST"])
@roles_required("coordinator")
def new_person(person_id: int):
    person = db().get(Person, person_id)
    require_visible(acting_user(), person.district_id if person else None)
    form = AccountForm(data={"email": person.email, "mobile": person.phone} if request.method == "GET" else None)
    del form.display_name
    return _create_page(form, _("Account for %(name)s", name=person.name), lambda f: service.create_person_account(
        db(), acting_user(), person_id, username=f.username.data, email=f.email.data, mobile=f.mobile.data),
        subject=person)


@bp.route("/accounts/new/village/<int:village_id>", methods=["GET", "POST"])
@roles_required("coordinator")
def new_village(village_id: int):
    village = db().get(Site, village_id)
    require_visible(acting_user(), village.district_id if village else None)
    form = AccountForm(data={"mobile": village.phone} if request.method == "GET" else None)
    return _create_page(form, _("Representative account for %(name)s", name=village.name),
                        lambda f: service.create_village_account(
                            db(), acting_user(), village_id, username=f.username.data,
                            display_name=f.display_name.data, email=f.email.data, mobile=f.mobile.data),
                        subject=village)


@bp.route("/accounts/new/coordinator", methods=["GET", "POST"])
@roles_required("coordinator")
def new_coordinator():
    user = acting_user()
    if visible_district_ids(user) is not None:
        abort(403)
    form = CoordinatorForm(visible_districts(db(), user))
    return _create_page(form, _("New coordinator account"), lambda f: service.create_coordinator_account(
        db(), user, username=f.username.data or "", district_id=parse_int(f.scope.data),
        display_name=f.display_name.data, email=f.email.data, mobile=f.mobile.data))


@bp.route("/accounts/bulk", methods=["GET", "POST"])
@roles_required("coordinator")
def bulk_create():
    user = acting_user()
    districts = visible_districts(db(), user)
    townships = list(db().scalars(select(Township).where(Township.district_id.in_([d.id for d in districts]))
                                  .order_by(Township.code)))
    form = BulkForm(districts, townships)
    if form.validate_on_submit():
        district_id = parse_int(form.district.data)
        township_id = parse_int(form.township.data)
        if district_id is None:
            abort(400)
        try:
            if form.what.data == "villages":
                result = bulk.create_village_accounts(db(), user, district_id, now(), base_url(),
                                                      township_id=township_id)
            else:
                result = bulk.create_people_accounts(db(), user, district_id, now(), local_today(), base_url(),
                                                     role=form.role.data or None, township_id=township_id)
        except AccountError as error:
            db().rollback()
            flash(account_error(error), "error")
        else:
            db().commit()
            flash(_("%(count)d accounts created. Invitations: %(email)d by email, %(sms)d by SMS, %(none)d "
                    "without an email or mobile (add one, then resend).", count=result.created,
                    email=result.sent.get("email", 0), sms=result.sent.get("sms", 0),
                    none=result.sent.get("none", 0)), "success")
            return redirect(url_for("accounts.index", state="invited"))
    return render_template("accounts/bulk.html", form=form)


@bp.route("/accounts/<int:user_id>")
@roles_required("coordinator")
def detail(user_id: int):
    user = acting_user()
    account = service.get_account(db(), user, user_id)
    city = visible_district_ids(user) is None
    scope = ScopeForm(visible_districts(db(), user), data={
        "scope": "city" if account.city_wide else str(account.district_id or "")}) if city else None
    return render_template("accounts/detail.html", account=account, state=service.account_state(account, now()),
                           action=ActionForm(), scope_form=scope, is_self=account.id == user.id,
                           mask_email=mask_email)


def _act(user_id: int, action):
    """Run `action` (it returns the message to show) on a valid POST, then back to the account."""
    if ActionForm().validate_on_submit():
        try:
            message = action()
        except AccountError as error:
            db().rollback()
            flash(account_error(error), "error")
        else:
            db().commit()
            flash(message, "success")
    return redirect(url_for("accounts.detail", user_id=user_id))


@bp.route("/accounts/<int:user_id>/resend", methods=["POST"])
@roles_required("coordinator")
def resend(user_id: int):
    def send() -> str:
        channel = invitations.resend_invitation(db(), acting_user(), user_id, now(), base_url())
        return _("A new invitation was sent %(how)s; the old link no longer works.", how=channel_name(channel))
    return _act(user_id, send)


@bp.route("/accounts/<int:user_id>/unlock", methods=["POST"])
@roles_required("coordinator")
def unlock(user_id: int):
    def run() -> str:
        service.unlock_account(db(), acting_user(), user_id)
        return _("The account is unlocked.")
    return _act(user_id, run)


@bp.route("/accounts/<int:user_id>/deactivate", methods=["POST"])
@roles_required("coordinator")
def deactivate(user_id: int):
    def run() -> str:
        service.set_account_active(db(), acting_user(), user_id, False)
        return _("The account is deactivated; its sessions have ended.")
    return _act(user_id, run)


@bp.route("/accounts/<int:user_id>/reactivate", methods=["POST"])
@roles_required("coordinator")
def reactivate(user_id: int):
    def run() -> str:
        service.set_account_active(db(), acting_user(), user_id, True)
        return _("The account is active again.")
    return _act(user_id, run)


@bp.route("/accounts/<int:user_id>/scope", methods=["POST"])
@roles_required("coordinator")
def scope(user_id: int):
    user = acting_user()
    if visible_district_ids(user) is not None:
        abort(403)
    form = ScopeForm(visible_districts(db(), user))
    if form.validate_on_submit():
        try:
            service.change_scope(db(), user, user_id, parse_int(form.scope.data))
        except AccountError as error:
            db().rollback()
            flash(account_error(error), "error")
        else:
            db().commit()
            flash(_("The scope has been changed; the account's sessions have ended."), "success")
    return redirect(url_for("accounts.detail", user_id=user_id))
