"""portal: the public service catalogue, the referral directory, staff badge numbers, a
district's public numbers and requests refused as not ours (issue 16); the catalogue is
seeded with the city's standard products

Revision ID: 0013_portal
Revises: 0012_api_tokens
Create Date: 2026-12-07 14:45:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = '0013_portal'
down_revision: str | None = '0012_api_tokens'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# code, name zh/en, provider zh/en, where and when zh/en, what to bring zh/en, fee (None: free)
CATALOGUE = [
    ("legal-aid", "法律援助咨询与受理", "Legal aid consultation and acceptance",
     "法律援助中心、司法所", "Legal aid centre, township judicial offices",
     "区公共法律服务中心及各镇（街道）司法所窗口，工作日开放，节假日按调休安排",
     "District public legal service centre and township windows, working days (holidays and make-up days observed)",
     "身份证；经济困难证明或承诺书；与案件有关的材料（合同、判决书、证据等）",
     "ID card; proof or declaration of financial hardship; the case papers (contracts, judgments, evidence)", None),
    ("village-adviser", "村（社区）法律顾问", "Village (community) legal adviser",
     "结对律师、基层法律服务工作者", "The village's paired lawyer or grassroots legal worker",
     "定期来村（社区）服务，也可预约走访", "Regular visits to the village or community; a visit can also be requested",
     "与问题有关的材料", "Papers about your question", None),
    ("hotline-12348", "12348 公共法律服务热线", "12348 public legal service hotline",
     "12348 热线律师", "Hotline lawyers", "拨打 12348，全天候服务", "Call 12348, around the clock",
     "无需携带材料", "Nothing to bring", None),
    ("mediation", "人民调解", "People's mediation", "人民调解委员会", "People's mediation committees",
     "村（社区）、镇（街道）调解委员会，工作日", "Village and township mediation committees, working days",
     "身份证；纠纷情况说明及有关证据", "ID card; an account of the dispute and any evidence", None),
    ("notary", "公证服务", "Notary services", "公证处", "Notary offices",
     "区公证处及公共法律服务中心公证窗口，工作日", "District notary office and the centre's notary window, working days",
     "身份证、户口簿；需公证的文书及有关证明材料", "ID card and household register; the documents to notarise and proofs",
     "按省定收费标准收费；符合条件的可减免"),
    ("forensic", "司法鉴定", "Forensic appraisal", "司法鉴定机构", "Forensic appraisal institutions",
     "经公共法律服务中心指引至鉴定机构", "Through the public legal service centre, which refers you to an institution",
     "身份证；委托材料及检材", "ID card; the request and the material to examine",
     "按鉴定收费标准收费；法律援助对象可缓减免"),
    ("legal-education", "法治宣传教育", "Legal education", "法治宣传员、志愿者", "Legal promoters and volunteers",
     "村（社区）、广场活动及学校、企业", "Villages, square events, schools and workplaces",
     "无需携带材料", "Nothing to bring", None),
]


def upgrade() -> None:
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('complaint_phone', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('hotline', sa.String(length=32), nullable=True))
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('badge_no', sa.String(length=32), nullable=True))
    with op.batch_alter_table('visit_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('not_ours', sa.Boolean(), server_default=sa.false(), nullable=False))
    products = op.create_table(
        'service_products',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('name_zh', sa.String(length=128), nullable=False),
        sa.Column('name_en', sa.String(length=128), nullable=False),
        sa.Column('provider_zh', sa.String(length=256), nullable=False),
        sa.Column('provider_en', sa.String(length=256), nullable=False),
        sa.Column('where_when_zh', sa.Text(), nullable=False),
        sa.Column('where_when_en', sa.Text(), nullable=False),
        sa.Column('bring_zh', sa.Text(), nullable=False),
        sa.Column('bring_en', sa.Text(), nullable=False),
        sa.Column('free', sa.Boolean(), nullable=False),
        sa.Column('fee_zh', sa.String(length=256), nullable=False),
        sa.Column('fee_en', sa.String(length=256), nullable=False),
        sa.Column('sort_order', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.Column('updated_at', models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_service_products')),
        sa.UniqueConstraint('code', name=op.f('uq_service_products_code')),
    )
    op.create_table(
        'referrals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('district_id', sa.Integer(), nullable=True),
        sa.Column('name_zh', sa.String(length=128), nullable=False),
        sa.Column('name_en', sa.String(length=128), nullable=False),
        sa.Column('address', sa.String(length=256), nullable=False),
        sa.Column('contact', sa.String(length=64), nullable=False),
        sa.Column('phone', sa.String(length=32), nullable=False),
        sa.Column('handles_zh', sa.Text(), nullable=False),
        sa.Column('handles_en', sa.Text(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.Column('updated_at', models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_referrals_district_id_districts'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals')),
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_district_id'), ['district_id'], unique=False)
    op.bulk_insert(products, [
        {"code": c, "name_zh": nz, "name_en": ne, "provider_zh": pz, "provider_en": pe, "where_when_zh": wz,
         "where_when_en": we, "bring_zh": bz, "bring_en": be, "free": fee is None,
         "fee_zh": fee or "免费", "fee_en": "Fees as set by the province; may be reduced" if fee else "Free",
         "sort_order": 10 * (i + 1), "active": True}
        for i, (c, nz, ne, pz, pe, wz, we, bz, be, fee) in enumerate(CATALOGUE)])


def downgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_district_id'))
    op.drop_table('referrals')
    op.drop_table('service_products')
    with op.batch_alter_table('visit_requests', schema=None) as batch_op:
        batch_op.drop_column('not_ours')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('badge_no')
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.drop_column('hotline')
        batch_op.drop_column('complaint_phone')
