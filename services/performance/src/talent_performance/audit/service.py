"""Writing and reading the audit log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select

from talent_performance.audit.models import AuditEntry
from talent_platform.auth import Principal
from talent_platform.db import Repository


class AuditLog(Repository[AuditEntry]):
    model = AuditEntry
    entity_name = "audit entry"

    def record(
        self,
        principal: Principal,
        *,
        action: str,
        entity: str,
        entity_id: uuid.UUID,
        employee_id: uuid.UUID | None = None,
        old: dict[str, object] | None = None,
        new: dict[str, object] | None = None,
        reason: str | None = None,
    ) -> AuditEntry:
        return self.add(
            AuditEntry(
                id=uuid.uuid4(),
                actor=principal.subject,
                action=action,
                entity=entity,
                entity_id=entity_id,
                employee_id=employee_id,
                old=old,
                new=new,
                reason=reason,
            )
        )

    async def page(
        self,
        *,
        entity_id: uuid.UUID | None,
        employee_id: uuid.UUID | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[AuditEntry], int]:
        statement = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id)
        if entity_id is not None:
            statement = statement.where(AuditEntry.entity_id == entity_id)
        if employee_id is not None:
            statement = statement.where(AuditEntry.employee_id == employee_id)
        return await self.paginate(statement, offset=offset, limit=limit)
