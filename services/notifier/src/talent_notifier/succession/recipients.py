"""Who receives succession notices and the HR leader's digest: a list admins maintain
(audited in `audit_entry`, like webhooks). Roles are token claims the OIDC issuer
grants, not data any service holds, so the notifier cannot find the HR leaders itself
(docs/notifier.md, "Who hears about succession")."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_notifier.audit.models import AuditEntry
from talent_notifier.notifications.recipients import TERMINATED
from talent_notifier.people.models import EmployeeProjection
from talent_notifier.succession.models import SuccessionRecipient
from talent_platform.audit import record_audit
from talent_platform.auth import Principal, unit_in_scope
from talent_platform.db.repository import Repository
from talent_platform.errors import Conflict, ErrorCollector, Forbidden, NotFound

ADMINS_ONLY = "succession-notice recipients are managed by admins only"
MAX_ORG_UNIT_LENGTH = 200


@dataclass(frozen=True)
class Recipient:
    """An active recipient, as the consumer and the digest use it."""

    employee_id: uuid.UUID
    org_unit_code: str | None

    def hears_about(self, employee_id: uuid.UUID | None, *, org_unit_code: str | None) -> bool:
        """Whether a notice about `employee_id` (None: about no employee, a key role) is
        for this recipient: never about their own records; with an org unit, only about
        employees of that unit or below."""
        if employee_id is None:
            return True
        if employee_id == self.employee_id:
            return False
        return self.org_unit_code is None or unit_in_scope(org_unit_code, {self.org_unit_code})


def active_recipients(session: Session) -> list[Recipient]:
    """The recipients not removed and not terminated (someone the projection does not
    know yet is left out until it does: there is nowhere to write to)."""
    rows = session.execute(
        select(SuccessionRecipient.employee_id, SuccessionRecipient.org_unit_code)
        .join(EmployeeProjection, EmployeeProjection.employee_id == SuccessionRecipient.employee_id)
        .where(SuccessionRecipient.removed_at.is_(None), EmployeeProjection.status != TERMINATED)
        .order_by(SuccessionRecipient.employee_id)
    )
    return [Recipient(row.employee_id, row.org_unit_code) for row in rows]


class SuccessionRecipientRepository(Repository[SuccessionRecipient]):
    model = SuccessionRecipient
    entity_name = "succession recipient"

    def active(self) -> Select[SuccessionRecipient]:
        return (
            select(SuccessionRecipient)
            .where(SuccessionRecipient.removed_at.is_(None))
            .order_by(SuccessionRecipient.created_at.desc(), SuccessionRecipient.id.desc())
        )

    async def active_of(self, employee_id: uuid.UUID) -> SuccessionRecipient | None:
        return await self.one_or_none(
            select(SuccessionRecipient).where(
                SuccessionRecipient.employee_id == employee_id,
                SuccessionRecipient.removed_at.is_(None),
            )
        )


def audited(recipient: SuccessionRecipient) -> dict[str, object]:
    return {"employee_id": str(recipient.employee_id), "org_unit_code": recipient.org_unit_code}


class SuccessionRecipientService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.recipients = SuccessionRecipientRepository(session)

    def _admin(self) -> None:
        if not self.principal.is_admin:
            raise Forbidden(ADMINS_ONLY)

    async def add(
        self, *, employee_id: uuid.UUID, org_unit_code: str | None
    ) -> SuccessionRecipient:
        """Make an employee a recipient. NotFound when the notifier does not know them
        (people has not told it yet) or they are terminated; Conflict when they already
        are one."""
        self._admin()
        errors = ErrorCollector()
        if org_unit_code is not None:
            org_unit_code = org_unit_code.strip()
            if not org_unit_code:
                errors.add("input.orgUnitCode", "must not be empty (leave it out for everyone)")
            elif len(org_unit_code) > MAX_ORG_UNIT_LENGTH:
                errors.add("input.orgUnitCode", f"must be at most {MAX_ORG_UNIT_LENGTH} characters")
        errors.raise_if_any()
        employee = await self.session.scalar(
            select(EmployeeProjection).where(EmployeeProjection.employee_id == employee_id)
        )
        if employee is None or employee.status == TERMINATED:
            raise NotFound("employee", employee_id)
        if await self.recipients.active_of(employee_id) is not None:
            raise Conflict("this employee already receives succession notices")
        recipient = await self.recipients.create(
            SuccessionRecipient(
                id=uuid.uuid4(),
                employee_id=employee_id,
                org_unit_code=org_unit_code,
                created_by=self.principal.subject,
            )
        )
        await record_audit(
            self.session,
            AuditEntry,
            self.principal,
            "succession_recipient.added",
            "succession_recipient",
            recipient.id,
            after=audited(recipient),
        )
        return recipient

    async def remove(self, employee_id: uuid.UUID) -> SuccessionRecipient:
        """They hear about succession no more (kept, with `removed_at`, for the audit
        trail); what was already recorded for them stays in their inbox."""
        self._admin()
        recipient = await self.recipients.active_of(employee_id)
        if recipient is None:
            raise NotFound("succession recipient", employee_id)
        now = dt.datetime.now(dt.UTC)
        await self.recipients.update(recipient, {"removed_at": now, "updated_at": now})
        await record_audit(
            self.session,
            AuditEntry,
            self.principal,
            "succession_recipient.removed",
            "succession_recipient",
            recipient.id,
            before=audited(recipient),
        )
        return recipient

    async def page(self, *, offset: int, limit: int) -> tuple[Sequence[SuccessionRecipient], int]:
        self._admin()
        return await self.recipients.paginate(self.recipients.active(), offset=offset, limit=limit)
