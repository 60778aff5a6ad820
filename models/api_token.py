"""Personal access tokens of the JSON API (`/api/v1`).

A user makes a token in the app or with `scheduler api-token create`; it is shown once and only
its SHA-256 is kept. A token acts as its user, within its scopes ("read": GET operations,
"write": the operations that change something), until it expires or is revoked. The same
access rules as the pages apply on top (scheduler.core.access): a token never reaches past
what its user may see.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base

if TYPE_CHECKING:
    from models.user import User

API_SCOPES = ("read", "write")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The owner's label ("掌上法律顾问 test build"), to tell tokens apart when revoking.
    name: Mapped[str] = mapped_column(String(64))
    # hex SHA-256 of the token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the token, shown in lists so the owner can recognise it.
    prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix}… user={self.user_id}>"
