"""An audit trail a service keeps of sensitive reads and changes: who, when, what, and
the state before and after (or what was read), in the request's transaction.

`AuditColumns` are the table's columns, mixed into a service's model (which names the
table and its indexes); `record_audit` writes one entry.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import DateTime, String, insert
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from talent_platform.auth import Principal
from talent_platform.db.base import utcnow


class AuditColumns:
    """`class AuditEntry(AuditColumns, Base): __tablename__ = "audit_entry"`."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    """The token subject who did it."""
    action: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str | None] = mapped_column(String(100), default=None)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB, default=None)


async def record_audit(
    session: AsyncSession,
    model: type[Any],
    principal: Principal,
    action: str,
    entity: str,
    entity_id: object | None = None,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """One entry (JSON-ready `before`/`after`). An INSERT statement, not session.add:
    sibling resolvers share the session, and its statements are serialised while adding
    to a flush in progress is not."""
    await session.execute(
        insert(model).values(
            id=uuid.uuid4(),
            at=utcnow(),
            actor=principal.subject,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            before=dict(before) if before is not None else None,
            after=dict(after) if after is not None else None,
        )
    )
