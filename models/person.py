"""Service providers: lawyers, trainee lawyers, notaries, mediators, volunteers and others."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TimestampMixin
from models.contact_preference import ContactPreferences
from models.vocab import ROLES, one_of

if TYPE_CHECKING:
    from models.geography import District
    from models.organisation import Organisation


class Person(ContactPreferences, TimestampMixin, Base):
    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="coordinates"),
        CheckConstraint("max_hours_week >= 0", name="max_hours_week"),
        CheckConstraint("target_hours_week IS NULL OR target_hours_week >= 0", name="target_hours_week"),
        CheckConstraint("max_slots_per_day IS NULL OR max_slots_per_day >= 0", name="max_slots_per_day"),
        CheckConstraint("max_paired_sites IS NULL OR max_paired_sites >= 0", name="max_paired_sites"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="RESTRICT"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(64), index=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    # The person's WeCom (企业微信) user id, for application messages.
    wecom_userid: Mapped[str | None] = mapped_column(String(64))
    # Where the person sets out from (home or office), WGS-84.
    lat: Mapped[float]
    lon: Mapped[float]
    max_hours_week: Mapped[float] = mapped_column(default=8.0)
    target_hours_week: Mapped[float | None]
    max_slots_per_day: Mapped[int | None]
    max_paired_sites: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True, index=True)
    # The staff badge number worn on duty and shown on the public pages (佩证上岗).
    badge_no: Mapped[str | None] = mapped_column(String(32))

    district: Mapped[District] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    roles: Mapped[list[PersonRole]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="PersonRole.role"
    )
    skills: Mapped[list[PersonSkill]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="PersonSkill.skill"
    )

    @property
    def role_names(self) -> list[str]:
        return [r.role for r in self.roles]

    @property
    def skill_names(self) -> list[str]:
        return [s.skill for s in self.skills]

    def __repr__(self) -> str:
        return f"<Person {self.external_id} {self.name}>"


class PersonRole(Base):
    """A role a person holds; a table rather than a list so the database checks the name."""

    __tablename__ = "person_roles"
    __table_args__ = (one_of("role", ROLES, "role"),)

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)

    person: Mapped[Person] = relationship(back_populates="roles")


class PersonSkill(Base):
    """A free skill tag (family, labour, land, dialect_ningbo ...)."""

    __tablename__ = "person_skills"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    skill: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)

    person: Mapped[Person] = relationship(back_populates="skills")
