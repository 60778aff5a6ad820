"""mask the phone numbers and e-mail addresses that person edits wrote to the audit log before entries were masked (issue 13, row 7)

Since 0005 a `person.update` entry keeps contact details masked; entries written before kept
them in full, for good, because the log is append-only. This migration masks them once: the
append-only triggers are lifted for the one UPDATE and put back in the same transaction, so
the log is never writable outside it. Only the `phone` and `email` before/after values of
`person.update` entries change; who changed what and when stays. Values already masked
(holding `*`) are left alone, so running it over a log with new entries is harmless.

The masking rule is written out here rather than imported from `scheduler.people`, so this
migration does the same thing whatever the application code becomes later.

Revision ID: 0007_mask_contacts_in_audit
Revises: 0006_job_leases
Create Date: 2026-12-07 08:40:00
"""
from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007_mask_contacts_in_audit'
down_revision: str | None = '0006_job_leases'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _mask_phone(phone: str) -> str:
    digits = sum(ch.isdigit() for ch in phone)
    head, tail = (3, 4) if digits >= 8 else (0, 2)
    out, seen = [], 0
    for ch in phone:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= head or seen > digits - tail else "*")
        else:
            out.append(ch)
    return "".join(out)


def _mask_email(email: str) -> str:
    local, at, domain = email.partition("@")
    return f"{local[:1]}***{at}{domain}" if at else _mask_phone(email) or "***"


MASKS = {"phone": _mask_phone, "email": _mask_email}




def mask_details(details: dict) -> dict | None:
    """The entry's details with contact values masked, or None when nothing changes."""
    changed = False
    out = dict(details)
    for field, mask in MASKS.items():
        pair = details.get(field)
        if not isinstance(pair, list):
            continue
        new = [mask(v) if isinstance(v, str) and v and "*" not in v else v for v in pair]
        if new != pair:
            out[field], changed = new, True
    return out if changed else None


def _lift_guard(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")


def _restore_guard(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
    else:
        op.execute("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
                   " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")


def upgrade() -> None:
    bind = op.get_bind()
    log = sa.table("audit_log", sa.column("id", sa.Integer), sa.column("action", sa.String),
                   sa.column("details", sa.JSON))
    rows = bind.execute(sa.select(log.c.id, log.c.details).where(log.c.action == "person.update")).all()
    updates = []
    for entry_id, details in rows:
        if isinstance(details, str):  # a JSON column read without its type's processing
            details = json.loads(details)
        new = mask_details(details or {})
        if new is not None:
            updates.append({"entry_id": entry_id, "details": new})
    if not updates:
        return
    dialect = bind.dialect.name
    _lift_guard(dialect)
    bind.execute(log.update().where(log.c.id == sa.bindparam("entry_id")).values(details=sa.bindparam("details")),
                 updates)
    _restore_guard(dialect)


def downgrade() -> None:
    # The full values are gone on purpose: there is nothing to put back.
    pass
