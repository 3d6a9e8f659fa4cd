"""The recommender's audit trail: every read of successor suggestions and every
dismissal of one (who, when, which key role, what was suggested or dismissed).
Application logs are not an audit trail HR can query; this table is, through
`recommenderAuditLog`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import DateTime, Index, String, insert
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from talent_platform.auth import Principal
from talent_platform.db import utcnow
from talent_recommender.db import Base


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_entity", "entity", "entity_id"),
        Index("ix_audit_entry_at", "at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str | None] = mapped_column(String(100), default=None)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONB, default=None)


async def record_audit(
    session: AsyncSession,
    principal: Principal,
    action: str,
    entity: str,
    entity_id: object,
    details: dict[str, Any],
) -> None:
    """One entry, in the request's transaction (an INSERT statement, not session.add:
    sibling resolvers share the session)."""
    await session.execute(
        insert(AuditEntry).values(
            id=uuid.uuid4(),
            at=utcnow(),
            actor=principal.subject,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            details=details,
        )
    )
