"""The course catalog: lookups, filtered lists and the events of changed courses."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.learning import CoursePublished
from talent_learning.courses.events import course_published
from talent_learning.courses.models import Course, CourseSkill
from talent_learning.courses.repository import CourseRepository
from talent_platform.errors import NotFound


@dataclass(frozen=True)
class CourseFilter:
    search: str | None = None
    competency_code: str | None = None
    min_competency_level: int | None = None
    modality: str | None = None
    language: str | None = None
    min_duration_hours: float | None = None
    max_duration_hours: float | None = None
    include_retired: bool = False
    self_enrollment: bool | None = None


class CourseService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.courses = CourseRepository(session)

    def query(self, flt: CourseFilter) -> Select[Course]:
        """Courses matching every given filter, by title then code."""
        stmt = select(Course)
        if flt.search:
            pattern = f"%{flt.search.lower()}%"
            stmt = stmt.where(
                or_(
                    func.lower(Course.title).like(pattern),
                    func.lower(Course.code).like(pattern),
                    func.lower(Course.description).like(pattern),
                    func.lower(Course.provider).like(pattern),
                )
            )
        if flt.competency_code:
            teaches = select(CourseSkill.id).where(
                CourseSkill.course_id == Course.id,
                CourseSkill.competency_code == flt.competency_code,
            )
            if flt.min_competency_level is not None:
                teaches = teaches.where(CourseSkill.level >= flt.min_competency_level)
            stmt = stmt.where(teaches.exists())
        if flt.modality:
            stmt = stmt.where(Course.modality == flt.modality.lower())
        if flt.language:
            stmt = stmt.where(Course.language == flt.language)
        if flt.min_duration_hours is not None:
            stmt = stmt.where(Course.duration_hours >= flt.min_duration_hours)
        if flt.max_duration_hours is not None:
            stmt = stmt.where(Course.duration_hours <= flt.max_duration_hours)
        if not flt.include_retired:
            stmt = stmt.where(Course.active)
        if flt.self_enrollment is not None:
            stmt = stmt.where(Course.self_enrollment == flt.self_enrollment)
        return stmt.order_by(Course.title, Course.code)

    async def get_or_none(self, code: str) -> Course | None:
        return await self.courses.by_code(code)

    async def get(self, code: str) -> Course:
        found = await self.courses.by_code(code)
        if found is None:
            raise NotFound("course", code)
        return found

    async def by_ids(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Course]:
        return await self.courses.by_ids(ids)

    async def by_codes(self, codes: Sequence[str]) -> dict[str, Course]:
        return await self.courses.by_codes(codes)

    async def skills_of(
        self, course_ids: Sequence[uuid.UUID], *, refresh: bool = False
    ) -> dict[uuid.UUID, list[CourseSkill]]:
        grouped: dict[uuid.UUID, list[CourseSkill]] = defaultdict(list)
        for skill in await self.courses.skills_of(course_ids, refresh=refresh):
            grouped[skill.course_id].append(skill)
        return grouped

    async def published_events(self, codes: Sequence[str]) -> list[CoursePublished]:
        """One course.published per course, carrying its full skill list, in code order."""
        if not codes:
            return []
        # Fresh from the database: bulk imports change rows behind loaded objects.
        courses = await self.courses.by_codes(codes, refresh=True)
        skills = await self.skills_of([c.id for c in courses.values()], refresh=True)
        return [
            course_published(courses[code], skills[courses[code].id]) for code in sorted(courses)
        ]
