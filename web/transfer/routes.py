"""Transfer views: thin wrappers over `scheduler.transfer.imports`, `scheduler.transfer.exports` and
`scheduler.transfer.printing`, with the acting user passed in for the district rules."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from models import District, Person, Site
from scheduler.core.access import district_filter, visible_districts
from scheduler.core.weeks import next_week_start, parse_week
from scheduler.transfer import exports, imports
from scheduler.transfer.imports.template import template_workbook
from web.access import acting_user, roles_required
from web.dates import local_today, now
from web.db import db
from web.downloads import attachment
from web.ids import parse_id
from web.transfer import bp, uploads
from web.transfer.forms import KIND_LABELS, ConfirmForm, DistrictPrintForm, FindForm, UploadForm, WeekExportForm
from web.transfer.messages import import_error

# Print views live in web/transfer/notices.py.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
PDF = "application/pdf"


def _districts():
    return visible_districts(db(), acting_user())


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
    return download(template_workbook(spec), f"{spec.sheet_zh}导入模板.xlsx", XLSX)


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
                                 dry_run=True, now=now())
    db().rollback()
    token = None
    if report.ok and report.changed:
        token = uploads.keep(user.id, filename, report.kind, district.id if district else None, data, now=now())
    # A refused file (unreadable, past a limit, or with problems in its cells) answers 422.
    return _preview(report, token), 200 if report.ok else 422


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
    report = imports.import_file(db(), user, pending.filename, pending.data, kind=pending.kind, district=district,
                                 now=now())
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
    district_id = parse_id(value)
    if district_id is None:
        abort(400)
    district = db().get(District, district_id)
    if district is None:
        abort(404)
    return district


# --- exports ---------------------------------------------------------------------------

def week_arg() -> date:
    value = request.args.get("week")
    if not value:
        return next_week_start(local_today())
    try:
        return parse_week(value)
    except ValueError:
        abort(400)


def flag(name: str) -> bool:
    return request.args.get(name) in ("1", "y", "on", "true")


# Full phone numbers are written to the audit log, so they come only from a POST with the
# form's CSRF token: a GET (a link from anywhere) gets masked numbers and records nothing.

@bp.route("/export/week")
@roles_required("coordinator")
def export_week():
    district_id = request.args.get("district", type=parse_id)
    if district_id is None:
        abort(400)
    fmt = request.args.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        abort(400)
    return _export_week(district_id, week_arg(), fmt, full_phones=False)


@bp.route("/export/week", methods=["POST"], endpoint="export_week_post")
@roles_required("coordinator")
def export_week_post():
    """The export form of the index page: full numbers when ticked (and audited)."""
    form = WeekExportForm(_districts())
    if not form.validate_on_submit():
        return _index(status=400)
    return _export_week(int(form.district.data), form.week.data, form.format.data or "xlsx",
                        full_phones=bool(form.full_phones.data))


def _export_week(district_id: int, week: date, fmt: str, *, full_phones: bool):
    try:
        export = exports.published_week(db(), acting_user(), district_id, week, full_phones=full_phones)
    except exports.NothingPublished:
        flash(_("The week of %(week)s has no published version yet.", week=week.isoformat()), "error")
        return redirect(url_for("transfer.index"))
    except LookupError:
        abort(404)
    db().commit()  # the audit entry of full phone numbers
    name = f"{export.district.name}-{week.isoformat()}-v{export.version}.{fmt}"
    if fmt == "xlsx":
        return download(exports.week_xlsx(export), name, XLSX)
    return download(exports.week_csv(export), name, CSV)


@bp.route("/records/<any(person, village):kind>/<int:subject_id>")
@roles_required("coordinator")
def record(kind: str, subject_id: int):
    return _record(kind, subject_id, full_phones=False)


@bp.route("/records/person/<int:subject_id>", methods=["POST"], endpoint="record_full")
@roles_required("coordinator")
def record_full(subject_id: int):
    """A person's record with the full mobile number (CSRF-checked POST; audited)."""
    return _record("person", subject_id, full_phones=True)


def _record(kind: str, subject_id: int, *, full_phones: bool):
    fmt = request.values.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        abort(400)
    if kind == "person":
        found = exports.person_record(db(), acting_user(), subject_id, full_phones=full_phones)
    else:
        found = exports.village_record(db(), acting_user(), subject_id)
    db().commit()
    name = f"{found.name}-{found.external_id}-服务记录.{fmt}"
    if fmt == "xlsx":
        return download(exports.to_xlsx(found.tables), name, XLSX)
    return download(exports.to_csv(found.main), name, CSV)


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


def download(data: bytes, name: str, mimetype: str):
    # Names come from districts, villages, people and sites: made safe for the header (web/downloads.py).
    return attachment(data, name, mimetype)
