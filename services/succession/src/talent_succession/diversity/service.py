"""Diversity attributes the customer supplies, and the slate-diversity report.

Nothing here is inferred: an attribute exists only because hr_leader or admin set it
(`setDiversityAttributes`). Writes are hr_leader/admin only; reads (one employee's
attributes, the report) follow the confidential-access rule (hr_leader, admin, granted
hr_coordinator), never about oneself. Every write and read is audited. The attributes
are never published in events and no ranking reads them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, delete, exists, func, select, true, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from talent_platform.auth import Principal, Role
from talent_platform.errors import ErrorCollector, NotFound
from talent_succession.audit.service import AuditLog, require_confidential
from talent_succession.diversity.models import DiversityAttribute
from talent_succession.key_roles.models import KeyRole
from talent_succession.people.repository import EmployeeProjectionRepository
from talent_succession.slates.models import Nomination

WRITER_ROLES = (Role.HR_LEADER, Role.ADMIN)
MAX_ATTRIBUTES = 50


@dataclass(frozen=True)
class AttributeValue:
    name: str
    value: str


@dataclass(frozen=True)
class DiversityCount:
    key_role_code: str | None
    """None on the rolled-up row (all slates)."""
    attribute: str
    value: str | None
    """None counts the nominees for whom this attribute was not supplied."""
    nominees: int


def check_attribute(errors: ErrorCollector, field: str, name: str, value: str) -> None:
    if not name.strip() or len(name.strip()) > 100:
        errors.add(f"{field}.name", "must be 1-100 characters")
    if not value.strip() or len(value.strip()) > 200:
        errors.add(f"{field}.value", "must be 1-200 characters")


class DiversityService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.employees = EmployeeProjectionRepository(session)
        self.audit = AuditLog(session, principal)

    async def set_attributes(
        self, employee_id: uuid.UUID, attributes: Sequence[AttributeValue]
    ) -> list[DiversityAttribute]:
        """Replace the employee's attributes with these (an empty list clears them).
        Setting the same set again changes nothing and audits no change."""
        self.principal.require(*WRITER_ROLES)
        errors = ErrorCollector()
        if await self.employees.get_or_none(employee_id) is None:
            errors.add("input.employeeId", f"no employee {employee_id}")
        elif employee_id == self.principal.employee_id:
            errors.add("input.employeeId", "nobody supplies their own attributes")
        if len(attributes) > MAX_ATTRIBUTES:
            errors.add("input.attributes", f"at most {MAX_ATTRIBUTES} attributes")
        seen: set[str] = set()
        for i, attribute in enumerate(attributes):
            check_attribute(errors, f"input.attributes[{i}]", attribute.name, attribute.value)
            if attribute.name.strip() in seen:
                errors.add(f"input.attributes[{i}].name", "is given twice")
            seen.add(attribute.name.strip())
        errors.raise_if_any()
        wanted = {a.name.strip(): a.value.strip() for a in attributes}
        before = await self._values(employee_id)
        if before != wanted:
            await self.session.execute(
                delete(DiversityAttribute).where(DiversityAttribute.employee_id == employee_id)
            )
            for name, value in sorted(wanted.items()):
                self.session.add(
                    DiversityAttribute(
                        employee_id=employee_id,
                        name=name,
                        value=value,
                        supplied_by=self.principal.subject,
                    )
                )
            await self.session.flush()
            await self.audit.record(
                "diversity.set", "employee", employee_id, before=before, after=wanted
            )
        return await self._rows(employee_id)

    async def attributes_of(self, employee_id: uuid.UUID) -> list[DiversityAttribute]:
        await require_confidential(self.session, self.principal)
        if employee_id == self.principal.employee_id:
            raise NotFound("employee", employee_id)
        rows = await self._rows(employee_id)
        await self.audit.record(
            "diversity.read", "employee", employee_id, after={"attributes": len(rows)}
        )
        return rows

    async def slate_diversity(self, attribute: str | None = None) -> list[DiversityCount]:
        """Open nominees per key role, attribute and value, plus the rolled-up rows over
        all slates; a nominee without the attribute counts as not supplied (value None).
        One aggregate query. Empty when nobody supplied any attribute."""
        await require_confidential(self.session, self.principal)
        await self.audit.record(
            "report.read", "report", "slate_diversity", after={"attribute": attribute}
        )
        names_query = select(DiversityAttribute.name).distinct()
        if attribute is not None:
            names_query = names_query.where(DiversityAttribute.name == attribute)
        names = names_query.subquery("names")
        value = DiversityAttribute.value
        statement = (
            select(
                KeyRole.code,
                func.grouping(KeyRole.code),
                names.c.name,
                value,
                func.count(Nomination.id),
            )
            .select_from(Nomination)
            .join(KeyRole, KeyRole.id == Nomination.key_role_id)
            .join(names, true())
            .outerjoin(
                DiversityAttribute,
                and_(
                    DiversityAttribute.employee_id == Nomination.employee_id,
                    DiversityAttribute.name == names.c.name,
                ),
            )
            .where(Nomination.removed_on.is_(None))
            .group_by(
                func.grouping_sets(
                    tuple_(names.c.name, KeyRole.code, value),
                    tuple_(names.c.name, value),
                )
            )
        )
        if self.principal.employee_id is not None:
            statement = statement.where(Nomination.employee_id != self.principal.employee_id)
        rows = (await self.session.execute(statement)).all()
        found = [
            DiversityCount(
                key_role_code=None if rolled_up else code,
                attribute=name,
                value=val,
                nominees=count,
            )
            for code, rolled_up, name, val, count in rows
        ]
        return sorted(
            found,
            key=lambda c: (
                c.key_role_code is not None,
                c.key_role_code or "",
                c.attribute,
                c.value is None,
                c.value or "",
            ),
        )

    async def any_supplied(self) -> bool:
        return bool(await self.session.scalar(select(exists().select_from(DiversityAttribute))))

    async def _rows(self, employee_id: uuid.UUID) -> list[DiversityAttribute]:
        return list(
            await self.session.scalars(
                select(DiversityAttribute)
                .where(DiversityAttribute.employee_id == employee_id)
                .order_by(DiversityAttribute.name)
            )
        )

    async def _values(self, employee_id: uuid.UUID) -> dict[str, str]:
        return {r.name: r.value for r in await self._rows(employee_id)}
