"""skills vocabulary: each skill code's Chinese and English names (issue 18)

Seeds a row for every skill code already in use (people, demand lines, village needs) and
for the city's standard skills; a code in use that is not standard is named by itself until
a coordinator names it.

Revision ID: 0015_skills_vocabulary
Revises: 0014_feed_jobs
Create Date: 2026-12-07 18:20:00
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = '0015_skills_vocabulary'
down_revision: str | None = '0014_feed_jobs'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A copy as of this revision (migrations do not import application code that may change).
STANDARD = {
    "family": ("婚姻家庭", "Marriage and family"),
    "labour": ("劳动争议", "Labour disputes"),
    "contract": ("合同纠纷", "Contract disputes"),
    "land": ("土地纠纷", "Land disputes"),
    "criminal": ("刑事辩护", "Criminal defence"),
    "administrative": ("行政争议", "Administrative disputes"),
    "property": ("房产物权", "Property"),
    "traffic": ("交通事故", "Traffic accidents"),
    "medical": ("医疗纠纷", "Medical disputes"),
    "company": ("公司商事", "Company and commercial"),
    "dialect_ningbo": ("宁波话", "Ningbo dialect"),
    "elderly": ("老年人权益", "Rights of the elderly"),
    "youth": ("未成年人保护", "Protection of minors"),
}
JSON_LISTS = (("slot_lines", "skills"), ("event_lines", "skills"), ("shift_template_lines", "skills"),
              ("sites", "needs"))


def _codes_in_use(conn) -> set[str]:
    found = {row[0] for row in conn.execute(sa.text("SELECT DISTINCT skill FROM person_skills"))}
    for table, column in JSON_LISTS:
        # As text: PostgreSQL's json type has no equality, so no DISTINCT of its own.
        for (value,) in conn.execute(sa.text(f"SELECT DISTINCT CAST({column} AS TEXT) FROM {table}")):
            tags = json.loads(value) if isinstance(value, str) else value
            found.update(t for t in tags or () if isinstance(t, str))
    return {c for c in found if c and len(c) <= 32}


def upgrade() -> None:
    skills = op.create_table(
        'skills',
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('name_zh', sa.String(length=64), nullable=False),
        sa.Column('name_en', sa.String(length=64), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('length(name_zh) >= 1 AND length(name_en) >= 1', name=op.f('ck_skills_names')),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_skills')),
    )
    now = datetime.now(UTC)
    codes = _codes_in_use(op.get_bind()) | set(STANDARD)
    op.bulk_insert(skills, [{"code": c, "name_zh": STANDARD.get(c, (c, c))[0], "name_en": STANDARD.get(c, (c, c))[1],
                             "created_at": now, "updated_at": now} for c in sorted(codes)])


def downgrade() -> None:
    op.drop_table('skills')
