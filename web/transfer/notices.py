"""Print views: window rosters and village posters as pages (inside the app's frame, with
the notices' print stylesheet) and as PDFs rendered from the same templates."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from scheduler.feeds.tokens import new_link
from scheduler.feeds.urls import feed_urls
from scheduler.transfer import exports, printing
from web.access import acting_user, roles_required
from web.config import app_settings, base_url
from web.dates import now
from web.db import db
from web.transfer import bp
from web.transfer.forms import PosterLinkForm
from web.transfer.routes import PDF, download, week_arg


@bp.route("/notices.css")
def notices_css():
    return send_file(printing.STYLESHEET, mimetype="text/css", max_age=3600)


def _page(documents, title: str, tools: list[printing.Link], form: PosterLinkForm | None = None, site_id=None):
    return render_template("transfer/notices.html", title=title, tools=tools, form=form, site_id=site_id,
                           notices=Markup(printing.render_fragment(documents)))


def _pdf(documents, title: str, name: str):
    return download(printing.render_pdf(documents, title=title), name, PDF)


@bp.route("/print/roster/<int:site_id>")
@roles_required("coordinator")
def roster(site_id: int):
    week = week_arg()
    doc = _roster(site_id, week)
    if doc is None:
        return redirect(url_for("transfer.index"))
    tools = [printing.Link(url_for("transfer.roster_pdf", site_id=site_id, week=week.isoformat()), _("Download PDF")),
             printing.Link(url_for("transfer.index"), _("Back"))]
    return _page([doc], _("Window roster"), tools)


@bp.route("/print/roster/<int:site_id>.pdf")
@roles_required("coordinator")
def roster_pdf(site_id: int):
    week = week_arg()
    doc = _roster(site_id, week)
    if doc is None:
        return redirect(url_for("transfer.index"))
    return _pdf([doc], f"{doc.site.name} 值班表", f"{doc.site.name}-值班表-{week.isoformat()}.pdf")


def _roster(site_id: int, week: date):
    try:
        return printing.window_roster(db(), acting_user(), site_id, week, complaint_phone=_complaint_phone())
    except exports.NothingPublished:
        flash(_("The week of %(week)s has no published version yet.", week=week.isoformat()), "error")
        return None


@bp.route("/print/rosters.pdf")
@roles_required("coordinator")
def district_rosters():
    district_id, week = request.args.get("district", type=int), week_arg()
    if district_id is None:
        abort(400)
    try:
        docs = printing.district_rosters(db(), acting_user(), district_id, week, complaint_phone=_complaint_phone())
    except exports.NothingPublished:
        docs = []
    if not docs:
        flash(_("The week of %(week)s has no published version yet.", week=week.isoformat()), "error")
        return redirect(url_for("transfer.index"))
    return _pdf(docs, "值班表", f"值班表-{week.isoformat()}.pdf")


@bp.route("/print/posters.pdf")
@roles_required("coordinator")
def district_posters():
    district_id = request.args.get("district", type=int)
    if district_id is None:
        abort(400)
    docs = printing.district_posters(db(), acting_user(), district_id, now=now(), complaint_phone=_complaint_phone(),
                                     base_url=base_url())
    if not docs:
        flash(_("This district has no villages."), "error")
        return redirect(url_for("transfer.index"))
    return _pdf(docs, "村（社区）法律顾问公示", "村法律顾问公示.pdf")


@bp.route("/print/poster/<int:site_id>")
@roles_required("coordinator")
def poster(site_id: int):
    # Masked: the full number (audited) only comes with the POST form below.
    doc = printing.village_poster(db(), acting_user(), site_id, now=now(), complaint_phone=_complaint_phone(),
                                  base_url=base_url())
    db().commit()
    tools = [printing.Link(url_for("transfer.poster_pdf", site_id=site_id), _("Download PDF")),
             printing.Link(url_for("transfer.index"), _("Back"))]
    return _page([doc], _("Village poster"), tools, PosterLinkForm(), site_id)


@bp.route("/print/poster/<int:site_id>.pdf")
@roles_required("coordinator")
def poster_pdf(site_id: int):
    # Masked: the full number (audited) only comes with the POST form below.
    doc = printing.village_poster(db(), acting_user(), site_id, now=now(), complaint_phone=_complaint_phone(),
                                  base_url=base_url())
    db().commit()
    return _pdf([doc], "村（社区）法律顾问公示", f"{doc.village.name}-公示.pdf")


@bp.route("/print/poster/<int:site_id>", methods=["POST"])
@roles_required("coordinator")
def poster_link(site_id: int):
    """The poster with a QR code of a new calendar link: the village's old link stops working."""
    form = PosterLinkForm()
    if not form.validate_on_submit():
        abort(400)
    user = acting_user()
    printing.village_poster(db(), user, site_id, now=now())  # the scope check, before any link changes
    token = new_link(db(), user, "village", site_id, now=now(), domain=app_settings().feed_domain)
    url = feed_urls(base_url(), token).https
    doc = printing.village_poster(db(), user, site_id, feed_url=url, full_phones=form.full_phones.data, now=now(),
                                  complaint_phone=_complaint_phone(), base_url=base_url())
    db().commit()
    if form.as_pdf.data:
        return _pdf([doc], "村（社区）法律顾问公示", f"{doc.village.name}-公示.pdf")
    flash(_("A new calendar link is in the QR code; the village's previous link no longer works."), "success")
    tools = [printing.Link(url_for("transfer.index"), _("Back"))]
    return _page([doc], _("Village poster"), tools)


def _complaint_phone() -> str:
    return app_settings().complaint_phone


