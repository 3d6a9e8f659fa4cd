"""Goals and check-ins.

Who does what: an employee sets and updates their own individual goals; a manager those
of their reporting chain and their own team goals; HR every goal, and only HR sets org
goals. Team and org goals are visible to every employee (that is what aligning to them
needs); an individual goal to its owner, their management chain and HR. The weights of
one employee's open goals in a cycle add up to at most 100. A goal aligns to a parent of
a broader scope (individual -> team or org, team -> org).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.performance import GoalUpdated
from talent_performance.cycles.repository import CycleRepository
from talent_performance.db import outbox
from talent_performance.goals.models import GOAL_STATUSES, SCOPES, CheckIn, Goal
from talent_performance.people.models import EmployeeProjection
from talent_performance.people.repository import EmployeeProjectionRepository
from talent_performance.people.service import managed_employees, visible_employees
from talent_platform.auth import Principal
from talent_platform.db import Repository
from talent_platform.employees import reports_of
from talent_platform.errors import ErrorCollector, Forbidden, NotFound

# A parent must be of a broader scope than its child.
BROADER = {"individual": ("team", "org"), "team": ("org",), "org": ()}
OPEN = ("not_started", "on_track", "at_risk", "off_track")


@dataclass(frozen=True)
class GoalChanges:
    title: str | None = None
    target: str | None = None
    weight: int | None = None
    progress: int | None = None
    status: str | None = None
    due_on: dt.date | None = None
    parent_id: uuid.UUID | None = None
    clear_parent: bool = False


@dataclass(frozen=True)
class NewGoal:
    scope: str
    owner_id: uuid.UUID | None
    title: str
    target: str
    due_on: dt.date
    weight: int = 0
    cycle_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None


def goals_readable_by(principal: Principal) -> ColumnElement[bool]:
    if principal.is_hr:
        return true()
    me = principal.employee_id
    if me is None:
        return false()
    reports = reports_of(EmployeeProjection, me)
    return or_(
        Goal.scope != "individual",
        Goal.owner_id == me,
        Goal.owner_id.in_(select(reports.c.employee_id)),
    )


class GoalRepository(Repository[Goal]):
    model = Goal
    entity_name = "goal"

    async def readable(self, principal: Principal, goal_id: uuid.UUID) -> Goal | None:
        return await self.one_or_none(
            select(Goal).where(Goal.id == goal_id, goals_readable_by(principal))
        )

    async def readable_many(
        self, principal: Principal, goal_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, Goal]:
        rows = await self.list(
            select(Goal).where(Goal.id.in_(goal_ids), goals_readable_by(principal))
        )
        return {g.id: g for g in rows}

    async def page(
        self,
        principal: Principal,
        *,
        owner_id: uuid.UUID | None,
        cycle_id: uuid.UUID | None,
        scope: str | None,
        parent_id: uuid.UUID | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[Goal], int]:
        statement = select(Goal).where(goals_readable_by(principal)).order_by(Goal.due_on, Goal.id)
        if owner_id is not None:
            statement = statement.where(Goal.owner_id == owner_id)
        if cycle_id is not None:
            statement = statement.where(Goal.cycle_id == cycle_id)
        if scope is not None:
            statement = statement.where(Goal.scope == scope)
        if parent_id is not None:
            statement = statement.where(Goal.parent_id == parent_id)
        return await self.paginate(statement, offset=offset, limit=limit)

    async def children(
        self, principal: Principal, parent_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[Goal]]:
        rows = await self.list(
            select(Goal)
            .where(Goal.parent_id.in_(parent_ids), goals_readable_by(principal))
            .order_by(Goal.due_on, Goal.id)
        )
        grouped: dict[uuid.UUID, list[Goal]] = {p: [] for p in parent_ids}
        for goal in rows:
            assert goal.parent_id is not None
            grouped[goal.parent_id].append(goal)
        return grouped

    async def weight_in_cycle(
        self, owner_id: uuid.UUID, cycle_id: uuid.UUID, *, besides: uuid.UUID | None
    ) -> int:
        statement = select(func.coalesce(func.sum(Goal.weight), 0)).where(
            Goal.owner_id == owner_id,
            Goal.cycle_id == cycle_id,
            Goal.scope == "individual",
            Goal.status.in_(OPEN),
        )
        if besides is not None:
            statement = statement.where(Goal.id != besides)
        return int(await self.session.scalar(statement) or 0)

    async def ancestors(self, goal_id: uuid.UUID) -> set[uuid.UUID]:
        """The goal and every goal above it (a bounded walk up the parent links)."""
        found = {goal_id}
        current: uuid.UUID | None = goal_id
        for _ in range(64):
            current = await self.session.scalar(select(Goal.parent_id).where(Goal.id == current))
            if current is None or current in found:
                break
            found.add(current)
        return found


class GoalService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.goals = GoalRepository(session)
        self.employees = EmployeeProjectionRepository(session)
        self.cycles = CycleRepository(session)

    async def _may_manage_for(self, owner_id: uuid.UUID) -> bool:
        if self.principal.is_hr or owner_id == self.principal.employee_id:
            return True
        return bool(await managed_employees(self.session, self.principal, [owner_id]))

    async def _check(
        self,
        errors: ErrorCollector,
        *,
        goal_id: uuid.UUID | None,
        scope: str,
        owner_id: uuid.UUID | None,
        cycle_id: uuid.UUID | None,
        weight: int,
        progress: int,
        status: str,
        parent_id: uuid.UUID | None,
        title: str,
        target: str,
    ) -> None:
        if not title.strip() or len(title) > 300:
            errors.add("input.title", "is required (at most 300 characters)")
        if not target.strip():
            errors.add("input.target", "a measurable target is required")
        if not 0 <= weight <= 100:
            errors.add("input.weight", f"{weight} is outside 0-100")
        if not 0 <= progress <= 100:
            errors.add("input.progress", f"{progress} is outside 0-100")
        if status not in GOAL_STATUSES:
            errors.add("input.status", f"must be one of {', '.join(GOAL_STATUSES)}")
        if (
            scope == "individual"
            and owner_id is not None
            and cycle_id is not None
            and status in OPEN
            and 0 <= weight <= 100
        ):
            used = await self.goals.weight_in_cycle(owner_id, cycle_id, besides=goal_id)
            if used + weight > 100:
                errors.add(
                    "input.weight",
                    f"the employee's open goals of this cycle already weigh {used}; "
                    f"{weight} more exceeds 100",
                )
        if parent_id is not None:
            parent = await self.goals.readable(self.principal, parent_id)
            if parent is None:
                errors.add("input.parentId", f"no goal {parent_id}")
            elif parent.scope not in BROADER[scope]:
                errors.add(
                    "input.parentId",
                    f"a {scope} goal aligns to a {' or '.join(BROADER[scope]) or 'nothing'} goal",
                )
            elif goal_id is not None and goal_id in await self.goals.ancestors(parent.id):
                errors.add("input.parentId", "a goal cannot align to itself or a goal below it")

    async def create(self, data: NewGoal) -> Goal:
        errors = ErrorCollector()
        if data.scope not in SCOPES:
            errors.add("input.scope", f"must be one of {', '.join(SCOPES)}")
            errors.raise_if_any()
        if data.scope == "org":
            if not self.principal.is_hr:
                raise Forbidden("org goals are set by HR")
            owner_id = None
        else:
            owner_id = data.owner_id or self.principal.employee_id
            if owner_id is None:
                errors.add("input.ownerId", "name the employee the goal belongs to")
                errors.raise_if_any()
            assert owner_id is not None
            if await self.employees.get_or_none(owner_id) is None:
                raise NotFound("employee", owner_id)
            if not await self._may_manage_for(owner_id):
                raise Forbidden("goals are set by the employee, their managers or HR")
        if data.cycle_id is not None and await self.cycles.get_or_none(data.cycle_id) is None:
            errors.add("input.cycleId", f"no cycle {data.cycle_id}")
        await self._check(
            errors,
            goal_id=None,
            scope=data.scope,
            owner_id=owner_id,
            cycle_id=data.cycle_id,
            weight=data.weight,
            progress=0,
            status="not_started",
            parent_id=data.parent_id,
            title=data.title,
            target=data.target,
        )
        errors.raise_if_any()
        goal = Goal(
            id=uuid.uuid4(),
            scope=data.scope,
            owner_id=owner_id,
            cycle_id=data.cycle_id,
            parent_id=data.parent_id,
            title=data.title.strip(),
            target=data.target.strip(),
            weight=data.weight,
            progress=0,
            status="not_started",
            due_on=data.due_on,
            created_by=self.principal.subject,
        )
        await self.goals.create(goal)
        await self.session.run_sync(outbox.add, goal_updated(goal))
        return goal

    async def update(self, goal_id: uuid.UUID, changes: GoalChanges) -> Goal:
        goal = await self.goals.readable(self.principal, goal_id)
        if goal is None:
            raise NotFound("goal", goal_id)
        if goal.owner_id is None or goal.scope == "org":
            if not self.principal.is_hr:
                raise Forbidden("org goals are changed by HR")
        elif not await self._may_manage_for(goal.owner_id):
            raise Forbidden("goals are changed by the employee, their managers or HR")
        parent_id = None if changes.clear_parent else (changes.parent_id or goal.parent_id)
        title = changes.title if changes.title is not None else goal.title
        target = changes.target if changes.target is not None else goal.target
        weight = changes.weight if changes.weight is not None else goal.weight
        status = changes.status if changes.status is not None else goal.status
        progress = changes.progress if changes.progress is not None else goal.progress
        if status == "completed" and changes.progress is None:
            progress = 100
        errors = ErrorCollector()
        await self._check(
            errors,
            goal_id=goal.id,
            scope=goal.scope,
            owner_id=goal.owner_id,
            cycle_id=goal.cycle_id,
            weight=weight,
            progress=progress,
            status=status,
            parent_id=parent_id if parent_id != goal.parent_id else None,
            title=title,
            target=target,
        )
        errors.raise_if_any()
        values = {
            "title": title.strip(),
            "target": target.strip(),
            "weight": weight,
            "progress": progress,
            "status": status,
            "due_on": changes.due_on if changes.due_on is not None else goal.due_on,
            "parent_id": parent_id,
        }
        await self.goals.update(goal, values)
        await self.session.run_sync(outbox.add, goal_updated(goal))
        return goal

    # -- check-ins ------------------------------------------------------------------------
    async def check_in(
        self, *, employee_id: uuid.UUID, goal_id: uuid.UUID | None, note: str
    ) -> CheckIn:
        """A note by the employee or someone up their reporting chain."""
        me = self.principal.employee_id
        if me is None:
            raise Forbidden("check-ins are written by the employee or their manager")
        if employee_id != me and not await managed_employees(
            self.session, self.principal, [employee_id]
        ):
            raise Forbidden("check-ins are written by the employee or their manager")
        errors = ErrorCollector()
        if not note.strip():
            errors.add("input.note", "is required")
        if goal_id is not None:
            goal = await self.goals.get_or_none(goal_id)
            if goal is None or goal.owner_id != employee_id:
                errors.add("input.goalId", "not a goal of this employee")
        errors.raise_if_any()
        entry = CheckIn(
            id=uuid.uuid4(),
            employee_id=employee_id,
            goal_id=goal_id,
            author_id=me,
            note=note.strip(),
        )
        self.session.add(entry)
        await self.session.flush()
        return entry

    async def check_ins(
        self, *, employee_id: uuid.UUID, goal_id: uuid.UUID | None, offset: int, limit: int
    ) -> tuple[Sequence[CheckIn], int] | None:
        if employee_id not in await visible_employees(self.session, self.principal, [employee_id]):
            return None
        statement = (
            select(CheckIn)
            .where(CheckIn.employee_id == employee_id)
            .order_by(CheckIn.created_at.desc(), CheckIn.id)
        )
        if goal_id is not None:
            statement = statement.where(CheckIn.goal_id == goal_id)
        rows = await self.session.scalars(statement.offset(offset).limit(limit))
        total = await self.session.scalar(
            select(func.count()).select_from(statement.order_by(None).subquery())
        )
        return rows.all(), int(total or 0)


def goal_updated(goal: Goal) -> GoalUpdated:
    return GoalUpdated(
        goal_id=goal.id,
        scope=goal.scope,
        owner_id=goal.owner_id,
        cycle_id=goal.cycle_id,
        parent_id=goal.parent_id,
        title=goal.title,
        target=goal.target,
        weight=goal.weight,
        progress=goal.progress,
        status=goal.status,
        due_on=goal.due_on,
    )
