"""The referral directory (一次性告知): other departments for matters the public legal service
does not handle, with their address, contact and phone. A district's own entries, or the
city's (district_id NULL), kept by coordinators and shown wherever a request is refused as
not ours."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TimestampMixin

if TYPE_CHECKING:
    from models.geography import District


class Referral(TimestampMixin, Base):
    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL: city-wide, shown in every district.
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="RESTRICT"), index=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128), default="")
    address: Mapped[str] = mapped_column(String(256), default="")
    contact: Mapped[str] = mapped_column(String(64), default="")
    # The department's office phone (public).
    phone: Mapped[str] = mapped_column(String(32), default="")
    handles_zh: Mapped[str] = mapped_column(Text, default="")
    handles_en: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)

    district: Mapped[District | None] = relationship()

    def __repr__(self) -> str:
        return f"<Referral {self.id} {self.name_zh}>"
