"""Writing the append-only audit log. Every operation that changes what people see records
who did it; `actor` None means the command line or a background job."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from models import AuditEntry, User


def record(session: Session, actor: User | None, action: str, object_type: str, object_id: Any = None,
           district_id: int | None = None, **details: Any) -> AuditEntry:
    entry = AuditEntry(
        user_id=actor.id if actor is not None else None,
        district_id=district_id,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        details=details,
    )
    session.add(entry)
    return entry
