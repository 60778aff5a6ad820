"""Importing people, sites, weekly availability and standing pairings from .xlsx or CSV.

All or nothing: the file is read and checked completely first, every problem is reported
at once (sheet, row, column, code), and only a file without any problem is written, with
bulk statements, in the caller's transaction. Rows are matched by their external id, so
importing the same file again changes nothing. The caller commits.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath

from sqlalchemy.orm import Session

from models import District, User
from scheduler.core import audit
from scheduler.core.access import require_district, require_role
from scheduler.core.weeks import DEFAULT_ZONE, to_local
from scheduler.transfer.imports import availability, pairings, people, sites
from scheduler.transfer.imports.columns import Change, Context, Kind, guess_kind, read_rows
from scheduler.transfer.imports.problems import CellError, ImportRefused, describe
from scheduler.transfer.imports.reading import read_sheets

KINDS: dict[str, Kind] = {k.name: k for k in (people.KIND, sites.KIND, availability.KIND, pairings.KIND)}

__all__ = ["KINDS", "CellError", "Change", "ImportRefused", "ImportReport", "describe", "import_file"]


@dataclass
class ImportReport:
    kind: str | None
    filename: str
    sha256: str
    district: str | None
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    errors: list[CellError] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.removed


def import_file(session: Session, actor: User | None, filename: str, data: bytes, *, kind: str | None = None,
                district: District | None = None, dry_run: bool = False, now: datetime) -> ImportReport:
    """Check the file and, unless `dry_run` or anything is wrong, write it, at `now` (whose
    local date is the import's today: pairings start, rules apply from then).

    `actor` None is the command line (every district). A coordinator imports into
    `district` (by default their own); a city coordinator may leave it out and name each
    row's district. Returns the report; `written` tells whether anything was stored.
    """
    if actor is not None:
        require_role(actor, "coordinator")
        if district is None and not actor.city_wide:
            district = session.get(District, actor.district_id)
        if district is not None:
            require_district(actor, district.id)
    name = PurePath(filename or "upload").name
    report = ImportReport(kind, name, hashlib.sha256(data).hexdigest(), district.name if district else None)
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}: use one of {', '.join(KINDS)}")
    try:
        sheets = read_sheets(name, data)
    except ImportRefused as refused:
        report.errors = refused.errors
        return report
    spec = KINDS[kind] if kind else guess_kind(KINDS.values(), sheets)
    if spec is None:
        report.errors = [CellError(name, None, None, None, "unknown_kind")]
        return report
    report.kind = spec.name
    ctx = Context(session, actor, district, to_local(now, DEFAULT_ZONE).date())
    rows = read_rows(spec, sheets, ctx)
    report.rows = len(rows)
    plan = spec.plan(ctx, rows)
    if ctx.errors:
        report.errors = sorted(ctx.errors, key=_order(sheets))
        return report
    report.created, report.updated, report.unchanged, report.removed = (
        plan.created, plan.updated, plan.unchanged, plan.removed)
    report.changes = plan.changes
    if dry_run:
        return report
    if report.changed:
        spec.apply(session, plan, now)
        session.flush()
        # Bulk statements bypass the identity map: nothing loaded before may be trusted.
        session.expire_all()
        report.written = True
    audit.record(session, actor, f"import.{spec.name}", "import", report.sha256[:16],
                 district.id if district else None, filename=name, sha256=report.sha256, rows=report.rows,
                 created=report.created, updated=report.updated, unchanged=report.unchanged, removed=report.removed)
    return report


def _order(sheets):
    position = {s.name: i for i, s in enumerate(sheets)}

    def key(error: CellError):
        column = error.column or ""
        return (position.get(error.sheet, -1), error.row or 0, len(column), column)
    return key
