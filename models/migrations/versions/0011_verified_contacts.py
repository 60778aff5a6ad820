"""verified contacts: the e-mail and mobile a used link proved, and the address each link went to (issue 15)

Revision ID: 0011_verified_contacts
Revises: 0010_notification_district
Create Date: 2026-12-07 12:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011_verified_contacts'
down_revision: str | None = '0010_notification_district'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('verified_mobile', sa.String(length=32), nullable=True))
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_to', sa.String(length=254), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.drop_column('sent_to')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('verified_mobile')
        batch_op.drop_column('verified_email')
