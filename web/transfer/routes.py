"""Transfer views: thin wrappers over `scheduler.imports`, `scheduler.exports` and
`scheduler.printing`, with the acting user passed in for the district rules."""
from __future__ import annotations

import io
import os
from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from models import District, Person, Site
from scheduler import exports, feeds, imports, overview, printing
from scheduler.access import district_filter
from scheduler.imports.template import template_workbook
from scheduler.weeks import next_week_start, parse_week
from web.access import acting_user, roles_required
from web.dates import local_today
from web.db import db
from web.transfer import bp, uploads
from web.transfer.forms import (KIND_LABELS, ConfirmForm, DistrictPrintForm, FindForm, PosterLinkForm, UploadForm,
                                WeekExportForm)
from web.transfer.messages import import_error

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
PDF = "application/pdf"


def _districts():
    return overview.visible_districts(db(), acting_user())


def _index(upload: UploadForm | None = None, status: int = 200):
    user = acting_user()
    districts = _districts()
    next_week = next_week_start(local_today())
    export = WeekExportForm(districts, formdata=None, week=next_week)
    return render_template(
        "transfer/index.html", upload=upload or UploadForm(districts, user.city_wide), export=export,
        find=FindForm(formdata=None, week=next_week), district_print=DistrictPrintForm(districts, formdata=None,
                                                                                        week=next_week),
        kinds=KIND_LABELS), status


@bp.route("/")
@roles_required("coordinator")
def index():
    return _index()


@bp.route("/templates/<kind>.xlsx")
@roles_required("coordinator")
def template(kind: str):
    spec = imports.KINDS.get(kind)
    if spec is None:
        abort(404)
    return _download(template_workbook(spec), f"{spec.sheet_zh}导入模板.xlsx", XLSX)


@bp.route("/import", methods=["POST"])
@roles_required("coordinator")
def upload():
    user = acting_user()
    form = UploadForm(_districts(), user.city_wide)
    if not form.validate_on_submit():
        return _index(form, 400)
    district = _district(form.district.data)
    filename = form.file.data.filename or "upload"
    data = form.file.data.read()
    report = imports.import_file(db(), user, filename, data, kind=form.kind.data or None, district=district,
                                 dry_run=True)
    db().rollback()
    token = None
    if report.ok and report.changed:
        token = uploads.keep(user.id, filename, report.kind, district.id if district else None, data)
    return _preview(report, token)


@bp.route("/import/<token>", methods=["POST"])
@roles_required("coordinator")
def confirm(token: str):
    user = acting_user()
    pending = uploads.load(token, user.id)
    if pending is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    district = _district(str(pending.district_id or ""))
    report = imports.import_file(db(), user, pending.filename, pending.data, kind=pending.kind, district=district)
    if not report.ok:
        # The database changed since the preview: show what is wrong now.
        db().rollback()
        uploads.drop(token)
        return _preview(report, None)
    db().commit()
    uploads.drop(token)
    flash(_("Imported %(file)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
            "%(removed)s removed.", file=report.filename, created=report.created, updated=report.updated,
            unchanged=report.unchanged, removed=report.removed), "success")
    return redirect(url_for("transfer.index"))


def _preview(report: imports.ImportReport, token: str | None):
    return render_template("transfer/preview.html", report=report, token=token, confirm=ConfirmForm(),
                           message=import_error, kinds=KIND_LABELS, shown=200)


def _district(value: str | None) -> District | None:
    if not value:
        return None
    try:
        district = db().get(District, int(value))
    except ValueError:
        abort(400)
    if district is None:
        abort(404)
    return district


# --- exports ---------------------------------------------------------------------------

def _week_arg() -> date:
    value = request.args.get("week")
    if not value:
        return next_week_start(local_today())
    try:
        return parse_week(value)
    except ValueError:
        abort(400)


def _flag(name: str) -> bool:
    return request.args.get(name) in ("1", "y", "on", "true")


@bp.route("/export/week")
@roles_required("coordinator")
def export_week():
    district_id = request.args.get("district", type=int)
    if district_id is None:
        abort(400)
    week = _week_arg()
    fmt = request.args.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        abort(400)
    try:
        export = exports.published_week(db(), acting_user(), district_id, week, full_phones=_flag("full_phones"))
    except exports.NothingPublished:
        flash(_("The week of %(week)s has no published version yet.", week=week.isoformat()), "error")
        return redirect(url_for("transfer.index"))
    except LookupError:
        abort(404)
    db().commit()  # the audit entry of full phone numbers
    name = f"{export.district.name}-{week.isoformat()}-v{export.version}.{fmt}"
    if fmt == "xlsx":
        return _download(exports.week_xlsx(export), name, XLSX)
    return _download(exports.week_csv(export), name, CSV)


@bp.route("/records/<any(person, village):kind>/<int:subject_id>")
@roles_required("coordinator")
def record(kind: str, subject_id: int):
    fmt = request.args.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        abort(400)
    if kind == "person":
        found = exports.person_record(db(), acting_user(), subject_id, full_phones=_flag("full_phones"))
    else:
        found = exports.village_record(db(), acting_user(), subject_id)
    db().commit()
    name = f"{found.name}-{found.external_id}-服务记录.{fmt}"
    if fmt == "xlsx":
        return _download(exports.to_xlsx(found.tables), name, XLSX)
    return _download(exports.to_csv(found.main), name, CSV)


