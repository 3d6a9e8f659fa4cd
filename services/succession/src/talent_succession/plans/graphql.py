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


@strawberry.enum(description="What kind of development step an action is.")
class PlanActionKind(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    COURSE = strawberry.enum_value(
        "course",
        description="A learning course: learning assigns it, and its completion completes "
        "the action.",
    )
    ASSIGNMENT = strawberry.enum_value(
        "assignment", description="A work assignment, completed by hand."
    )
    MENTORING = strawberry.enum_value(
        "mentoring", description="A mentoring arrangement, completed by hand."
    )
    STRETCH_PROJECT = strawberry.enum_value(
        "stretch_project",
        description="A project beyond the employee's current role, completed by hand.",
    )


@strawberry.enum(description="Where a plan action stands.")
class PlanActionStatus(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    OPEN = strawberry.enum_value("open", description="To do.")
    COMPLETED = strawberry.enum_value(
        "completed",
        description="Done: completed by hand, or by learning's completion of the course.",
    )
    CANCELLED = strawberry.enum_value("cancelled", description="Dropped; never completed.")


@strawberry.type(description="One step of a development plan.")
class PlanAction:
    id: strawberry.ID = strawberry.field(description="The action's id (UUID).")
    kind: PlanActionKind = strawberry.field(description="What kind of step it is.")
    title: str = strawberry.field(description="What to do, 1-300 characters.")
    course_code: str | None = strawberry.field(
        description="For course actions: the learning course assigned through an event; "
        "null for the other kinds."
    )
    target_date: dt.date | None = strawberry.field(
        description="When it should be done (ISO date); null when open-ended. Open actions "
        "past it count as overdue."
    )
    status: PlanActionStatus = strawberry.field(description="Where the action stands.")
    completed_on: dt.date | None = strawberry.field(
        description="The day it was completed (ISO date); null unless COMPLETED."
    )
    notes: str = strawberry.field(description="Free notes; empty when none.")

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
    id: strawberry.ID = strawberry.field(description="The plan's id (UUID).")
    title: str = strawberry.field(description="1-300 characters.")
    review_by: dt.date = strawberry.field(
        description="When to review the plan (ISO date); past it with open actions, the plan "
        "is a stale PLAN record."
    )
    created_by: str = strawberry.field(description="Token subject of who created it.")
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

    @strawberry.field(description="The employee the plan develops.")
    def employee(self) -> EmployeeType:
        return employee_ref(self._employee_id)

    @strawberry.field(description="By target date (actions without one last), then creation.")
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


@strawberry.input(description="A new plan action; it starts OPEN.")
class PlanActionInput:
    kind: PlanActionKind = strawberry.field(description="What kind of step it is.")
    title: str = strawberry.field(description="What to do, 1-300 characters.")
    course_code: str | None = strawberry.field(
        default=None, description="Required for course actions, refused for the others."
    )
    target_date: dt.date | None = strawberry.field(
        default=None, description="When it should be done (ISO date), not in the past."
    )
    notes: str = strawberry.field(default="", description="Free notes.")

    def to_domain(self) -> ActionInput:
        return ActionInput(
            kind=self.kind.value,
            title=self.title,
            course_code=self.course_code,
            target_date=self.target_date,
            notes=self.notes,
        )


@strawberry.input(description="A new development plan with its first actions.")
class CreateDevelopmentPlanInput:
    employee_id: strawberry.ID = strawberry.field(
        description="An active employee other than the caller."
    )
    title: str = strawberry.field(description="1-300 characters.")
    review_by: dt.date | None = strawberry.field(
        default=None, description="In the future; defaults to 12 months from today."
    )
    actions: list[PlanActionInput] = strawberry.field(
        default_factory=list, description="The plan's actions; more can be added later."
    )


@strawberry.input(description="A new action for an existing plan.")
class AddPlanActionInput:
    plan_id: strawberry.ID = strawberry.field(description="The plan.")
    action: PlanActionInput = strawberry.field(description="The action.")


@strawberry.input(description="Completes an open action.")
class CompletePlanActionInput:
    action_id: strawberry.ID = strawberry.field(description="The open action.")
    completed_on: dt.date = strawberry.field(description="ISO date, not in the future.")


@strawberry.input(description="Cancels an open action.")
class CancelPlanActionInput:
    action_id: strawberry.ID = strawberry.field(description="The open action.")


@strawberry.type(description="The development plan created.")
class DevelopmentPlanPayload:
    plan: DevelopmentPlan = strawberry.field(description="The new plan.")


@strawberry.type(description="The plan action a mutation created or changed.")
class PlanActionPayload:
    action: PlanAction = strawberry.field(description="The action as it is now.")


DevelopmentPlanResult = Annotated[
    DevelopmentPlanPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("DevelopmentPlanResult", description="The plan, or why none was created."),
]
PlanActionResult = Annotated[
    PlanActionPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("PlanActionResult", description="The action, or why nothing changed."),
]


@strawberry.type
class PlanQuery:
    @strawberry.field(
        description="One development plan (confidential: FORBIDDEN otherwise; NOT_FOUND "
        "for an unknown id or the caller's own plan)."
    )
    async def development_plan(
        self,
        info: Ctx,
        id: Annotated[strawberry.ID, strawberry.argument(description="The plan's id.")],
    ) -> DevelopmentPlan | None:
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
        self,
        info: Ctx,
        input: Annotated[
            CreateDevelopmentPlanInput,
            strawberry.argument(description="The employee, the title and the actions."),
        ],
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

    @strawberry.mutation(
        description="Add an action to a plan (same roles as createDevelopmentPlan)."
    )
    async def add_plan_action(
        self,
        info: Ctx,
        input: Annotated[
            AddPlanActionInput, strawberry.argument(description="The plan and the action.")
        ],
    ) -> PlanActionResult:
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
        self,
        info: Ctx,
        input: Annotated[
            CompletePlanActionInput,
            strawberry.argument(description="The action and the day it was completed."),
        ],
    ) -> PlanActionResult:
        service = PlanService(info.context.session, info.context.principal)

        async def action() -> PlanActionPayload:
            done = await service.complete(
                parse_uuid(input.action_id, "input.actionId", "id"), completed_on=input.completed_on
            )
            return PlanActionPayload(action=PlanAction.from_model(done))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Cancel an open action (same roles); Conflict when it is not open."
    )
    async def cancel_plan_action(
        self,
        info: Ctx,
        input: Annotated[CancelPlanActionInput, strawberry.argument(description="The action.")],
    ) -> PlanActionResult:
        service = PlanService(info.context.session, info.context.principal)

        async def action() -> PlanActionPayload:
            done = await service.cancel(parse_uuid(input.action_id, "input.actionId", "id"))
            return PlanActionPayload(action=PlanAction.from_model(done))

        return await run_mutation(info.context, action)
