"""The audit log: every change to a submitted rating, calibration or release."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from talent_performance.db import Base
from talent_platform.db.base import utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_entity_id_at", "entity_id", "at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[uuid.UUID]
    employee_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    old: Mapped[dict[str, object] | None] = mapped_column(JSONB, default=None)
    new: Mapped[dict[str, object] | None] = mapped_column(JSONB, default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
