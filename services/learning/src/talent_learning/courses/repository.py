from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select

from talent_learning.courses.models import Course, CourseSkill
from talent_platform.db import Repository


class CourseRepository(Repository[Course]):
    model = Course
    entity_name = "course"

    async def by_code(self, code: str) -> Course | None:
        return await self.one_or_none(select(Course).where(Course.code == code))

    async def by_codes(self, codes: Sequence[str], *, refresh: bool = False) -> dict[str, Course]:
        """`refresh` reloads objects already in the session (after a bulk UPDATE)."""
        stmt = select(Course).where(Course.code.in_(codes))
        if refresh:
            stmt = stmt.execution_options(populate_existing=True)
        return {c.code: c for c in await self.list(stmt)}

    async def by_ids(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Course]:
        rows = await self.list(select(Course).where(Course.id.in_(ids)))
        return {c.id: c for c in rows}

    async def all_by_code(self) -> dict[str, Course]:
        return {c.code: c for c in await self.list(select(Course))}

    async def skills_of(
        self, course_ids: Sequence[uuid.UUID], *, refresh: bool = False
    ) -> Sequence[CourseSkill]:
        """Skills of the given courses, highest level first, then by competency code."""
        stmt = (
            select(CourseSkill)
            .where(CourseSkill.course_id.in_(course_ids))
            .order_by(CourseSkill.level.desc(), CourseSkill.competency_code)
        )
        if refresh:
            stmt = stmt.execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalars().all()

    async def all_skills(self) -> Sequence[CourseSkill]:
        return (await self.session.execute(select(CourseSkill))).scalars().all()
