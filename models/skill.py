"""The skills vocabulary: each skill tag's code with its Chinese and English names.

People (`person_skills.skill`), demand lines (`skills` JSON lists) and villages (`sites.needs`)
store the code; pages show the name in the reader's language and imports accept either name.
The code is not a foreign key of `person_skills`: demand lines keep their codes in JSON,
which no key can check, and an unknown code is shown as itself rather than refused on read.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class Skill(Base):
    __tablename__ = "skills"
    __table_args__ = (
        CheckConstraint("length(name_zh) >= 1 AND length(name_en) >= 1", name="names"),
    )

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Skill {self.code} {self.name_zh}/{self.name_en}>"
