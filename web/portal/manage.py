"""Coordinators' pages keeping the catalogue (city coordinators) and the referral directory
(coordinators, in their districts): thin wrappers over `scheduler.portal`."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from scheduler.core.access import AccessDenied, NotVisible, visible_districts
from scheduler.portal import catalogue, numbers, referrals
from web.access import acting_user, roles_required
from web.db import db
from web.portal import bp
from web.portal.forms import NumbersForm, ProductForm, ReferralForm

PROBLEMS = {
    "bad_code": _l("Lower-case letters, digits and hyphens, e.g. legal-aid."),
    "code_taken": _l("Another product has this code."),
    "name_missing": _l("Give the name in Chinese."),
    "no_way_to_reach": _l("Give an office phone or an address, so people can reach them."),
    "bad_phone": _l("Digits, spaces, +, - and brackets only."),
}


def _refused(error: catalogue.CatalogueError | referrals.ReferralError | numbers.NumbersError) -> None:
    db().rollback()
    flash(str(PROBLEMS.get(error.code, error.code)), "error")


@bp.route("/manage/services")
@roles_required("coordinator")
def manage_products():
    try:
        rows = catalogue.all_products(db(), acting_user())
    except AccessDenied:
        abort(403)
    return render_template("portal/manage_products.html", rows=rows, form=FlaskForm())


def _product_page(form: ProductForm, product_id: int | None):
    return render_template("portal/product_form.html", form=form, product_id=product_id)


@bp.route("/manage/services/new", methods=["GET", "POST"])
@roles_required("coordinator")
def manage_product_new():
    form = ProductForm()
    try:
        catalogue.require_city(acting_user())
        if form.validate_on_submit():
            catalogue.create_product(db(), acting_user(), form.data_())
            db().commit()
            flash(_("Saved: the catalogue shows it now."), "success")
            return redirect(url_for("portal.manage_products"))
    except AccessDenied:
        abort(403)
    except catalogue.CatalogueError as error:
        _refused(error)
    if request.method == "GET":
        form.free.data = True
    return _product_page(form, None)


@bp.route("/manage/services/<int:product_id>", methods=["GET", "POST"])
@roles_required("coordinator")
def manage_product(product_id: int):
    form = ProductForm()
    try:
        record = catalogue.product_for_edit(db(), acting_user(), product_id)
        if form.validate_on_submit():
            catalogue.update_product(db(), acting_user(), product_id, form.data_())
            db().commit()
            flash(_("Saved: the catalogue shows it now."), "success")
            return redirect(url_for("portal.manage_products"))
    except AccessDenied:
        abort(403)
    except NotVisible:
        abort(404)
    except catalogue.CatalogueError as error:
        _refused(error)
    if request.method == "GET":
        form.fill(record.data)
    return _product_page(form, product_id)


@bp.route("/manage/services/<int:product_id>/active", methods=["POST"])
@roles_required("coordinator")
def manage_product_active(product_id: int):
    if not FlaskForm().validate_on_submit():
        flash(_("The form had expired; please try again."), "error")
        return redirect(url_for("portal.manage_products"))
    try:
        catalogue.set_product_active(db(), acting_user(), product_id, request.form.get("active") == "1")
    except AccessDenied:
        abort(403)
    except NotVisible:
        abort(404)
    db().commit()
    return redirect(url_for("portal.manage_products"))


@bp.route("/manage/referrals")
@roles_required("coordinator")
def manage_referrals():
    rows = referrals.editable_referrals(db(), acting_user())
    return render_template("portal/manage_referrals.html", rows=rows, form=FlaskForm(),
                           districts=visible_districts(db(), acting_user()))


def _referral_form() -> ReferralForm:
    form = ReferralForm()
    user = acting_user()
    form.set_districts(visible_districts(db(), user), user.city_wide)
    return form


@bp.route("/manage/referrals/new", methods=["GET", "POST"])
@roles_required("coordinator")
def manage_referral_new():
    form = _referral_form()
    if form.validate_on_submit():
        try:
            referrals.create_referral(db(), acting_user(), form.data_())
        except referrals.ReferralError as error:
            _refused(error)
        except AccessDenied:
            abort(403)
        else:
            db().commit()
            flash(_("Saved: the referral directory shows it now."), "success")
            return redirect(url_for("portal.manage_referrals"))
    return render_template("portal/referral_form.html", form=form, referral_id=None)


@bp.route("/manage/referrals/<int:referral_id>", methods=["GET", "POST"])
@roles_required("coordinator")
def manage_referral(referral_id: int):
    try:
        record = referrals.referral_for_edit(db(), acting_user(), referral_id)
    except NotVisible:
        abort(404)
    form = _referral_form()
    if form.validate_on_submit():
        try:
            referrals.update_referral(db(), acting_user(), referral_id, form.data_())
        except referrals.ReferralError as error:
            _refused(error)
        except AccessDenied:
            abort(403)
        else:
            db().commit()
            flash(_("Saved: the referral directory shows it now."), "success")
            return redirect(url_for("portal.manage_referrals"))
    if request.method == "GET":
        form.fill(record.data)
    return render_template("portal/referral_form.html", form=form, referral_id=referral_id)


@bp.route("/manage/referrals/<int:referral_id>/active", methods=["POST"])
@roles_required("coordinator")
def manage_referral_active(referral_id: int):
    if not FlaskForm().validate_on_submit():
        flash(_("The form had expired; please try again."), "error")
        return redirect(url_for("portal.manage_referrals"))
    try:
        referrals.set_referral_active(db(), acting_user(), referral_id, request.form.get("active") == "1")
    except NotVisible:
        abort(404)
    db().commit()
    return redirect(url_for("portal.manage_referrals"))


@bp.route("/manage/districts/<int:district_id>/numbers", methods=["GET", "POST"])
@roles_required("coordinator")
def manage_numbers(district_id: int):
    """A district's public hotline and complaint number, shown on its public pages."""
    try:
        district = numbers.district_for_numbers(db(), acting_user(), district_id)
    except AccessDenied:
        abort(403)
    except NotVisible:
        abort(404)
    form = NumbersForm()
    if form.validate_on_submit():
        try:
            numbers.set_public_numbers(db(), acting_user(), district_id, form.hotline.data,
                                       form.complaint_phone.data)
        except numbers.NumbersError as error:
            _refused(error)
        else:
            db().commit()
            flash(_("Saved: the public pages show the new numbers."), "success")
            return redirect(url_for("portal.manage_referrals"))
    if request.method == "GET":
        form.hotline.data, form.complaint_phone.data = district.hotline, district.complaint_phone
    return render_template("portal/numbers_form.html", form=form, district=district)
