"""The service catalogue (产品目录): each public legal service product, who provides it, where
and when, what to bring (the one-time notice, 一次性告知) and its fee. City-wide, kept by city
coordinators, shown on the public pages in Chinese and English."""
from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TimestampMixin


class ServiceProduct(TimestampMixin, Base):
    __tablename__ = "service_products"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A stable short name (e.g. "legal-aid"), for links and the API.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    provider_zh: Mapped[str] = mapped_column(String(256), default="")
    provider_en: Mapped[str] = mapped_column(String(256), default="")
    where_when_zh: Mapped[str] = mapped_column(Text, default="")
    where_when_en: Mapped[str] = mapped_column(Text, default="")
    bring_zh: Mapped[str] = mapped_column(Text, default="")
    bring_en: Mapped[str] = mapped_column(Text, default="")
    free: Mapped[bool] = mapped_column(default=True)
    fee_zh: Mapped[str] = mapped_column(String(256), default="")
    fee_en: Mapped[str] = mapped_column(String(256), default="")
    sort_order: Mapped[int] = mapped_column(default=100)
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<ServiceProduct {self.code} {self.name_zh}>"
