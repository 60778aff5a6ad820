"""feed jobs: the feeds a large publish touched, rendered after it commits (issue 17)

Revision ID: 0014_feed_jobs
Revises: 0013_portal
Create Date: 2026-12-07 15:20:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = '0014_feed_jobs'
down_revision: str | None = '0013_portal'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'feed_jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('district_id', sa.Integer(), nullable=False),
        sa.Column('week_start', sa.Date(), nullable=False),
        sa.Column('schedule_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('started_at', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('finished_at', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_feed_jobs_state')),
        sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_feed_jobs_district_id_districts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['schedule_id'], ['schedules.id'], name=op.f('fk_feed_jobs_schedule_id_schedules'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_jobs')),
    )
    with op.batch_alter_table('feed_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_jobs_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feed_jobs_schedule_id'), ['schedule_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('feed_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_jobs_schedule_id'))
        batch_op.drop_index(batch_op.f('ix_feed_jobs_district_id'))
    op.drop_table('feed_jobs')
