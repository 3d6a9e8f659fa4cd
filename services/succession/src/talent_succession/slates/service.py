"""Successor slates: nominating, re-assessing readiness, re-ranking and removing
successors of a key role (confidential, audited; reads of a slate are audited too).

Rules: the successor is an active employee, not the role's incumbent and not already on
the slate; ranks are unique among a slate's open nominations; dates are not in the
future (review-by dates are after the assessment). Removal keeps the row (the slate's
history) with its reason.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_platform.auth import Principal
from talent_platform.calendar import add_months
from talent_platform.errors import Conflict, ErrorCollector, NotFound
from talent_platform.events import Outbox
from talent_succession.audit.service import AuditLog, require_confidential, snapshot
from talent_succession.config import SuccessionSettings
from talent_succession.dates import EARLIEST_DAY, latest_allowed_day, today
from talent_succession.db import outbox
from talent_succession.key_roles.models import KeyRole
from talent_succession.key_roles.repository import KeyRoleRepository
from talent_succession.people.repository import EmployeeProjectionRepository
from talent_succession.slates.events import readiness_assessed, successor_nominated
from talent_succession.slates.models import READINESS, Nomination, ReadinessAssessment
from talent_succession.slates.removal import remove_successor


@dataclass(frozen=True)
class NominationInput:
    key_role_code: str
    employee_id: uuid.UUID
    readiness: str
    rank: int | None = None
    notes: str = ""
    emergency: bool = False
    suggestion_id: uuid.UUID | None = None
    nominated_on: dt.date | None = None
    review_by: dt.date | None = None


@dataclass(frozen=True)
class ReadinessInput:
    nomination_id: uuid.UUID
    readiness: str
    assessed_on: dt.date
    review_by: dt.date | None = None


@dataclass(frozen=True)
class NominationChange:
    nomination_id: uuid.UUID
    rank: int | None = None
    notes: str | None = None
    emergency: bool | None = None


@dataclass(frozen=True)
class BenchCounts:
    ready_now: int = 0
    ready_1_2_years: int = 0
    ready_3_plus_years: int = 0

    @property
    def total(self) -> int:
        return self.ready_now + self.ready_1_2_years + self.ready_3_plus_years


class SlateService:
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
        self.roles = KeyRoleRepository(session)
        self.employees = EmployeeProjectionRepository(session)
        self.audit = AuditLog(session, principal)

    async def nominate(self, data: NominationInput) -> Nomination:
        await require_confidential(self.session, self.principal)
        role = await self.roles.by_code(data.key_role_code)
        if role is None:
            raise NotFound("key role", data.key_role_code)
        errors = ErrorCollector()
        employee = await self.employees.get_or_none(data.employee_id)
        if employee is None:
            errors.add("input.employeeId", f"no employee {data.employee_id}")
        elif employee.status != "active":
            errors.add("input.employeeId", f"employee {employee.employee_number} is terminated")
        if data.employee_id == role.incumbent_id:
            errors.add("input.employeeId", "the incumbent cannot succeed themself")
        if data.employee_id == self.principal.employee_id:
            errors.add("input.employeeId", "nobody nominates themself")
        if data.readiness not in READINESS:
            errors.add("input.readiness", f"must be one of {', '.join(READINESS)}")
        if data.rank is not None and not 1 <= data.rank <= 1000:
            errors.add("input.rank", "must be between 1 and 1000")
        nominated_on = data.nominated_on or today()
        _check_day(errors, "input.nominatedOn", nominated_on)
        if data.review_by is not None and data.review_by <= nominated_on:
            errors.add("input.reviewBy", "must be after the nomination date")
        if len(data.notes) > 5000:
            errors.add("input.notes", "must be at most 5000 characters")
        errors.raise_if_any()

        open_rows = await self._open(role.id, lock=True)
        if any(n.employee_id == data.employee_id for n in open_rows):
            raise Conflict(f"the employee is already on the slate of {role.code}")
        taken = {n.rank: n for n in open_rows}
        rank = data.rank if data.rank is not None else max(taken, default=0) + 1
        if rank in taken:
            errors.add("input.rank", f"rank {rank} is taken on the slate of {role.code}")
            errors.raise_if_any()
        nomination = Nomination(
            id=uuid.uuid4(),
            key_role_id=role.id,
            employee_id=data.employee_id,
            readiness=data.readiness,
            rank=rank,
            notes=data.notes,
            emergency=data.emergency,
            suggestion_id=data.suggestion_id,
            nominated_on=nominated_on,
            nominated_by=self.principal.subject,
            readiness_assessed_on=nominated_on,
            review_by=data.review_by or add_months(nominated_on, self.review_months),
        )
        self.session.add(nomination)
        await self.session.flush()
        self.session.add(
            ReadinessAssessment(
                nomination_id=nomination.id,
                readiness=nomination.readiness,
                assessed_on=nominated_on,
                assessed_by=self.principal.subject,
            )
        )
        await self.audit.record(
            "successor.nominated", "nomination", nomination.id, after=snapshot(nomination)
        )
        await self.session.run_sync(
            self.events.add, successor_nominated(nomination, role), readiness_assessed(nomination)
        )
        return nomination

    async def assess_readiness(self, data: ReadinessInput) -> Nomination:
        await require_confidential(self.session, self.principal)
        nomination = await self._get_open(data.nomination_id)
        errors = ErrorCollector()
        if data.readiness not in READINESS:
            errors.add("input.readiness", f"must be one of {', '.join(READINESS)}")
        _check_day(errors, "input.assessedOn", data.assessed_on)
        if data.assessed_on < nomination.nominated_on:
            errors.add("input.assessedOn", "is before the nomination")
        if data.review_by is not None and data.review_by <= data.assessed_on:
            errors.add("input.reviewBy", "must be after the assessment date")
        errors.raise_if_any()
        before = snapshot(nomination)
        nomination.readiness = data.readiness
        nomination.readiness_assessed_on = data.assessed_on
        nomination.review_by = data.review_by or add_months(data.assessed_on, self.review_months)
        self.session.add(
            ReadinessAssessment(
                nomination_id=nomination.id,
                readiness=data.readiness,
                assessed_on=data.assessed_on,
                assessed_by=self.principal.subject,
            )
        )
        await self.session.flush()
        await self.audit.record(
            "readiness.assessed",
            "nomination",
            nomination.id,
            before=before,
            after=snapshot(nomination),
        )
        await self.session.run_sync(self.events.add, readiness_assessed(nomination))
        return nomination

    async def change(self, data: NominationChange) -> Nomination:
        """Change rank, notes or the emergency flag (None leaves a field as it is)."""
        await require_confidential(self.session, self.principal)
        nomination = await self._get_open(data.nomination_id)
        errors = ErrorCollector()
        if data.rank is not None:
            if not 1 <= data.rank <= 1000:
                errors.add("input.rank", "must be between 1 and 1000")
            others = await self._open(nomination.key_role_id, lock=True)
            if any(n.rank == data.rank and n.id != nomination.id for n in others):
                errors.add("input.rank", f"rank {data.rank} is taken on this slate")
        if data.notes is not None and len(data.notes) > 5000:
            errors.add("input.notes", "must be at most 5000 characters")
        errors.raise_if_any()
        before = snapshot(nomination)
        if data.rank is not None:
            nomination.rank = data.rank
        if data.notes is not None:
            nomination.notes = data.notes
        if data.emergency is not None:
            nomination.emergency = data.emergency
        await self.session.flush()
        await self.audit.record(
            "successor.changed",
            "nomination",
            nomination.id,
            before=before,
            after=snapshot(nomination),
        )
        return nomination

    async def remove(
        self, nomination_id: uuid.UUID, *, reason: str, removed_on: dt.date | None = None
    ) -> Nomination:
        await require_confidential(self.session, self.principal)
        nomination = await self._get_open(nomination_id)
        errors = ErrorCollector()
        if not reason.strip():
            errors.add("input.reason", "must not be empty")
        day = removed_on or today()
        _check_day(errors, "input.removedOn", day)
        if day < nomination.nominated_on:
            errors.add("input.removedOn", "is before the nomination")
        errors.raise_if_any()
        await self.session.run_sync(
            remove_successor, nomination, reason=reason.strip(), on=day, by=self.principal.subject
        )
        return nomination

    async def slates(
        self, roles: Collection[KeyRole], *, include_removed: bool = False
    ) -> dict[uuid.UUID, list[Nomination]]:
        """The slates of these roles (by rank; removed ones last), one query, each read
        audited. The caller's own nomination is left out."""
        await require_confidential(self.session, self.principal)
        ids = [r.id for r in roles]
        statement = select(Nomination).where(Nomination.key_role_id.in_(ids))
        if not include_removed:
            statement = statement.where(Nomination.removed_on.is_(None))
        if self.principal.employee_id is not None:
            statement = statement.where(Nomination.employee_id != self.principal.employee_id)
        statement = statement.order_by(
            Nomination.key_role_id, Nomination.removed_on.is_not(None), Nomination.rank
        )
        grouped: dict[uuid.UUID, list[Nomination]] = defaultdict(list)
        for row in await self.session.scalars(statement):
            grouped[row.key_role_id].append(row)
        for role in roles:
            await self.audit.record(
                "slate.read",
                "key_role",
                role.id,
                after={
                    "code": role.code,
                    "nominations": [str(n.id) for n in grouped.get(role.id, [])],
                },
            )
        return grouped

    async def nominations_of(
        self, employee_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[Nomination]]:
        """Open nominations of each employee (the caller checked visibility)."""
        rows = await self.session.scalars(
            select(Nomination)
            .where(Nomination.employee_id.in_(employee_ids), Nomination.removed_on.is_(None))
            .order_by(Nomination.employee_id, Nomination.rank)
        )
        grouped: dict[uuid.UUID, list[Nomination]] = defaultdict(list)
        for row in rows:
            grouped[row.employee_id].append(row)
        if grouped:
            for employee_id, rows_of in grouped.items():
                await self.audit.record(
                    "nominations.read",
                    "employee",
                    employee_id,
                    after={"nominations": [str(n.id) for n in rows_of]},
                )
        return grouped

    async def readiness_histories(
        self, nomination_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[ReadinessAssessment]]:
        rows = await self.session.scalars(
            select(ReadinessAssessment)
            .where(ReadinessAssessment.nomination_id.in_(nomination_ids))
            .order_by(
                ReadinessAssessment.nomination_id,
                ReadinessAssessment.assessed_on.desc(),
                ReadinessAssessment.created_at.desc(),
            )
        )
        grouped: dict[uuid.UUID, list[ReadinessAssessment]] = defaultdict(list)
        for row in rows:
            grouped[row.nomination_id].append(row)
        return grouped

    async def bench_counts(self, role_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, BenchCounts]:
        """Open nominations per role and readiness, one aggregate query."""
        rows = await self.session.execute(
            select(Nomination.key_role_id, Nomination.readiness, func.count())
            .where(Nomination.key_role_id.in_(role_ids), Nomination.removed_on.is_(None))
            .group_by(Nomination.key_role_id, Nomination.readiness)
        )
        counts: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
        for role_id, readiness, count in rows.all():
            counts[role_id][readiness] = count
        return {role_id: BenchCounts(**by_readiness) for role_id, by_readiness in counts.items()}

    async def _open(self, role_id: uuid.UUID, *, lock: bool = False) -> list[Nomination]:
        statement = select(Nomination).where(
            Nomination.key_role_id == role_id, Nomination.removed_on.is_(None)
        )
        if lock:
            # Serialises concurrent changes of one slate (ranks stay unique).
            await self.session.execute(
                select(KeyRole.id).where(KeyRole.id == role_id).with_for_update()
            )
        return list(await self.session.scalars(statement))

    async def _get_open(self, nomination_id: uuid.UUID) -> Nomination:
        nomination = await self.session.get(Nomination, nomination_id)
        if nomination is None or nomination.employee_id == self.principal.employee_id:
            raise NotFound("nomination", nomination_id)
        if nomination.removed_on is not None:
            raise Conflict("the successor was removed from the slate")
        return nomination


def _check_day(errors: ErrorCollector, field: str, day: dt.date) -> None:
    if day > latest_allowed_day():
        errors.add(field, f"{day} is in the future")
    elif day < EARLIEST_DAY:
        errors.add(field, "is not a plausible date")
