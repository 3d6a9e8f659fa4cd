"""Key roles: defining and changing them, and reading them as lists."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_platform.auth import Principal
from talent_platform.errors import ErrorCollector, NotFound
from talent_platform.events import Outbox
from talent_succession.audit.service import AuditLog, require_confidential, snapshot
from talent_succession.dates import EARLIEST_DAY, today
from talent_succession.db import outbox
from talent_succession.key_roles.events import key_role_defined, key_role_vacated
from talent_succession.key_roles.models import LEVELS, KeyRole
from talent_succession.key_roles.repository import KeyRoleRepository
from talent_succession.people.repository import EmployeeProjectionRepository
from talent_succession.slates.models import Nomination

_FIELDS = (
    "title",
    "job_profile_code",
    "incumbent_id",
    "org_unit_code",
    "criticality",
    "risk_of_loss",
    "impact_of_loss",
    "expected_vacancy_date",
)


class KeyRoleSort(Enum):
    CODE = "code"
    TITLE = "title"
    CRITICALITY = "criticality"
    EXPECTED_VACANCY_DATE = "expected_vacancy_date"


@dataclass(frozen=True)
class KeyRoleInput:
    code: str
    title: str
    criticality: str
    job_profile_code: str | None = None
    incumbent_id: uuid.UUID | None = None
    org_unit_code: str | None = None
    risk_of_loss: str | None = None
    impact_of_loss: str | None = None
    expected_vacancy_date: dt.date | None = None


@dataclass(frozen=True)
class KeyRoleFilter:
    search: str | None = None
    org_unit_code: str | None = None
    criticality: str | None = None
    vacant: bool | None = None
    without_ready_successor: bool | None = None


class KeyRoleService:
    def __init__(
        self, session: AsyncSession, principal: Principal, events: Outbox = outbox
    ) -> None:
        self.session = session
        self.principal = principal
        self.events = events
        self.roles = KeyRoleRepository(session)
        self.employees = EmployeeProjectionRepository(session)
        self.audit = AuditLog(session, principal)

    async def define(self, data: KeyRoleInput) -> KeyRole:
        """Create the key role `data.code`, or change it to `data`. An unchanged role
        writes and publishes nothing."""
        await require_confidential(self.session, self.principal)
        errors = ErrorCollector()
        if not data.code.strip() or len(data.code) > 100:
            errors.add("input.code", "must be 1-100 characters")
        if not data.title.strip() or len(data.title) > 300:
            errors.add("input.title", "must be 1-300 characters")
        for name in ("criticality", "risk_of_loss", "impact_of_loss"):
            value = getattr(data, name)
            if (value is not None or name == "criticality") and value not in LEVELS:
                errors.add(f"input.{_camel(name)}", f"must be one of {', '.join(LEVELS)}")
        if data.incumbent_id is not None:
            incumbent = await self.employees.get_or_none(data.incumbent_id)
            if incumbent is None:
                errors.add("input.incumbentId", f"no employee {data.incumbent_id}")
            elif incumbent.status != "active":
                errors.add(
                    "input.incumbentId", f"employee {incumbent.employee_number} is not active"
                )
        if data.expected_vacancy_date is not None and data.expected_vacancy_date < EARLIEST_DAY:
            errors.add("input.expectedVacancyDate", "is not a plausible date")
        errors.raise_if_any()

        role = await self.roles.by_code(data.code)
        values = {name: getattr(data, name) for name in _FIELDS}
        if role is None:
            role = await self.roles.create(KeyRole(id=uuid.uuid4(), code=data.code, **values))
            await self.audit.record("key_role.defined", "key_role", role.id, after=snapshot(role))
            await self.session.run_sync(self.events.add, key_role_defined(role))
            return role
        if all(getattr(role, name) == value for name, value in values.items()):
            return role
        before = snapshot(role)
        previous_incumbent = role.incumbent_id
        if values["incumbent_id"] is not None:
            values["vacated_on"] = None
        elif previous_incumbent is not None:
            values["vacated_on"] = today()
        await self.roles.update(role, values)
        await self.audit.record(
            "key_role.changed", "key_role", role.id, before=before, after=snapshot(role)
        )
        await self.session.run_sync(self.events.add, key_role_defined(role))
        if previous_incumbent is not None and role.incumbent_id is None:
            await self.session.run_sync(
                self.events.add,
                key_role_vacated(
                    role, previous_incumbent_id=previous_incumbent, reason="cleared", on=today()
                ),
            )
        return role

    async def get(self, code: str) -> KeyRole:
        await require_confidential(self.session, self.principal)
        found = await self.roles.by_code(code)
        if found is None:
            raise NotFound("key role", code)
        return found

    async def get_or_none(self, code: str) -> KeyRole | None:
        await require_confidential(self.session, self.principal)
        return await self.roles.by_code(code)

    async def by_ids(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, KeyRole]:
        return await self.roles.by_ids(ids)

    async def query(
        self, flt: KeyRoleFilter, *, sort: KeyRoleSort = KeyRoleSort.CODE, descending: bool = False
    ) -> Select[KeyRole]:
        await require_confidential(self.session, self.principal)
        stmt = select(KeyRole)
        if flt.search:
            pattern = f"%{flt.search.lower()}%"
            stmt = stmt.where(
                or_(func.lower(KeyRole.title).like(pattern), func.lower(KeyRole.code).like(pattern))
            )
        if flt.org_unit_code:
            stmt = stmt.where(KeyRole.org_unit_code == flt.org_unit_code)
        if flt.criticality:
            stmt = stmt.where(KeyRole.criticality == flt.criticality)
        if flt.vacant is not None:
            stmt = stmt.where(
                KeyRole.incumbent_id.is_(None) if flt.vacant else KeyRole.incumbent_id.is_not(None)
            )
        if flt.without_ready_successor is not None:
            ready = (
                select(Nomination.id)
                .where(
                    Nomination.key_role_id == KeyRole.id,
                    Nomination.removed_on.is_(None),
                    Nomination.readiness == "ready_now",
                )
                .exists()
            )
            stmt = stmt.where(~ready if flt.without_ready_successor else ready)
        column = {
            KeyRoleSort.CODE: KeyRole.code,
            KeyRoleSort.TITLE: KeyRole.title,
            KeyRoleSort.CRITICALITY: case(
                {"low": 1, "medium": 2, "high": 3}, value=KeyRole.criticality
            ),
            KeyRoleSort.EXPECTED_VACANCY_DATE: KeyRole.expected_vacancy_date,
        }[sort]
        ordered = column.desc().nulls_last() if descending else column.asc().nulls_last()
        return stmt.order_by(ordered, KeyRole.code)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
