"""Service reports: a thin view and two downloads over `scheduler.reports.service`."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from scheduler.core.access import visible_districts
from scheduler.core.checking import FieldProblem
from scheduler.reports.service import TABLE_KEYS, ReportRangeError, report_tables, service_report
from scheduler.transfer.exports import to_csv, to_xlsx
from web.access import acting_user, roles_required
from web.dates import local_today, now
from web.db import db
from web.ids import parse_id
from web.reports import bp
from web.requests.messages import problem_text
from web.urls import carried_args

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
DEFAULT_MONTHS = 3


@dataclass(frozen=True)
class Choice:
    first: date
    last: date
    district_id: int | None
    problems: tuple[str, ...]


def _month(text: str | None, default: date, problems: list[str]) -> date:
    if not text:
        return default
    try:
        return date.fromisoformat(f"{text.strip()}-01")
    except ValueError:
        problems.append(_("“%(text)s” is not a month (YYYY-MM).", text=text[:20]))
        return default


def _choice() -> Choice:
    this_month = local_today().replace(day=1)
    first_default = this_month
    for _step in range(DEFAULT_MONTHS - 1):
        first_default = (first_default.replace(day=1) - date.resolution).replace(day=1)
    problems: list[str] = []
    first = _month(request.args.get("from"), first_default, problems)
    last = _month(request.args.get("to"), this_month, problems)
    return Choice(first, last, request.args.get("district", type=parse_id), tuple(problems))


def _report(choice: Choice):
    try:
        return service_report(db(), acting_user(), choice.first, choice.last, now(), district_id=choice.district_id)
    except ReportRangeError as error:
        flash(problem_text(FieldProblem("months", error.code, error.params)), "error")
        return None


@bp.route("/")
@roles_required("coordinator")
def index():
    choice = _choice()
    for text in choice.problems:
        flash(text, "error")
    report = _report(choice)
    return render_template("reports/index.html", report=report, choice=choice,
                           districts=visible_districts(db(), acting_user()), tables=TABLE_KEYS)


@bp.route("/export.<any(xlsx, csv):fmt>")
@roles_required("coordinator")
def export(fmt: str):
    choice = _choice()
    if choice.problems:
        abort(400)
    report = _report(choice)
    if report is None:
        return redirect(url_for("reports.index", **carried_args()))
    tables = report_tables(report)
    span = f"{choice.first:%Y-%m}_{choice.last:%Y-%m}"
    if fmt == "xlsx":
        return send_file(io.BytesIO(to_xlsx(tables)), mimetype=XLSX, as_attachment=True,
                         download_name=f"法律服务统计-{span}.xlsx")
    table = request.args.get("table", "people")
    if table not in TABLE_KEYS:
        abort(400)
    return send_file(io.BytesIO(to_csv(tables[TABLE_KEYS.index(table)])), mimetype=CSV, as_attachment=True,
                     download_name=f"法律服务统计-{table}-{span}.csv")
