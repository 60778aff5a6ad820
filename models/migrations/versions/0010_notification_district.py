"""the district a notification concerns, so the outbox page shows a district's coordinators their own messages (issue 15)

Revision ID: 0010_notification_district
Revises: 0009_account_tokens
Create Date: 2026-12-07 12:40:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010_notification_district'
down_revision: str | None = '0009_account_tokens'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notifications_district_id'), ['district_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_notifications_district_id_districts'), 'districts',
                                    ['district_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_district_id_districts'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notifications_district_id'))
        batch_op.drop_column('district_id')
