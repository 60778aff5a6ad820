"""One-time links of an account: an invitation to set a first password, or a password reset.

Only the SHA-256 of the link's token is kept, never the token. A link works once: using it sets
`used_at` in one conditional UPDATE (`used_at IS NULL AND expires_at > now`), so two uses at
once cannot both pass, and an expired link is refused.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.vocab import one_of

if TYPE_CHECKING:
    from models.user import User

TOKEN_PURPOSES = ("invite", "reset")


class AccountToken(Base):
    __tablename__ = "account_tokens"
    __table_args__ = (one_of("purpose", TOKEN_PURPOSES, "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    # hex SHA-256 of the token the link carries.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # The outbox channel the link went out by ("email", "sms"); NULL: it could not be sent.
    sent_by_channel: Mapped[str | None] = mapped_column(String(16))
    # The address it went to: using the link proves the owner reads it (see User.verified_email).
    sent_to: Mapped[str | None] = mapped_column(String(254))

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<AccountToken {self.purpose} user={self.user_id}>"
