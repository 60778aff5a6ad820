"""contact preferences: channels in order, quiet hours and reminders per person and village; a user's mobile; a person's WeCom id; template parameters, fallback and audience on notifications (issue 15)

Revision ID: 0008_contact_preferences
Revises: 0007_mask_contacts_in_audit
Create Date: 2026-12-07 11:50:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008_contact_preferences'
down_revision: str | None = '0007_mask_contacts_in_audit'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _preferences(batch_op) -> None:
    batch_op.add_column(sa.Column('notify_channels', sa.String(length=32), server_default=sa.text("''"),
                                  nullable=False))
    batch_op.add_column(sa.Column('quiet_hours', sa.Boolean(), server_default=sa.text('true'), nullable=False))
    batch_op.add_column(sa.Column('reminders', sa.Boolean(), server_default=sa.text('true'), nullable=False))


def upgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wecom_userid', sa.String(length=64), nullable=True))
        _preferences(batch_op)
    with op.batch_alter_table('sites', schema=None) as batch_op:
        _preferences(batch_op)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mobile', sa.String(length=32), nullable=True))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('params', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('fallback', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('audience', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_notifications_audience'), ['audience'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_audience'))
        batch_op.drop_column('audience')
        batch_op.drop_column('fallback')
        batch_op.drop_column('params')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('mobile')
    for table in ('sites', 'people'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('reminders')
            batch_op.drop_column('quiet_hours')
            batch_op.drop_column('notify_channels')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('wecom_userid')