@bp.route("/find")
@roles_required("coordinator")
def find():
    """From an id coordinators know (YZ-V0001) to its record, roster or poster."""
    form = FindForm(request.args)
    if not form.validate():
        return _index(status=400)
    user, ref, what = acting_user(), form.ref.data.strip(), form.what.data
    model = Person if what == "person_record" else Site
    found = db().scalar(select(model).where(model.external_id == ref, district_filter(user, model.district_id)))
    kinds = {"village_record": ("village",), "poster": ("village",), "roster": ("window", "centre", "station")}
    if found is None or (model is Site and found.kind not in kinds[what]):
        flash(_("Nothing with the id %(ref)s here.", ref=ref), "error")
        return redirect(url_for("transfer.index"))
    week = (form.week.data or next_week_start(local_today())).isoformat()
    targets = {
        "person_record": url_for("transfer.record", kind="person", subject_id=found.id),
        "village_record": url_for("transfer.record", kind="village", subject_id=found.id),
        "roster": url_for("transfer.roster", site_id=found.id, week=week),
        "poster": url_for("transfer.poster", site_id=found.id),
    }
    return redirect(targets[what])


# --- print -----------------------------------------------------------------------------

@bp.route("/notices.css")
def notices_css():
    return send_file(printing.STYLESHEET, mimetype="text/css", max_age=3600)


def _page(documents, title: str, tools: list[printing.Link], form: PosterLinkForm | None = None, site_id=None):
    return render_template("transfer/notices.html", title=title, tools=tools, form=form, site_id=site_id,
                           notices=Markup(printing.render_fragment(documents)))


def _pdf(documents, title: str, name: str):
    return _download(printing.render_pdf(documents, title=title), name, PDF)


@bp.route("/print/roster/<int:site_id>")
@roles_required("coordinator")
def roster(site_id: int):
    week = _week_arg()
    doc = _roster(site_id, week)
    if doc is None:
        return redirect(url_for("transfer.index"))
    tools = [printing.Link(url_for("transfer.roster_pdf", site_id=site_id, week=week.isoformat()), _("Download PDF")),
             printing.Link(url_for("transfer.index"), _("Back"))]
    return _page([doc], _("Window roster"), tools)


@bp.route("/print/roster/<int:site_id>.pdf")
@roles_required("coordinator")
def roster_pdf(site_id: int):
    week = _week_arg()
    doc = _roster(site_id, week)
    if doc is None:
        return redirect(url_for("transfer.index"))
    return _pdf([doc], f"{doc.site.name} 值班表", f"{doc.site.name}-值班表-{week.isoformat()}.pdf")


def _roster(site_id: int, week: date):
    try:
        return printing.window_roster(db(), acting_user(), site_id, week)
    except exports.NothingPublished:
        flash(_("The week of %(week)s has no published version yet.", week=week.isoformat()), "error")
        return None


@bp.route("/print/rosters.pdf")
@roles_required("coordinator")
def district_rosters():
    district_id, week = request.args.get("district", type=int), _week_arg()
    if district_id is None:
        abort(400)
    try:
        docs = printing.district_rosters(db(), acting_user(), district_id, week)
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
    docs = printing.district_posters(db(), acting_user(), district_id)
    if not docs:
        flash(_("This district has no villages."), "error")
        return redirect(url_for("transfer.index"))
    return _pdf(docs, "村（社区）法律顾问公示", "村法律顾问公示.pdf")


@bp.route("/print/poster/<int:site_id>")
@roles_required("coordinator")
def poster(site_id: int):
    doc = printing.village_poster(db(), acting_user(), site_id, full_phones=_flag("full_phones"))
    db().commit()
    tools = [printing.Link(url_for("transfer.poster_pdf", site_id=site_id), _("Download PDF")),
             printing.Link(url_for("transfer.index"), _("Back"))]
    return _page([doc], _("Village poster"), tools, PosterLinkForm(), site_id)


@bp.route("/print/poster/<int:site_id>.pdf")
@roles_required("coordinator")
def poster_pdf(site_id: int):
    doc = printing.village_poster(db(), acting_user(), site_id, full_phones=_flag("full_phones"))
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
    printing.village_poster(db(), user, site_id)  # the scope check, before any link changes
    token = feeds.new_link(db(), user, "village", site_id)
    url = feeds.feed_urls(_base_url(), token).https
    doc = printing.village_poster(db(), user, site_id, feed_url=url, full_phones=form.full_phones.data)
    db().commit()
    if form.as_pdf.data:
        return _pdf([doc], "村（社区）法律顾问公示", f"{doc.village.name}-公示.pdf")
    flash(_("A new calendar link is in the QR code; the village's previous link no longer works."), "success")
    tools = [printing.Link(url_for("transfer.index"), _("Back"))]
    return _page([doc], _("Village poster"), tools)


def _base_url() -> str:
    """The public address: SCHEDULER_BASE_URL when set (behind a proxy), else this request's."""
    if current_app.config.get("SCHEDULER_BASE_URL"):
        return str(current_app.config["SCHEDULER_BASE_URL"]).rstrip("/")
    if os.environ.get("SCHEDULER_BASE_URL"):
        return feeds.base_url()
    return request.url_root.rstrip("/")


def _download(data: bytes, name: str, mimetype: str):
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)
