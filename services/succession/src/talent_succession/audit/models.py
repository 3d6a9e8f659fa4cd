"""The audit log of succession data (who, what, when, before/after) and the grants that
let an hr_coordinator see confidential succession data."""

from __future__ import annotations

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from talent_platform.audit import AuditColumns
from talent_platform.db import Entity
from talent_succession.db import Base


class AuditEntry(AuditColumns, Base):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_entity", "entity", "entity_id"),
        Index("ix_audit_entry_at", "at"),
    )


class AccessGrant(Entity, Base):
    """An hr_coordinator (by token subject) allowed to see confidential succession data."""

    __tablename__ = "access_grant"

    subject: Mapped[str] = mapped_column(String(200), unique=True)
    granted_by: Mapped[str] = mapped_column(String(200))
