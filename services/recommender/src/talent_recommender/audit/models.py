"""The recommender's audit trail: every read of successor suggestions and every
dismissal of one (who, when, which key role, what was suggested or dismissed).
Application logs are not an audit trail HR can query; this table is, through
`recommenderAuditLog`. What was read or dismissed is in `after`."""

from __future__ import annotations

from sqlalchemy import Index

from talent_platform.audit import AuditColumns
from talent_recommender.db import Base


class AuditEntry(AuditColumns, Base):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_entity", "entity", "entity_id"),
        Index("ix_audit_entry_at", "at"),
    )
