"""Learning paths: defining them (admin, hr_coordinator) and reading them (everyone)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_learning.courses.repository import CourseRepository
from talent_learning.paths.models import PATH_KINDS, LearningPath, LearningPathStep
from talent_platform.auth import Principal, Role
from talent_platform.db import Repository
from talent_platform.errors import ErrorCollector


@dataclass(frozen=True)
class StepInput:
    course_code: str
    required: bool = True


@dataclass(frozen=True)
class PathInput:
    code: str
    title: str
    kind: str
    steps: Sequence[StepInput]
    description: str = ""
    job_profile_code: str | None = None
    location: str | None = None
    target_days: int | None = None
    active: bool = True


class PathRepository(Repository[LearningPath]):
    model = LearningPath
    entity_name = "learning path"


class PathService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.paths = PathRepository(session)

    def query(self, *, kind: str | None, include_inactive: bool) -> Select[LearningPath]:
        stmt = select(LearningPath)
        if kind is not None:
            stmt = stmt.where(LearningPath.kind == kind)
        if not include_inactive:
            stmt = stmt.where(LearningPath.active)
        return stmt.order_by(LearningPath.title, LearningPath.code)

    async def by_codes(self, codes: Sequence[str]) -> dict[str, LearningPath]:
        rows = await self.session.execute(select(LearningPath).where(LearningPath.code.in_(codes)))
        return {p.code: p for p in rows.scalars()}

    async def by_ids(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, LearningPath]:
        rows = await self.session.execute(select(LearningPath).where(LearningPath.id.in_(ids)))
        return {p.id: p for p in rows.scalars()}

    async def steps_of(
        self, path_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[LearningPathStep]]:
        rows = await self.session.execute(
            select(LearningPathStep)
            .where(LearningPathStep.path_id.in_(path_ids))
            .order_by(LearningPathStep.path_id, LearningPathStep.position)
        )
        grouped: dict[uuid.UUID, list[LearningPathStep]] = defaultdict(list)
        for step in rows.scalars():
            grouped[step.path_id].append(step)
        return grouped

    async def save(self, data: PathInput) -> LearningPath:
        """Create the path or replace it (steps included) by code."""
        self.principal.require(Role.ADMIN, Role.HR_COORDINATOR)
        errors = ErrorCollector()
        if not 0 < len(data.code.strip()) <= 100:
            errors.add("input.code", "1-100 characters")
        if not 0 < len(data.title.strip()) <= 300:
            errors.add("input.title", "1-300 characters")
        if data.kind not in PATH_KINDS:
            errors.add("input.kind", f"one of {', '.join(PATH_KINDS)}")
        if data.target_days is not None and data.target_days <= 0:
            errors.add("input.targetDays", "a positive number of days")
        if not data.steps:
            errors.add("input.steps", "a path needs at least one course")
        courses = await CourseRepository(self.session).by_codes([s.course_code for s in data.steps])
        seen: set[str] = set()
        for i, step in enumerate(data.steps):
            course = courses.get(step.course_code)
            if course is None:
                errors.add(f"input.steps[{i}].courseCode", f"unknown course {step.course_code!r}")
            elif not course.active:
                errors.add(f"input.steps[{i}].courseCode", f"course {course.code} is retired")
            if step.course_code in seen:
                errors.add(f"input.steps[{i}].courseCode", "listed twice")
            seen.add(step.course_code)
        errors.raise_if_any()
        path = (await self.by_codes([data.code])).get(data.code)
        if path is None:
            path = LearningPath(code=data.code)
            self.session.add(path)
        path.title = data.title
        path.description = data.description
        path.kind = data.kind
        path.job_profile_code = data.job_profile_code
        path.location = data.location
        path.target_days = data.target_days
        path.active = data.active
        await self.session.flush()
        await self.session.execute(
            delete(LearningPathStep).where(LearningPathStep.path_id == path.id)
        )
        self.session.add_all(
            LearningPathStep(
                path_id=path.id,
                position=i + 1,
                course_id=courses[s.course_code].id,
                required=s.required,
            )
            for i, s in enumerate(data.steps)
        )
        await self.session.flush()
        return path
