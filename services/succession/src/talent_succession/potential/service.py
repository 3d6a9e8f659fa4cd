"""Potential assessments and high-potential designations (confidential, audited).

Assessments are never overwritten: each one is a new row, and the latest (by
assessment date, then recording time) is the employee's current potential. A
designation stays open until it is ended; designating again while one is open is a
Conflict.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.succession import HighPotentialDesignated, PotentialAssessed
from talent_platform.auth import Principal
from talent_platform.calendar import add_months
from talent_platform.errors import Conflict, ErrorCollector, NotFound
from talent_platform.events import Outbox
from talent_succession.audit.service import AuditLog, require_confidential, snapshot
from talent_succession.config import SuccessionSettings
from talent_succession.dates import EARLIEST_DAY, latest_allowed_day, today
from talent_succession.db import outbox
from talent_succession.key_roles.models import LEVELS
from talent_succession.ninebox.placements import refresh_placements
from talent_succession.people.repository import EmployeeProjectionRepository
from talent_succession.potential.models import HighPotentialDesignation, PotentialAssessment


@dataclass(frozen=True)
class PotentialInput:
    employee_id: uuid.UUID
    potential: str
    assessed_on: dt.date
    assessor_id: uuid.UUID | None = None
    review_by: dt.date | None = None
    notes: str = ""


@dataclass(frozen=True)
class DesignationInput:
    employee_id: uuid.UUID
    designated_on: dt.date
    reason: str
    review_date: dt.date | None = None


def potential_assessed(row: PotentialAssessment) -> PotentialAssessed:
    return PotentialAssessed(
        assessment_id=row.id,
        employee_id=row.employee_id,
        potential=row.potential,
        assessed_on=row.assessed_on,
        assessor_id=row.assessor_id,
        review_by=row.review_by,
    )


def hipo_event(row: HighPotentialDesignation, *, designated: bool) -> HighPotentialDesignated:
    return HighPotentialDesignated(
        designation_id=row.id,
        employee_id=row.employee_id,
        designated=designated,
        designated_on=row.designated_on if designated else (row.ended_on or row.designated_on),
        reason=row.reason if designated else (row.end_reason or ""),
        review_date=row.review_date,
    )


class PotentialService:
    def __init__(
        self,
        session: AsyncSession,
        principal: Principal,
        events: Outbox = outbox,
        settings: SuccessionSettings | None = None,
    ) -> None:
        self.session = session
        self.principal = principal
        self.events = events
        self.review_months = (settings or SuccessionSettings()).review_interval_months
        self.employees = EmployeeProjectionRepository(session)
        self.audit = AuditLog(session, principal)

    async def _check_employee(self, errors: ErrorCollector, employee_id: uuid.UUID) -> None:
        employee = await self.employees.get_or_none(employee_id)
        if employee is None:
            errors.add("input.employeeId", f"no employee {employee_id}")
        elif employee.status != "active":
            errors.add("input.employeeId", f"employee {employee.employee_number} is not active")
        if employee_id == self.principal.employee_id:
            errors.add("input.employeeId", "nobody assesses or designates themself")

    async def assess(self, data: PotentialInput) -> PotentialAssessment:
        await require_confidential(self.session, self.principal)
        errors = ErrorCollector()
        await self._check_employee(errors, data.employee_id)
        if data.potential not in LEVELS:
            errors.add("input.potential", f"must be one of {', '.join(LEVELS)}")
        _check_day(errors, "input.assessedOn", data.assessed_on)
        if data.review_by is not None and data.review_by <= data.assessed_on:
            errors.add("input.reviewBy", "must be after the assessment date")
        if (
            data.assessor_id is not None
            and await self.employees.get_or_none(data.assessor_id) is None
        ):
            errors.add("input.assessorId", f"no employee {data.assessor_id}")
        errors.raise_if_any()
        row = PotentialAssessment(
            id=uuid.uuid4(),
            employee_id=data.employee_id,
            potential=data.potential,
            assessed_on=data.assessed_on,
            assessor_id=data.assessor_id or self.principal.employee_id,
            review_by=data.review_by or add_months(data.assessed_on, self.review_months),
            notes=data.notes,
            source="manual",
            recorded_by=self.principal.subject,
        )
        self.session.add(row)
        await self.session.flush()
        await self.session.run_sync(refresh_placements, [row.employee_id])
        await self.audit.record(
            "potential.assessed", "potential_assessment", row.id, after=snapshot(row)
        )
        await self.session.run_sync(self.events.add, potential_assessed(row))
        return row

    async def designate(self, data: DesignationInput) -> HighPotentialDesignation:
        await require_confidential(self.session, self.principal)
        errors = ErrorCollector()
        await self._check_employee(errors, data.employee_id)
        _check_day(errors, "input.designatedOn", data.designated_on)
        if not data.reason.strip():
            errors.add("input.reason", "must not be empty")
        if data.review_date is not None and data.review_date <= data.designated_on:
            errors.add("input.reviewDate", "must be after the designation date")
        errors.raise_if_any()
        if await self._open_designation(data.employee_id) is not None:
            raise Conflict("the employee is already designated high potential")
        row = HighPotentialDesignation(
            id=uuid.uuid4(),
            employee_id=data.employee_id,
            designated_on=data.designated_on,
            reason=data.reason.strip(),
            review_date=data.review_date or add_months(data.designated_on, self.review_months),
            designated_by=self.principal.subject,
        )
        self.session.add(row)
        await self.session.flush()
        await self.audit.record(
            "high_potential.designated", "high_potential_designation", row.id, after=snapshot(row)
        )
        await self.session.run_sync(self.events.add, hipo_event(row, designated=True))
        return row

    async def end_designation(
        self, employee_id: uuid.UUID, *, ended_on: dt.date, reason: str
    ) -> HighPotentialDesignation:
        await require_confidential(self.session, self.principal)
        row = await self._open_designation(employee_id)
        if row is None:
            raise NotFound("high-potential designation", employee_id)
        errors = ErrorCollector()
        _check_day(errors, "input.endedOn", ended_on)
        if ended_on < row.designated_on:
            errors.add("input.endedOn", "is before the designation date")
        if not reason.strip():
            errors.add("input.reason", "must not be empty")
        errors.raise_if_any()
        before = snapshot(row)
        row.ended_on, row.end_reason = ended_on, reason.strip()
        await self.session.flush()
        await self.audit.record(
            "high_potential.ended",
            "high_potential_designation",
            row.id,
            before=before,
            after=snapshot(row),
        )
        await self.session.run_sync(self.events.add, hipo_event(row, designated=False))
        return row

    async def _open_designation(self, employee_id: uuid.UUID) -> HighPotentialDesignation | None:
        return await self.session.scalar(
            select(HighPotentialDesignation).where(
                HighPotentialDesignation.employee_id == employee_id,
                HighPotentialDesignation.ended_on.is_(None),
            )
        )

    async def histories(
        self, employee_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[PotentialAssessment]]:
        """Each employee's assessments, newest first (one query for all)."""
        rows = await self.session.scalars(
            select(PotentialAssessment)
            .where(PotentialAssessment.employee_id.in_(employee_ids))
            .order_by(
                PotentialAssessment.employee_id,
                PotentialAssessment.assessed_on.desc(),
                PotentialAssessment.created_at.desc(),
            )
        )
        grouped: dict[uuid.UUID, list[PotentialAssessment]] = defaultdict(list)
        for row in rows:
            grouped[row.employee_id].append(row)
        return grouped

    async def designations(
        self, employee_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[HighPotentialDesignation]]:
        rows = await self.session.scalars(
            select(HighPotentialDesignation)
            .where(HighPotentialDesignation.employee_id.in_(employee_ids))
            .order_by(
                HighPotentialDesignation.employee_id,
                HighPotentialDesignation.designated_on.desc(),
            )
        )
        grouped: dict[uuid.UUID, list[HighPotentialDesignation]] = defaultdict(list)
        for row in rows:
            grouped[row.employee_id].append(row)
        return grouped


def _check_day(errors: ErrorCollector, field: str, day: dt.date) -> None:
    if day > latest_allowed_day():
        errors.add(field, f"{day} is in the future")
    elif day < EARLIEST_DAY:
        errors.add(field, "is not a plausible date")


__all__ = ["DesignationInput", "PotentialInput", "PotentialService", "today"]
