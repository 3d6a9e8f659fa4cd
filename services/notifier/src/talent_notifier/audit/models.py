"""The notifier's audit log: who registered or deleted a webhook, when, and what it was
(the platform's `AuditColumns`, written with `talent_platform.audit.record_audit`)."""

from __future__ import annotations

from sqlalchemy import Index

from talent_notifier.db import Base
from talent_platform.audit import AuditColumns


class AuditEntry(AuditColumns, Base):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_entity", "entity", "entity_id"),
        Index("ix_audit_entry_at", "at"),
    )
