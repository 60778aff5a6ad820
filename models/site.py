"""Places where service happens: villages, township windows, county centres, squares, stations."""
from __future__ import annotations

from datetime import date, time
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TimestampMixin
from models.contact_preference import ContactPreferences
from models.vocab import SITE_KINDS, one_of

if TYPE_CHECKING:
    from models.geography import District, Township


class Site(ContactPreferences, TimestampMixin, Base):
    __tablename__ = "sites"
    __table_args__ = (
        one_of("kind", SITE_KINDS, "kind"),
        CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="coordinates"),
        CheckConstraint("visit_every_weeks IS NULL OR visit_every_weeks >= 1", name="visit_every_weeks"),
        CheckConstraint("visit_weekday IS NULL OR visit_weekday BETWEEN 0 AND 6", name="visit_weekday"),
        CheckConstraint("visit_minutes IS NULL OR visit_minutes > 0", name="visit_minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The id used in imports and in solver problems (e.g. "YZ-V0001"); stable across reloads.
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="RESTRICT"), index=True)
    township_id: Mapped[int | None] = mapped_column(
        ForeignKey("townships.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(128))
    lat: Mapped[float]
    lon: Mapped[float]
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    address: Mapped[str | None] = mapped_column(String(256))
    # A village's own phone; when it is a mobile, the village can be told by SMS.
    phone: Mapped[str | None] = mapped_column(String(32))
    # Skills the standing adviser of a village should hold (spec: Site.needs).
    needs: Mapped[list[str]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(default=True)
    # The standing visit rhythm of a village: every N weeks counted from the week of
    # `visit_anchor`, on a usual weekday and time.
    visit_every_weeks: Mapped[int | None]
    visit_anchor: Mapped[date | None]
    visit_weekday: Mapped[int | None]
    visit_start: Mapped[time | None]
    visit_minutes: Mapped[int | None]

    district: Mapped[District] = relationship()
    township: Mapped[Township | None] = relationship(back_populates="sites")

    def __repr__(self) -> str:
        return f"<Site {self.external_id} {self.kind} {self.name}>"
