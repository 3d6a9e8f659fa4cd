"""Who may see and change succession data, and the audit log of what they did.

Potential, high-potential flags, readiness, slates and talent reviews are confidential:
hr_leader and admin see them; an hr_coordinator only with a grant an admin gave
(`grantSuccessionAccess`). Employees and managers (by token role) see nothing: queries
raise FORBIDDEN. Nobody sees records about themself (an hr_leader who is on a slate does
not see that nomination), so an employee never learns their own designation.
Every read of a slate and every change is written to `audit_entry` in the request's
transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_platform.audit import record_audit
from talent_platform.auth import Principal, Role
from talent_platform.errors import Forbidden
from talent_succession.audit.models import AccessGrant, AuditEntry

CONFIDENTIAL_ROLES = (Role.HR_LEADER, Role.ADMIN)


async def has_grant(session: AsyncSession, subject: str) -> bool:
    return bool(await session.scalar(select(exists().where(AccessGrant.subject == subject))))


async def can_see_confidential(session: AsyncSession, principal: Principal) -> bool:
    if principal.has_role(*CONFIDENTIAL_ROLES):
        return True
    if principal.has_role(Role.HR_COORDINATOR):
        return await has_grant(session, principal.subject)
    return False


async def require_confidential(session: AsyncSession, principal: Principal) -> None:
    """Raise Forbidden unless `principal` may see (and change) succession data."""
    if not await can_see_confidential(session, principal):
        raise Forbidden(
            "succession data is visible to hr_leader and admin only "
            "(and to an hr_coordinator an admin granted access)"
        )


def snapshot(model: object, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    """A JSON-able copy of a model's columns (or the named ones) for the audit log."""
    if fields is None:
        table = getattr(model, "__table__", None)
        fields = tuple(c.key for c in table.columns) if table is not None else ()
    return {name: _jsonable(getattr(model, name)) for name in fields}


def _jsonable(value: object) -> Any:
    if isinstance(value, uuid.UUID | dt.date | dt.datetime):
        return value.isoformat() if not isinstance(value, uuid.UUID) else str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return value


def record_entry(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: object,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """One entry by `actor` (a token subject, or the consumer that made the change),
    added to the session: for the domain functions that consumers call directly and
    services through `run_sync`, which flush it with their own changes."""
    session.add(
        AuditEntry(
            actor=actor,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=_jsonable(before) if before is not None else None,
            after=_jsonable(after) if after is not None else None,
        )
    )


class AuditLog:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    async def record(
        self,
        action: str,
        entity: str,
        entity_id: object | None = None,
        *,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
    ) -> None:
        await record_audit(
            self.session,
            AuditEntry,
            self.principal,
            action,
            entity,
            entity_id,
            before=_jsonable(before) if before is not None else None,
            after=_jsonable(after) if after is not None else None,
        )


class AccessService:
    """Grants of confidential access to hr_coordinators (admin only)."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.audit = AuditLog(session, principal)

    async def grant(self, subject: str) -> AccessGrant:
        self.principal.require(Role.ADMIN)
        found = await self.session.scalar(select(AccessGrant).where(AccessGrant.subject == subject))
        if found is not None:
            return found
        grant = AccessGrant(subject=subject, granted_by=self.principal.subject)
        self.session.add(grant)
        await self.session.flush()
        await self.audit.record(
            "access.granted", "access_grant", subject, after={"subject": subject}
        )
        return grant

    async def revoke(self, subject: str) -> bool:
        self.principal.require(Role.ADMIN)
        found = await self.session.scalar(select(AccessGrant).where(AccessGrant.subject == subject))
        if found is None:
            return False
        await self.session.delete(found)
        await self.session.flush()
        await self.audit.record(
            "access.revoked", "access_grant", subject, before={"subject": subject}
        )
        return True
