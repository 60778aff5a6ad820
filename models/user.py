"""Accounts: coordinators (one district or the city), providers, village representatives."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TimestampMixin
from models.vocab import USER_ROLES, one_of

if TYPE_CHECKING:
    from models.geography import District
    from models.person import Person
    from models.site import Site


class User(TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        one_of("role", USER_ROLES, "role"),
        # Each kind of account is linked to exactly what it acts for.
        CheckConstraint("role <> 'provider' OR person_id IS NOT NULL", name="provider_person"),
        CheckConstraint("role <> 'village' OR village_id IS NOT NULL", name="village_site"),
        CheckConstraint("role = 'coordinator' OR NOT city_wide", name="city_wide_coordinator"),
        CheckConstraint(
            "role <> 'coordinator' OR city_wide OR district_id IS NOT NULL", name="coordinator_scope"
        ),
        CheckConstraint("failed_logins >= 0", name="failed_logins"),
        CheckConstraint("session_epoch >= 0", name="session_epoch"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))
    # A mobile for SMS (invitations, reset codes, a village representative's notices).
    mobile: Mapped[str | None] = mapped_column(String(32))
    # Addresses proven to reach the owner: a link sent there was used. A forgotten password
    # is sent only to these, so an address a coordinator mistyped never receives one.
    verified_email: Mapped[str | None] = mapped_column(String(254))
    verified_mobile: Mapped[str | None] = mapped_column(String(32))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="RESTRICT"), index=True)
    city_wide: Mapped[bool] = mapped_column(default=False)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT"), unique=True
    )
    village_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    locale: Mapped[str] = mapped_column(String(16), default="zh_Hans_CN")
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    # Sign-in hardening (docs/security.md): every session carries the epoch it was made in;
    # sign-out, a password change or a second-factor change raise it, ending them all.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # The TOTP secret (base32) once enrolment is confirmed; NULL: no second factor.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The last 30-second step a code was accepted for: a code works once only.
    totp_last_step: Mapped[int | None]

    district: Mapped[District | None] = relationship()
    person: Mapped[Person | None] = relationship()
    village: Mapped[Site | None] = relationship()
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class RecoveryCode(Base):
    """A one-time code that stands in for the second factor (the phone is lost). Stored
    hashed; `used_at` is set by one atomic UPDATE, so a code works once only."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="recovery_codes")
