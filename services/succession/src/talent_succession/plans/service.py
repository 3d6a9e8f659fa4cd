"""Development plans and their actions (confidential like the rest of succession).

Every action publishes plan_action.created; for a course action that asks learning to
assign the course (learning's consumer). Learning's enrollment.completed completes the
open course actions of that employee and course (plans/consumers.py); other actions are
completed or cancelled by HR here. Each completion publishes plan_action.completed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_platform.auth import Principal
from talent_platform.calendar import add_months
from talent_platform.errors import Conflict, ErrorCollector, NotFound
from talent_platform.events import Outbox
from talent_succession.audit.service import AuditLog, require_confidential, snapshot
from talent_succession.config import SuccessionSettings
from talent_succession.dates import EARLIEST_DAY, latest_allowed_day, today
from talent_succession.db import outbox
from talent_succession.people.repository import EmployeeProjectionRepository
from talent_succession.plans.completion import complete_actions
from talent_succession.plans.events import plan_action_created
from talent_succession.plans.models import ACTION_KINDS, DevelopmentPlan, PlanAction


@dataclass(frozen=True)
class ActionInput:
    kind: str
    title: str
    course_code: str | None = None
    target_date: dt.date | None = None
    notes: str = ""


@dataclass(frozen=True)
class PlanInput:
    employee_id: uuid.UUID
    title: str
    review_by: dt.date | None = None
    actions: Sequence[ActionInput] = field(default_factory=tuple)


class PlanService:
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

    async def create(self, data: PlanInput) -> DevelopmentPlan:
        await require_confidential(self.session, self.principal)
        errors = ErrorCollector()
        employee = await self.employees.get_or_none(data.employee_id)
        if employee is None:
            errors.add("input.employeeId", f"no employee {data.employee_id}")
        elif employee.status != "active":
            errors.add("input.employeeId", f"employee {employee.employee_number} is not active")
        if data.employee_id == self.principal.employee_id:
            errors.add("input.employeeId", "nobody plans their own development here")
        if not data.title.strip() or len(data.title) > 300:
            errors.add("input.title", "must be 1-300 characters")
        if data.review_by is not None and data.review_by <= today():
            errors.add("input.reviewBy", "must be in the future")
        for i, action in enumerate(data.actions):
            _check_action(errors, action, f"input.actions[{i}]")
        errors.raise_if_any()
        plan = DevelopmentPlan(
            id=uuid.uuid4(),
            employee_id=data.employee_id,
            title=data.title.strip(),
            review_by=data.review_by or add_months(today(), self.review_months),
            created_by=self.principal.subject,
        )
        self.session.add(plan)
        await self.session.flush()
        await self.audit.record("plan.created", "development_plan", plan.id, after=snapshot(plan))
        for action in data.actions:
            await self._add(plan, action)
        return plan

    async def add_action(self, plan_id: uuid.UUID, data: ActionInput) -> PlanAction:
        await require_confidential(self.session, self.principal)
        plan = await self._plan(plan_id)
        errors = ErrorCollector()
        _check_action(errors, data, "input")
        errors.raise_if_any()
        return await self._add(plan, data)

    async def _add(self, plan: DevelopmentPlan, data: ActionInput) -> PlanAction:
        action = PlanAction(
            id=uuid.uuid4(),
            plan_id=plan.id,
            employee_id=plan.employee_id,
            kind=data.kind,
            title=data.title.strip(),
            course_code=data.course_code.strip() if data.course_code else None,
            target_date=data.target_date,
            status="open",
            notes=data.notes,
        )
        self.session.add(action)
        await self.session.flush()
        await self.audit.record(
            "plan_action.created", "plan_action", action.id, after=snapshot(action)
        )
        await self.session.run_sync(
            self.events.add, plan_action_created(action, created_by=self.principal.employee_id)
        )
        return action

    async def complete(self, action_id: uuid.UUID, *, completed_on: dt.date) -> PlanAction:
        await require_confidential(self.session, self.principal)
        action = await self._open_action(action_id)
        errors = ErrorCollector()
        if completed_on > latest_allowed_day():
            errors.add("input.completedOn", f"{completed_on} is in the future")
        elif completed_on < EARLIEST_DAY:
            errors.add("input.completedOn", "is not a plausible date")
        errors.raise_if_any()
        await self.session.run_sync(
            complete_actions, [action], on=completed_on, by=self.principal.subject
        )
        return action

    async def cancel(self, action_id: uuid.UUID) -> PlanAction:
        await require_confidential(self.session, self.principal)
        action = await self._open_action(action_id)
        before = snapshot(action)
        action.status = "cancelled"
        await self.session.flush()
        await self.audit.record(
            "plan_action.cancelled", "plan_action", action.id, before=before, after=snapshot(action)
        )
        return action

    async def get(self, plan_id: uuid.UUID) -> DevelopmentPlan:
        await require_confidential(self.session, self.principal)
        return await self._plan(plan_id)

    async def plans_of(
        self, employee_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[DevelopmentPlan]]:
        rows = await self.session.scalars(
            select(DevelopmentPlan)
            .where(DevelopmentPlan.employee_id.in_(employee_ids))
            .order_by(DevelopmentPlan.employee_id, DevelopmentPlan.created_at.desc())
        )
        grouped: dict[uuid.UUID, list[DevelopmentPlan]] = defaultdict(list)
        for row in rows:
            grouped[row.employee_id].append(row)
        return grouped

    async def actions_of(
        self, plan_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[PlanAction]]:
        rows = await self.session.scalars(
            select(PlanAction)
            .where(PlanAction.plan_id.in_(plan_ids))
            .order_by(
                PlanAction.plan_id, PlanAction.target_date.nulls_last(), PlanAction.created_at
            )
        )
        grouped: dict[uuid.UUID, list[PlanAction]] = defaultdict(list)
        for row in rows:
            grouped[row.plan_id].append(row)
        return grouped

    async def _plan(self, plan_id: uuid.UUID) -> DevelopmentPlan:
        plan = await self.session.get(DevelopmentPlan, plan_id)
        if plan is None or plan.employee_id == self.principal.employee_id:
            raise NotFound("development plan", plan_id)
        return plan

    async def _open_action(self, action_id: uuid.UUID) -> PlanAction:
        action = await self.session.get(PlanAction, action_id)
        if action is None or action.employee_id == self.principal.employee_id:
            raise NotFound("plan action", action_id)
        if action.status != "open":
            raise Conflict(f"the action is already {action.status}")
        return action


def _check_action(errors: ErrorCollector, action: ActionInput, path: str) -> None:
    if action.kind not in ACTION_KINDS:
        errors.add(f"{path}.kind", f"must be one of {', '.join(ACTION_KINDS)}")
    if not action.title.strip() or len(action.title) > 300:
        errors.add(f"{path}.title", "must be 1-300 characters")
    if action.kind == "course" and not (action.course_code or "").strip():
        errors.add(f"{path}.courseCode", "a course action names its course")
    if action.kind != "course" and action.course_code:
        errors.add(f"{path}.courseCode", "only course actions name a course")
    if action.target_date is not None and action.target_date < today():
        errors.add(f"{path}.targetDate", "is in the past")
