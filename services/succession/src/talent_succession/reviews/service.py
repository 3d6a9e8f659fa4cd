"""Talent reviews (confidential, audited): a meeting with its participants, the employees
discussed and the decisions recorded for them. The materials of a review are the talent
profiles of the employees discussed, assembled by the gateway from each service's fields
on Employee (people's job history, learning's completions, performance's ratings as
succession consumed them, succession's potential, nominations, plans and 9-box).

A decision of kind nomination, readiness_change or designation carries out what it
records, in the request's transaction, through the same service functions as the
dedicated mutations (same validation, events and audit): it nominates the employee for
`key_role_code`, re-assesses the readiness of their open nomination for that role, or
designates them high potential (the description is the reason). Its day is
`effective_on`, by default the day the review was held. If the action is invalid nothing
is recorded and the errors name the decision's input fields. Kinds development and other
are notes and change nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_platform.auth import Principal
from talent_platform.errors import ErrorCollector, FieldError, NotFound, ValidationFailed
from talent_succession.audit.service import AuditLog, require_confidential, snapshot
from talent_succession.dates import EARLIEST_DAY
from talent_succession.key_roles.repository import KeyRoleRepository
from talent_succession.people.repository import EmployeeProjectionRepository
from talent_succession.potential.service import DesignationInput, PotentialService
from talent_succession.reviews.models import (
    ACTING_KINDS,
    DECISION_KINDS,
    ReviewDecision,
    ReviewedEmployee,
    TalentReview,
)
from talent_succession.slates.models import Nomination
from talent_succession.slates.service import NominationInput, ReadinessInput, SlateService

# The fields of the nominate / assess / designate inputs, as the decision's input names them.
_DECISION_FIELDS = {
    "input.nominatedOn": "input.effectiveOn",
    "input.assessedOn": "input.effectiveOn",
    "input.designatedOn": "input.effectiveOn",
    "input.reviewDate": "input.reviewBy",
    "input.reason": "input.description",
    "input.notes": "input.description",
}
_NEEDS_ROLE = ("nomination", "readiness_change")


@dataclass(frozen=True)
class ReviewInput:
    title: str
    held_on: dt.date
    participant_ids: Sequence[uuid.UUID]
    employee_ids: Sequence[uuid.UUID]
    notes: str = ""


@dataclass(frozen=True)
class DecisionInput:
    review_id: uuid.UUID
    employee_id: uuid.UUID
    kind: str
    description: str
    key_role_code: str | None = None
    readiness: str | None = None
    rank: int | None = None
    emergency: bool = False
    effective_on: dt.date | None = None
    review_by: dt.date | None = None


class ReviewService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.employees = EmployeeProjectionRepository(session)
        self.audit = AuditLog(session, principal)

    async def create(self, data: ReviewInput) -> TalentReview:
        await require_confidential(self.session, self.principal)
        errors = ErrorCollector()
        if not data.title.strip() or len(data.title) > 300:
            errors.add("input.title", "must be 1-300 characters")
        if data.held_on < EARLIEST_DAY:
            errors.add("input.heldOn", "is not a plausible date")
        known = await self.employees.by_ids(set(data.participant_ids) | set(data.employee_ids))
        for i, employee_id in enumerate(data.participant_ids):
            if employee_id not in known:
                errors.add(f"input.participantIds[{i}]", f"no employee {employee_id}")
        for i, employee_id in enumerate(data.employee_ids):
            if employee_id not in known:
                errors.add(f"input.employeeIds[{i}]", f"no employee {employee_id}")
            elif employee_id == self.principal.employee_id:
                errors.add(f"input.employeeIds[{i}]", "nobody discusses themself")
        if len(set(data.employee_ids)) != len(data.employee_ids):
            errors.add("input.employeeIds", "lists an employee twice")
        errors.raise_if_any()
        review = TalentReview(
            id=uuid.uuid4(),
            title=data.title.strip(),
            held_on=data.held_on,
            participant_ids=list(dict.fromkeys(data.participant_ids)),
            notes=data.notes,
            created_by=self.principal.subject,
        )
        self.session.add(review)
        await self.session.flush()
        for employee_id in data.employee_ids:
            self.session.add(ReviewedEmployee(review_id=review.id, employee_id=employee_id))
        await self.session.flush()
        await self.audit.record(
            "talent_review.created",
            "talent_review",
            review.id,
            after={**snapshot(review), "employee_ids": list(data.employee_ids)},
        )
        return review

    async def decide(self, data: DecisionInput) -> ReviewDecision:
        await require_confidential(self.session, self.principal)
        review = await self.get(data.review_id)
        errors = ErrorCollector()
        discussed = await self.discussed([review.id])
        if data.employee_id not in discussed.get(review.id, []):
            errors.add("input.employeeId", "was not discussed in this review")
        if data.kind not in DECISION_KINDS:
            errors.add("input.kind", f"must be one of {', '.join(DECISION_KINDS)}")
        if not data.description.strip():
            errors.add("input.description", "must not be empty")
        if data.kind in _NEEDS_ROLE:
            if not data.key_role_code:
                errors.add("input.keyRoleCode", f"is required for a {data.kind} decision")
            elif await KeyRoleRepository(self.session).by_code(data.key_role_code) is None:
                errors.add("input.keyRoleCode", f"no key role {data.key_role_code}")
            if data.readiness is None:
                errors.add("input.readiness", f"is required for a {data.kind} decision")
        elif data.readiness is not None:
            errors.add("input.readiness", "applies to nomination and readiness_change only")
        if data.kind != "nomination" and data.rank is not None:
            errors.add("input.rank", "applies to a nomination only")
        if data.kind != "nomination" and data.emergency:
            errors.add("input.emergency", "applies to a nomination only")
        if data.kind not in ACTING_KINDS and (
            data.effective_on is not None or data.review_by is not None
        ):
            errors.add("input.effectiveOn", f"a {data.kind} decision changes nothing")
        errors.raise_if_any()
        decision = ReviewDecision(
            id=uuid.uuid4(),
            review_id=review.id,
            employee_id=data.employee_id,
            kind=data.kind,
            description=data.description.strip(),
            key_role_code=data.key_role_code,
            readiness=data.readiness,
            recorded_by=self.principal.subject,
        )
        try:
            await self._carry_out(decision, data, data.effective_on or review.held_on)
        except ValidationFailed as exc:
            raise ValidationFailed(
                [FieldError(_DECISION_FIELDS.get(e.field, e.field), e.message) for e in exc.errors]
            ) from exc
        self.session.add(decision)
        await self.session.flush()
        await self.audit.record(
            "talent_review.decided", "review_decision", decision.id, after=snapshot(decision)
        )
        return decision

    async def _carry_out(self, decision: ReviewDecision, data: DecisionInput, day: dt.date) -> None:
        """Do what the decision records (a note does nothing), through the services."""
        if data.kind == "nomination":
            assert data.key_role_code is not None and data.readiness is not None
            nomination = await SlateService(self.session, self.principal).nominate(
                NominationInput(
                    key_role_code=data.key_role_code,
                    employee_id=data.employee_id,
                    readiness=data.readiness,
                    rank=data.rank,
                    notes=decision.description,
                    emergency=data.emergency,
                    nominated_on=day,
                    review_by=data.review_by,
                )
            )
            decision.nomination_id = nomination.id
        elif data.kind == "readiness_change":
            assert data.key_role_code is not None and data.readiness is not None
            role = await KeyRoleRepository(self.session).by_code(data.key_role_code)
            assert role is not None
            nomination_id = await self.session.scalar(
                select(Nomination.id).where(
                    Nomination.key_role_id == role.id,
                    Nomination.employee_id == data.employee_id,
                    Nomination.removed_on.is_(None),
                )
            )
            if nomination_id is None:
                errors = ErrorCollector()
                errors.add("input.employeeId", f"is not on the slate of {role.code}")
                errors.raise_if_any()
            assert nomination_id is not None
            await SlateService(self.session, self.principal).assess_readiness(
                ReadinessInput(
                    nomination_id=nomination_id,
                    readiness=data.readiness,
                    assessed_on=day,
                    review_by=data.review_by,
                )
            )
            decision.nomination_id = nomination_id
        elif data.kind == "designation":
            designation = await PotentialService(self.session, self.principal).designate(
                DesignationInput(
                    employee_id=data.employee_id,
                    designated_on=day,
                    reason=decision.description,
                    review_date=data.review_by,
                )
            )
            decision.designation_id = designation.id

    async def get(self, review_id: uuid.UUID) -> TalentReview:
        await require_confidential(self.session, self.principal)
        review = await self.session.get(TalentReview, review_id)
        if review is None:
            raise NotFound("talent review", review_id)
        await self.audit.record("talent_review.read", "talent_review", review.id)
        return review

    async def discussed(
        self, review_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[uuid.UUID]]:
        """Employees discussed per review (the caller's own record left out)."""
        rows = await self.session.execute(
            select(ReviewedEmployee.review_id, ReviewedEmployee.employee_id)
            .where(ReviewedEmployee.review_id.in_(review_ids))
            .order_by(ReviewedEmployee.review_id, ReviewedEmployee.created_at)
        )
        grouped: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        for review_id, employee_id in rows.all():
            if employee_id != self.principal.employee_id:
                grouped[review_id].append(employee_id)
        return grouped

    async def decisions(
        self, review_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[ReviewDecision]]:
        rows = await self.session.scalars(
            select(ReviewDecision)
            .where(ReviewDecision.review_id.in_(review_ids))
            .order_by(ReviewDecision.review_id, ReviewDecision.created_at)
        )
        grouped: dict[uuid.UUID, list[ReviewDecision]] = defaultdict(list)
        for row in rows:
            if row.employee_id != self.principal.employee_id:
                grouped[row.review_id].append(row)
        return grouped
