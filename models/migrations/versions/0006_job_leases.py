"""job leases: who runs a solve job and until when, how many claims; the 'discarded' state (issue 13)

Revision ID: 0006_job_leases
Revises: 0005_sign_in_hardening
Create Date: 2026-12-07 09:40:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base


revision: str = '0006_job_leases'
down_revision: str | None = '0005_sign_in_hardening'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATES = "state IN ('queued', 'running', 'done', 'failed', 'cancelled')"
NEW_STATES = "state IN ('queued', 'running', 'done', 'failed', 'cancelled', 'discarded')"


def upgrade() -> None:
    with op.batch_alter_table('solve_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('lease_until', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.drop_constraint(op.f('ck_solve_jobs_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_solve_jobs_state'), NEW_STATES)


def downgrade() -> None:
    # A discarded job ended without storing anything: as far as the old states go, it failed.
    op.execute("UPDATE solve_jobs SET state = 'failed' WHERE state = 'discarded'")
    with op.batch_alter_table('solve_jobs', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_solve_jobs_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_solve_jobs_state'), OLD_STATES)
        batch_op.drop_column('attempts')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('claimed_by')
