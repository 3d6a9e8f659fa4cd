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
from talent_performance.people.graphql import Employee
from talent_platform.graphql import (
    After,
    Conflict,
    Connection,
    First,
    Forbidden,
    NotFound,
    TalentContext,
    ValidationError,
    connection,
    page_request,
    parse_id,
    run_mutation,
)

Ctx = Info[TalentContext, None]


@strawberry.enum(description="Whose goal: one employee's, a manager's team's or the company's.")
class GoalScope(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    INDIVIDUAL = strawberry.enum_value(
        "individual",
        description="One employee's goal: visible to them, their managers and HR; may "
        "align to a TEAM or ORG goal.",
    )
    TEAM = strawberry.enum_value(
        "team",
        description="A manager's team goal: visible to everyone; may align to an ORG goal.",
    )
    ORG = strawberry.enum_value(
        "org", description="A company goal, set by HR: visible to everyone; the top."
    )


@strawberry.enum(description="How a goal is going, as the people who may change it set it.")
class GoalStatus(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    NOT_STARTED = strawberry.enum_value("not_started", description="Not started (every new goal).")
    ON_TRACK = strawberry.enum_value("on_track", description="Going as planned.")
    AT_RISK = strawberry.enum_value("at_risk", description="In danger of missing its target.")
    OFF_TRACK = strawberry.enum_value("off_track", description="Not on course to meet its target.")
    COMPLETED = strawberry.enum_value(
        "completed", description="Done; no longer counts towards the cycle's weight limit."
    )
    CANCELLED = strawberry.enum_value(
        "cancelled",
        description="Dropped; left out of the weight limit and of goal-completion reports.",
    )


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
    id: strawberry.ID = strawberry.field(description="The goal's id (UUID).")
    scope: GoalScope = strawberry.field(description="Individual, team or org goal.")
    owner: Employee | None = strawberry.field(
        description="The employee (individual goals) or manager (team goals); null for org."
    )
    title: str = strawberry.field(description="Short title, at most 300 characters.")
    target: str = strawberry.field(description="What counts as done, measurably.")
    weight: int = strawberry.field(
        description="0-100; the open individual goals of one employee in one cycle add up "
        "to at most 100."
    )
    progress: int = strawberry.field(description="Percent done, 0-100.")
    status: GoalStatus = strawberry.field(description="How the goal is going.")
    due_on: dt.date = strawberry.field(description="When it is due (ISO date).")
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

    @strawberry.field(description="The review cycle the goal belongs to; null when none.")
    async def cycle(self, info: Ctx) -> ReviewCycle | None:
        return None if self._cycle_id is None else await cycle_loader(info).load(self._cycle_id)

    @strawberry.field(
        description="The goal this one is aligned to; null when none (or not visible)."
    )
    async def parent(self, info: Ctx) -> Goal | None:
        return None if self._parent_id is None else await goal_loader(info).load(self._parent_id)

    @strawberry.field(
        description="Goals aligned to this one that the caller may see (the cascade, one "
        "level down), by due date."
    )
    async def children(self, info: Ctx) -> list[Goal]:
        return await children_loader(info).load(self._id)


@strawberry.type(description="A check-in note between an employee and their manager.")
class CheckIn:
    id: strawberry.ID = strawberry.field(description="The check-in's id (UUID).")
    employee: Employee = strawberry.field(description="The employee it is about.")
    author: Employee = strawberry.field(
        description="Who wrote it: the employee or someone up their reporting chain."
    )
    goal_id: strawberry.ID | None = strawberry.field(
        description="The employee's goal it is about; null for a general note."
    )
    note: str = strawberry.field(description="The note's text.")
    created_at: dt.datetime = strawberry.field(description="When it was written.")

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
    @strawberry.field(
        description="A goal the caller may see (same rules as `goals`); null otherwise."
    )
    async def goal(
        self,
        info: Ctx,
        id: Annotated[strawberry.ID, strawberry.argument(description="The goal's id.")],
    ) -> Goal | None:
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
        owner_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only goals owned by this employee."),
        ] = None,
        cycle_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only this cycle's goals.")
        ] = None,
        scope: Annotated[
            GoalScope | None, strawberry.argument(description="Only goals of this scope.")
        ] = None,
        parent_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only goals aligned directly to this goal."),
        ] = None,
        first: First = None,
        after: After = None,
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
        employee_id: Annotated[strawberry.ID, strawberry.argument(description="The employee.")],
        goal_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only check-ins about this goal."),
        ] = None,
        first: First = None,
        after: After = None,
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


