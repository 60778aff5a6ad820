"""Districts (区/县/市) and townships (镇/乡/街道): the administrative frame of the city."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base

if TYPE_CHECKING:
    from models.site import Site


class District(Base):
    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    # Public numbers on the portal; NULL: the settings' complaint_phone and HOTLINE (12348).
    complaint_phone: Mapped[str | None] = mapped_column(String(32))
    hotline: Mapped[str | None] = mapped_column(String(32))

    townships: Mapped[list[Township]] = relationship(back_populates="district")

    def __repr__(self) -> str:
        return f"<District {self.code} {self.name}>"


class Township(Base):
    __tablename__ = "townships"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    lat: Mapped[float | None]
    lon: Mapped[float | None]

    district: Mapped[District] = relationship(back_populates="townships")
    sites: Mapped[list[Site]] = relationship(back_populates="township")

    def __repr__(self) -> str:
        return f"<Township {self.code} {self.name}>"
