from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from talent_platform.graphql import (
    Conflict,
    Forbidden,
    NotFound,
    TalentContext,
    ValidationError,
    run_mutation,
)
from talent_succession.people.ref import EmployeeType, employee_ref
from talent_succession.plans.models import DevelopmentPlan as PlanModel
from talent_succession.plans.models import PlanAction as ActionModel
from talent_succession.plans.service import ActionInput, PlanInput, PlanService
from talent_succession.validation import parse_uuid

Ctx = Info[TalentContext, None]


@strawberry.enum
class PlanActionKind(Enum):
    COURSE = "course"
    ASSIGNMENT = "assignment"
    MENTORING = "mentoring"
    STRETCH_PROJECT = "stretch_project"


@strawberry.enum
class PlanActionStatus(Enum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


@strawberry.type(description="One step of a development plan.")
class PlanAction:
    id: strawberry.ID
    kind: PlanActionKind
    title: str
    course_code: str | None = strawberry.field(
        description="For course actions: the learning course assigned through an event."
    )
    target_date: dt.date | None
    status: PlanActionStatus
    completed_on: dt.date | None
    notes: str

    @classmethod
    def from_model(cls, m: ActionModel) -> PlanAction:
        return cls(
            id=strawberry.ID(str(m.id)),
            kind=PlanActionKind(m.kind),
            title=m.title,
            course_code=m.course_code,
            target_date=m.target_date,
            status=PlanActionStatus(m.status),
            completed_on=m.completed_on,
            notes=m.notes,
        )


async def _actions(info: Ctx, keys: Sequence[uuid.UUID]) -> list[list[PlanAction]]:
    found = await PlanService(info.context.session, info.context.principal).actions_of(keys)
    return [[PlanAction.from_model(a) for a in found.get(k, [])] for k in keys]


@strawberry.type(description="An employee's development plan (confidential).")
class DevelopmentPlan:
    id: strawberry.ID
    title: str
    review_by: dt.date
    created_by: str
    _employee_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, m: PlanModel) -> DevelopmentPlan:
        return cls(
            id=strawberry.ID(str(m.id)),
            title=m.title,
            review_by=m.review_by,
            created_by=m.created_by,
            _employee_id=m.employee_id,
        )

    @strawberry.field
    def employee(self) -> EmployeeType:
        return employee_ref(self._employee_id)

    @strawberry.field(description="By target date.")
    async def actions(self, info: Ctx) -> list[PlanAction]:
        loader: DataLoader[uuid.UUID, list[PlanAction]] = info.context.loader(
            "plan.actions", lambda keys: _actions(info, keys)
        )
        return await loader.load(uuid.UUID(self.id))


async def _plans(info: Ctx, keys: Sequence[uuid.UUID]) -> list[list[DevelopmentPlan]]:
    found = await PlanService(info.context.session, info.context.principal).plans_of(keys)
    return [[DevelopmentPlan.from_model(p) for p in found.get(k, [])] for k in keys]


def plans_loader(info: Ctx) -> DataLoader[uuid.UUID, list[DevelopmentPlan]]:
    return info.context.loader("employee.plans", lambda keys: _plans(info, keys))


@strawberry.input
class PlanActionInput:
    kind: PlanActionKind
    title: str
    course_code: str | None = strawberry.field(
        default=None, description="Required for course actions, refused for the others."
    )
    target_date: dt.date | None = None
    notes: str = ""

    def to_domain(self) -> ActionInput:
        return ActionInput(
            kind=self.kind.value,
            title=self.title,
            course_code=self.course_code,
            target_date=self.target_date,
            notes=self.notes,
        )


@strawberry.input
class CreateDevelopmentPlanInput:
    employee_id: strawberry.ID
    title: str
    review_by: dt.date | None = strawberry.field(
        default=None, description="Defaults to 12 months from today."
    )
    actions: list[PlanActionInput] = strawberry.field(default_factory=list)


@strawberry.input
class AddPlanActionInput:
    plan_id: strawberry.ID
    action: PlanActionInput


@strawberry.input
class CompletePlanActionInput:
    action_id: strawberry.ID
    completed_on: dt.date


@strawberry.input
class CancelPlanActionInput:
    action_id: strawberry.ID


@strawberry.type
class DevelopmentPlanPayload:
    plan: DevelopmentPlan


@strawberry.type
class PlanActionPayload:
    action: PlanAction


DevelopmentPlanResult = Annotated[
    DevelopmentPlanPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("DevelopmentPlanResult"),
]
PlanActionResult = Annotated[
    PlanActionPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("PlanActionResult"),
]


@strawberry.type
class PlanQuery:
    @strawberry.field(description="One development plan (confidential: FORBIDDEN otherwise).")
    async def development_plan(self, info: Ctx, id: strawberry.ID) -> DevelopmentPlan | None:
        service = PlanService(info.context.session, info.context.principal)
        plan = await service.get(parse_uuid(id, "id", "id"))
        return DevelopmentPlan.from_model(plan)


@strawberry.type
class PlanMutation:
    @strawberry.mutation(
        description="Create a development plan with its actions (hr_leader, admin, granted "
        "hr_coordinator). A course action asks learning to assign the course."
    )
    async def create_development_plan(
        self, info: Ctx, input: CreateDevelopmentPlanInput
    ) -> DevelopmentPlanResult:
        service = PlanService(info.context.session, info.context.principal)

        async def action() -> DevelopmentPlanPayload:
            plan = await service.create(
                PlanInput(
                    employee_id=parse_uuid(input.employee_id, "input.employeeId"),
                    title=input.title,
                    review_by=input.review_by,
                    actions=[a.to_domain() for a in input.actions],
                )
            )
            return DevelopmentPlanPayload(plan=DevelopmentPlan.from_model(plan))

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Add an action to a plan.")
    async def add_plan_action(self, info: Ctx, input: AddPlanActionInput) -> PlanActionResult:
        service = PlanService(info.context.session, info.context.principal)

        async def action() -> PlanActionPayload:
            added = await service.add_action(
                parse_uuid(input.plan_id, "input.planId", "id"), input.action.to_domain()
            )
            return PlanActionPayload(action=PlanAction.from_model(added))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Complete an open action by hand (course actions also complete when "
        "learning records the completion)."
    )
    async def complete_plan_action(
        self, info: Ctx, input: CompletePlanActionInput
    ) -> PlanActionResult:
        service = PlanService(info.context.session, info.context.principal)

        async def action() -> PlanActionPayload:
            done = await service.complete(
                parse_uuid(input.action_id, "input.actionId", "id"), completed_on=input.completed_on
            )
            return PlanActionPayload(action=PlanAction.from_model(done))

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Cancel an open action.")
    async def cancel_plan_action(self, info: Ctx, input: CancelPlanActionInput) -> PlanActionResult:
        service = PlanService(info.context.session, info.context.principal)

        async def action() -> PlanActionPayload:
            done = await service.cancel(parse_uuid(input.action_id, "input.actionId", "id"))
            return PlanActionPayload(action=PlanAction.from_model(done))

        return await run_mutation(info.context, action)