@strawberry.input(description="A new goal; it starts NOT_STARTED with progress 0.")
class CreateGoalInput:
    scope: GoalScope = strawberry.field(description="Individual, team or org (HR only) goal.")
    title: str = strawberry.field(description="Required, at most 300 characters.")
    target: str = strawberry.field(description="What counts as done, measurably; required.")
    due_on: dt.date = strawberry.field(description="When it is due (ISO date).")
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Default: the caller (not for org goals)."
    )
    weight: int = strawberry.field(
        default=0,
        description="0-100 (default 0); with a cycle, the owner's open individual goals "
        "in it add up to at most 100.",
    )
    cycle_id: strawberry.ID | None = strawberry.field(
        default=None, description="The review cycle the goal belongs to; null for none."
    )
    parent_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="A visible goal of a broader scope to align to (individual -> team or "
        "org, team -> org).",
    )


@strawberry.input(description="Changes to a goal; fields left null stay as they are.")
class UpdateGoalInput:
    goal_id: strawberry.ID = strawberry.field(description="The goal to change.")
    title: str | None = strawberry.field(default=None, description="At most 300 characters.")
    target: str | None = strawberry.field(default=None, description="Must not be empty.")
    weight: int | None = strawberry.field(
        default=None, description="0-100, within the cycle's limit of 100."
    )
    progress: int | None = strawberry.field(default=None, description="Percent done, 0-100.")
    status: GoalStatus | None = strawberry.field(
        default=None, description="COMPLETED sets progress to 100 unless progress is given."
    )
    due_on: dt.date | None = strawberry.field(default=None, description="ISO date.")
    parent_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Align to this goal instead (broader scope, not itself or below it).",
    )
    clear_parent: bool = strawberry.field(
        default=False, description="True removes the alignment (and ignores parentId)."
    )


@strawberry.input(description="A check-in note.")
class AddCheckInInput:
    employee_id: strawberry.ID = strawberry.field(
        description="The employee it is about: the caller or someone below them."
    )
    note: str = strawberry.field(description="The text; required.")
    goal_id: strawberry.ID | None = strawberry.field(
        default=None, description="One of the employee's goals; null for a general note."
    )


@strawberry.type(description="The goal a mutation created or changed.")
class GoalPayload:
    goal: Goal = strawberry.field(description="The goal as it is now.")


@strawberry.type(description="The check-in written.")
class CheckInPayload:
    check_in: CheckIn = strawberry.field(description="The new check-in.")


GoalResult = Annotated[
    GoalPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("GoalResult", description="The goal, or why nothing changed."),
]
CheckInResult = Annotated[
    CheckInPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("CheckInResult", description="The check-in, or why none was written."),
]


@strawberry.type
class GoalMutation:
    @strawberry.mutation(
        description="Set a goal: employees their own, managers their chain's and their team's, "
        "HR any and the org's. Publishes goal.updated."
    )
    async def create_goal(
        self,
        info: Ctx,
        input: Annotated[CreateGoalInput, strawberry.argument(description="The new goal.")],
    ) -> GoalResult:
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
    async def update_goal(
        self,
        info: Ctx,
        input: Annotated[
            UpdateGoalInput, strawberry.argument(description="The goal and its changes.")
        ],
    ) -> GoalResult:
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
    async def add_check_in(
        self,
        info: Ctx,
        input: Annotated[
            AddCheckInInput,
            strawberry.argument(description="The employee, the note and the optional goal."),
        ],
    ) -> CheckInResult:
        service = GoalService(info.context.session, info.context.principal)

        async def action() -> CheckInPayload:
            entry = await service.check_in(
                employee_id=parse_id(input.employee_id, "input.employeeId"),
                goal_id=_optional(input.goal_id, "input.goalId"),
                note=input.note,
            )
            return CheckInPayload(check_in=CheckIn.from_model(entry))

        return await run_mutation(info.context, action)
