from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from talent_performance.cycles.graphql import ReviewCycle, cycle_loader
from talent_performance.goals.models import CheckIn as CheckInModel
from talent_performance.goals.models import Goal as GoalModel
from talent_performance.goals.service import GoalChanges, GoalService, NewGoal
from talent_performance.people.graphql import Employee, parse_id
from talent_platform.graphql import (
    Conflict,
    Connection,
    Forbidden,
    NotFound,
    TalentContext,
    ValidationError,
    connection,
    page_request,
    run_mutation,
)

Ctx = Info[TalentContext, None]


@strawberry.enum(description="Whose goal: one employee's, a manager's team's or the company's.")
class GoalScope(Enum):
    INDIVIDUAL = "individual"
    TEAM = "team"
    ORG = "org"


@strawberry.enum
class GoalStatus(Enum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


async def _children(info: Ctx, keys: Sequence[uuid.UUID]) -> list[list[Goal]]:
    service = GoalService(info.context.session, info.context.principal)
    found = await service.goals.children(info.context.principal, keys)
    return [[Goal.from_model(g) for g in found.get(k, [])] for k in keys]


async def _by_id(info: Ctx, keys: Sequence[uuid.UUID]) -> list[Goal | None]:
    service = GoalService(info.context.session, info.context.principal)
    found = await service.goals.readable_many(info.context.principal, keys)
    return [Goal.from_model(found[k]) if k in found else None for k in keys]


def children_loader(info: Ctx) -> DataLoader[uuid.UUID, list[Goal]]:
    return info.context.loader("goal.children", lambda keys: _children(info, keys))


def goal_loader(info: Ctx) -> DataLoader[uuid.UUID, Goal | None]:
    return info.context.loader("goal.by_id", lambda keys: _by_id(info, keys))


@strawberry.type(description="A goal with a measurable target, aligned to a broader goal.")
class Goal:
    id: strawberry.ID
    scope: GoalScope
    owner: Employee | None = strawberry.field(
        description="The employee (individual goals) or manager (team goals); null for org."
    )
    title: str
    target: str = strawberry.field(description="What counts as done, measurably.")
    weight: int = strawberry.field(
        description="0-100; an employee's goals of a cycle add up to <= 100."
    )
    progress: int = strawberry.field(description="0-100.")
    status: GoalStatus
    due_on: dt.date
    _id: strawberry.Private[uuid.UUID]
    _cycle_id: strawberry.Private[uuid.UUID | None]
    _parent_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_model(cls, m: GoalModel) -> Goal:
        return cls(
            id=strawberry.ID(str(m.id)),
            scope=GoalScope(m.scope),
            owner=Employee.of(m.owner_id),
            title=m.title,
            target=m.target,
            weight=m.weight,
            progress=m.progress,
            status=GoalStatus(m.status),
            due_on=m.due_on,
            _id=m.id,
            _cycle_id=m.cycle_id,
            _parent_id=m.parent_id,
        )

    @strawberry.field
    async def cycle(self, info: Ctx) -> ReviewCycle | None:
        return None if self._cycle_id is None else await cycle_loader(info).load(self._cycle_id)

    @strawberry.field(description="The goal this one is aligned to.")
    async def parent(self, info: Ctx) -> Goal | None:
        return None if self._parent_id is None else await goal_loader(info).load(self._parent_id)

    @strawberry.field(description="Goals aligned to this one (the cascade, one level down).")
    async def children(self, info: Ctx) -> list[Goal]:
        return await children_loader(info).load(self._id)


@strawberry.type(description="A check-in note between an employee and their manager.")
class CheckIn:
    id: strawberry.ID
    employee: Employee
    author: Employee
    goal_id: strawberry.ID | None
    note: str
    created_at: dt.datetime

    @classmethod
    def from_model(cls, m: CheckInModel) -> CheckIn:
        return cls(
            id=strawberry.ID(str(m.id)),
            employee=Employee(id=strawberry.ID(str(m.employee_id))),
            author=Employee(id=strawberry.ID(str(m.author_id))),
            goal_id=strawberry.ID(str(m.goal_id)) if m.goal_id else None,
            note=m.note,
            created_at=m.created_at,
        )


def _optional(value: strawberry.ID | None, field: str) -> uuid.UUID | None:
    return None if value is None else parse_id(value, field)


@strawberry.type
class GoalQuery:
    @strawberry.field(description="A goal the caller may see.")
    async def goal(self, info: Ctx, id: strawberry.ID) -> Goal | None:
        try:
            return await goal_loader(info).load(uuid.UUID(str(id)))
        except ValueError:
            return None

    @strawberry.field(
        description="Goals the caller may see (team and org goals: everyone; individual "
        "goals: the owner, their managers, HR), by due date. `parentId` lists a goal's "
        "cascade one level down; `scope: ORG` the top of it."
    )
    async def goals(
        self,
        info: Ctx,
        owner_id: strawberry.ID | None = None,
        cycle_id: strawberry.ID | None = None,
        scope: GoalScope | None = None,
        parent_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Goal]:
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        service = GoalService(info.context.session, info.context.principal)
        rows, total = await service.goals.page(
            info.context.principal,
            owner_id=_optional(owner_id, "ownerId"),
            cycle_id=_optional(cycle_id, "cycleId"),
            scope=scope.value if scope else None,
            parent_id=_optional(parent_id, "parentId"),
            offset=page.offset,
            limit=page.limit,
        )
        return connection(rows, total=total, page=page, to_node=Goal.from_model)

    @strawberry.field(
        description="An employee's check-ins, newest first (the employee, their managers, "
        "HR; null for anyone else)."
    )
    async def check_ins(
        self,
        info: Ctx,
        employee_id: strawberry.ID,
        goal_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[CheckIn] | None:
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        found = await GoalService(info.context.session, info.context.principal).check_ins(
            employee_id=parse_id(employee_id, "employeeId"),
            goal_id=_optional(goal_id, "goalId"),
            offset=page.offset,
            limit=page.limit,
        )
        if found is None:
            return None
        rows, total = found
        return connection(rows, total=total, page=page, to_node=CheckIn.from_model)


@strawberry.input
class CreateGoalInput:
    scope: GoalScope
    title: str
    target: str
    due_on: dt.date
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Default: the caller (not for org goals)."
    )
    weight: int = 0
    cycle_id: strawberry.ID | None = None
    parent_id: strawberry.ID | None = None


@strawberry.input
class UpdateGoalInput:
    goal_id: strawberry.ID
    title: str | None = None
    target: str | None = None
    weight: int | None = None
    progress: int | None = None
    status: GoalStatus | None = strawberry.field(
        default=None, description="COMPLETED sets progress to 100 unless progress is given."
    )
    due_on: dt.date | None = None
    parent_id: strawberry.ID | None = None
    clear_parent: bool = False


@strawberry.input
class AddCheckInInput:
    employee_id: strawberry.ID
    note: str
    goal_id: strawberry.ID | None = None


@strawberry.type
class GoalPayload:
    goal: Goal


@strawberry.type
class CheckInPayload:
    check_in: CheckIn


GoalResult = Annotated[
    GoalPayload | ValidationError | NotFound | Forbidden | Conflict, strawberry.union("GoalResult")
]
CheckInResult = Annotated[
    CheckInPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("CheckInResult"),
]


@strawberry.type
class GoalMutation:
    @strawberry.mutation(
        description="Set a goal: employees their own, managers their chain's and their team's, "
        "HR any and the org's. Publishes goal.updated."
    )
    async def create_goal(self, info: Ctx, input: CreateGoalInput) -> GoalResult:
        service = GoalService(info.context.session, info.context.principal)

        async def action() -> GoalPayload:
            goal = await service.create(
                NewGoal(
                    scope=input.scope.value,
                    owner_id=_optional(input.owner_id, "input.ownerId"),
                    title=input.title,
                    target=input.target,
                    due_on=input.due_on,
                    weight=input.weight,
                    cycle_id=_optional(input.cycle_id, "input.cycleId"),
                    parent_id=_optional(input.parent_id, "input.parentId"),
                )
            )
            return GoalPayload(goal=Goal.from_model(goal))

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Change a goal (progress, status...). Publishes goal.updated.")
    async def update_goal(self, info: Ctx, input: UpdateGoalInput) -> GoalResult:
        service = GoalService(info.context.session, info.context.principal)

        async def action() -> GoalPayload:
            goal = await service.update(
                parse_id(input.goal_id, "input.goalId"),
                GoalChanges(
                    title=input.title,
                    target=input.target,
                    weight=input.weight,
                    progress=input.progress,
                    status=input.status.value if input.status else None,
                    due_on=input.due_on,
                    parent_id=_optional(input.parent_id, "input.parentId"),
                    clear_parent=input.clear_parent,
                ),
            )
            return GoalPayload(goal=Goal.from_model(goal))

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Write a check-in note (the employee or their manager).")
    async def add_check_in(self, info: Ctx, input: AddCheckInInput) -> CheckInResult:
        service = GoalService(info.context.session, info.context.principal)

        async def action() -> CheckInPayload:
            entry = await service.check_in(
                employee_id=parse_id(input.employee_id, "input.employeeId"),
                goal_id=_optional(input.goal_id, "input.goalId"),
                note=input.note,
            )
            return CheckInPayload(check_in=CheckIn.from_model(entry))

        return await run_mutation(info.context, action)
