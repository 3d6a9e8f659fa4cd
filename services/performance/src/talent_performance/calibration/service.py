"""Calibration: HR gathers the manager ratings of a group of employees, facilitators
adjust some of them (each with a reason, audited) and closing the session publishes
every employee's final rating as `rating.calibrated`.

A target distribution is guidance shown next to the actual one, never enforced.
Sessions are visible to HR and to their members (facilitators and participants).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.performance import RatingCalibrated
from talent_performance.audit.service import AuditLog
from talent_performance.calibration.models import (
    CalibrationEntry,
    CalibrationMember,
    CalibrationSession,
)
from talent_performance.cycles.repository import CycleRepository
from talent_performance.cycles.service import CYCLE_ADMINS
from talent_performance.db import outbox
from talent_performance.people.repository import EmployeeProjectionRepository
from talent_performance.reviews.models import Review
from talent_performance.reviews.repository import ReviewRepository
from talent_platform.auth import Principal
from talent_platform.db import Repository
from talent_platform.db.base import utcnow
from talent_platform.errors import Conflict, ErrorCollector, Forbidden, NotFound

RATINGS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class NewSession:
    cycle_id: uuid.UUID
    name: str
    employee_ids: Sequence[uuid.UUID]
    facilitator_ids: Sequence[uuid.UUID]
    participant_ids: Sequence[uuid.UUID] = ()
    target_distribution: dict[int, float] | None = None


@dataclass(frozen=True)
class CalibratedEmployee:
    employee_id: uuid.UUID
    manager_rating: int | None
    calibrated_rating: int | None
    reason: str | None

    @property
    def final_rating(self) -> int | None:
        return self.calibrated_rating if self.calibrated_rating is not None else self.manager_rating


@dataclass(frozen=True)
class Distribution:
    before: dict[int, int]
    after: dict[int, int]
    target: dict[int, float] | None


class SessionRepository(Repository[CalibrationSession]):
    model = CalibrationSession
    entity_name = "calibration session"

    async def entries(self, session_id: uuid.UUID) -> Sequence[CalibrationEntry]:
        return (
            await self.session.scalars(
                select(CalibrationEntry)
                .where(CalibrationEntry.session_id == session_id)
                .order_by(CalibrationEntry.employee_id)
            )
        ).all()

    async def visible_page(
        self, principal: Principal, *, cycle_id: uuid.UUID | None, offset: int, limit: int
    ) -> tuple[Sequence[CalibrationSession], int]:
        statement = select(CalibrationSession).order_by(
            CalibrationSession.created_at, CalibrationSession.id
        )
        if cycle_id is not None:
            statement = statement.where(CalibrationSession.cycle_id == cycle_id)
        if not principal.is_hr:
            statement = statement.where(
                CalibrationSession.id.in_(
                    select(CalibrationMember.session_id).where(
                        CalibrationMember.member_id == principal.employee_id
                    )
                )
            )
        return await self.paginate(statement, offset=offset, limit=limit)


class CalibrationService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.sessions = SessionRepository(session)
        self.cycles = CycleRepository(session)
        self.reviews = ReviewRepository(session)
        self.employees = EmployeeProjectionRepository(session)
        self.audit = AuditLog(session)

    async def role_in(self, session_id: uuid.UUID) -> str | None:
        me = self.principal.employee_id
        if me is None:
            return None
        found = await self.session.get(CalibrationMember, (session_id, me))
        return found.role if found else None

    async def get(self, session_id: uuid.UUID) -> CalibrationSession:
        found = await self.sessions.get_or_none(session_id)
        if found is None or not (self.principal.is_hr or await self.role_in(session_id)):
            raise NotFound("calibration session", session_id)
        return found

    async def create(self, data: NewSession) -> CalibrationSession:
        self.principal.require(*CYCLE_ADMINS)
        cycle = await self.cycles.get(data.cycle_id)
        if cycle.status != "active":
            raise Conflict(f"cycle {cycle.code} is {cycle.status}")
        errors = ErrorCollector()
        if not data.name.strip():
            errors.add("input.name", "is required")
        employees = set(data.employee_ids)
        if not employees:
            errors.add("input.employeeIds", "name at least one employee")
        reviews = await self.reviews.manager_reviews(cycle.id, employees)
        missing = sorted(str(e) for e in employees - set(reviews))
        if missing:
            errors.add(
                "input.employeeIds",
                f"no manager review in {cycle.code} for: {', '.join(missing[:20])}",
            )
        if not data.facilitator_ids:
            errors.add("input.facilitatorIds", "name at least one facilitator")
        people = set(data.facilitator_ids) | set(data.participant_ids)
        unknown = people - set(await self.employees.by_ids(people))
        if unknown:
            errors.add(
                "input.facilitatorIds",
                f"unknown employee(s): {', '.join(sorted(map(str, unknown)))}",
            )
        target = data.target_distribution
        if target is not None:
            if set(target) - set(RATINGS) or any(not 0 <= s <= 1 for s in target.values()):
                errors.add("input.targetDistribution", "shares (0-1) of ratings 1 to 5")
            elif abs(sum(target.values()) - 1) > 0.01:
                errors.add("input.targetDistribution", "the shares must add up to 1")
        errors.raise_if_any()
        session = CalibrationSession(
            id=uuid.uuid4(),
            cycle_id=cycle.id,
            name=data.name.strip(),
            status="open",
            target_distribution={str(k): v for k, v in target.items()} if target else None,
            created_by=self.principal.subject,
        )
        await self.sessions.create(session)
        roles = {p: "participant" for p in data.participant_ids}
        roles.update({f: "facilitator" for f in data.facilitator_ids})
        self.session.add_all(
            CalibrationMember(session_id=session.id, member_id=m, role=r) for m, r in roles.items()
        )
        self.session.add_all(
            CalibrationEntry(session_id=session.id, employee_id=e) for e in sorted(employees)
        )
        await self.session.flush()
        return session

    async def entries_of(
        self, sessions: Collection[tuple[uuid.UUID, uuid.UUID]]
    ) -> dict[uuid.UUID, list[CalibratedEmployee]]:
        """The employees of many sessions ((session id, cycle id) pairs the caller was
        already allowed to see), in two queries: for a page of sessions."""
        cycles = dict(sessions)
        entries = (
            await self.session.scalars(
                select(CalibrationEntry)
                .where(CalibrationEntry.session_id.in_(cycles))
                .order_by(CalibrationEntry.session_id, CalibrationEntry.employee_id)
            )
        ).all()
        pairs = {(cycles[e.session_id], e.employee_id) for e in entries}
        reviews: dict[tuple[uuid.UUID, uuid.UUID], Review] = {}
        if pairs:
            found = await self.session.scalars(
                select(Review).where(
                    Review.kind == "manager",
                    tuple_(Review.cycle_id, Review.employee_id).in_(pairs),
                )
            )
            reviews = {(r.cycle_id, r.employee_id): r for r in found}
        grouped: dict[uuid.UUID, list[CalibratedEmployee]] = {s: [] for s in cycles}
        for e in entries:
            review = reviews.get((cycles[e.session_id], e.employee_id))
            grouped[e.session_id].append(
                CalibratedEmployee(
                    e.employee_id, _submitted_rating(review), e.rating_after, e.reason
                )
            )
        return grouped

    async def _open_for_change(self, session_id: uuid.UUID) -> CalibrationSession:
        found = await self.get(session_id)
        if not (self.principal.is_hr or await self.role_in(found.id) == "facilitator"):
            raise Forbidden("facilitators and HR change a calibration")
        if found.status != "open":
            raise Conflict(f"the session is {found.status}")
        cycle = await self.cycles.get(found.cycle_id)
        if cycle.phase != "calibration":
            raise Conflict(
                f"cycle {cycle.code} is in {cycle.phase or cycle.status}, not calibration"
            )
        return found

    async def adjust(
        self, session_id: uuid.UUID, *, employee_id: uuid.UUID, rating: int, reason: str
    ) -> CalibratedEmployee:
        """Set an employee's calibrated rating; the reason is mandatory and the change is
        audited with the rating before and after."""
        found = await self._open_for_change(session_id)
        errors = ErrorCollector()
        if not 1 <= rating <= 5:
            errors.add("input.rating", f"{rating} is outside the scale 1-5")
        if not reason.strip():
            errors.add("input.reason", "a reason is required for every adjustment")
        errors.raise_if_any()
        entry = await self.session.get(CalibrationEntry, (found.id, employee_id))
        if entry is None:
            raise NotFound("employee in this session", employee_id)
        review = (await self.reviews.manager_reviews(found.cycle_id, [employee_id])).get(
            employee_id
        )
        if review is None or review.status not in ("submitted", "signed_off"):
            raise Conflict("the manager review of this employee is not submitted yet")
        if review.status == "signed_off":
            raise Conflict("the manager review is signed off; it cannot change")
        old = (
            review.calibrated_rating
            if review.calibrated_rating is not None
            else review.overall_rating
        )
        entry.rating_after, entry.reason = rating, reason.strip()
        review.calibrated_rating = rating
        self.audit.record(
            self.principal,
            action="rating.calibrated",
            entity="review",
            entity_id=review.id,
            employee_id=employee_id,
            old={"rating": old},
            new={"rating": rating},
            reason=reason.strip(),
        )
        await self.session.flush()
        return CalibratedEmployee(employee_id, review.overall_rating, rating, entry.reason)

    async def close(self, session_id: uuid.UUID) -> CalibrationSession:
        """Close the session: every employee's final rating is stored on the manager
        review and published as rating.calibrated."""
        found = await self._open_for_change(session_id)
        cycle = await self.cycles.get(found.cycle_id)
        entries = await self.sessions.entries(found.id)
        reviews = await self.reviews.manager_reviews(
            found.cycle_id, [e.employee_id for e in entries]
        )
        pending = [
            e.employee_id for e in entries if _submitted_rating(reviews.get(e.employee_id)) is None
        ]
        if pending:
            raise Conflict(
                f"{len(pending)} employee(s) of the session have no submitted manager review"
            )
        today = utcnow().date()
        events = []
        for entry in entries:
            review = reviews[entry.employee_id]
            assert review.overall_rating is not None
            final = entry.rating_after if entry.rating_after is not None else review.overall_rating
            review.calibrated_rating = final
            events.append(
                RatingCalibrated(
                    employee_id=entry.employee_id,
                    cycle_id=cycle.id,
                    cycle_code=cycle.code,
                    overall_rating=final,
                    previous_rating=review.overall_rating,
                    rated_on=today,
                )
            )
        found.status, found.closed_at = "closed", utcnow()
        await self.session.flush()
        await self.session.run_sync(outbox.add, *events)
        return found

    async def page(
        self, *, cycle_id: uuid.UUID | None, offset: int, limit: int
    ) -> tuple[Sequence[CalibrationSession], int]:
        return await self.sessions.visible_page(
            self.principal, cycle_id=cycle_id, offset=offset, limit=limit
        )

    async def members(
        self, session_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[CalibrationMember]]:
        rows = await self.session.scalars(
            select(CalibrationMember).where(CalibrationMember.session_id.in_(session_ids))
        )
        grouped: dict[uuid.UUID, list[CalibrationMember]] = {s: [] for s in session_ids}
        for row in rows:
            grouped[row.session_id].append(row)
        return grouped


def distribution_of(
    employees: Sequence[CalibratedEmployee], target: dict[str, float] | None
) -> Distribution:
    before = Counter(e.manager_rating for e in employees if e.manager_rating is not None)
    after = Counter(e.final_rating for e in employees if e.final_rating is not None)
    return Distribution(
        before={r: before.get(r, 0) for r in RATINGS},
        after={r: after.get(r, 0) for r in RATINGS},
        target={int(k): v for k, v in target.items()} if target else None,
    )


def _submitted_rating(review: Review | None) -> int | None:
    if review is None or review.status not in ("submitted", "signed_off"):
        return None
    return review.overall_rating
