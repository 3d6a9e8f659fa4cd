"""Managing the catalog by API (admin, hr_coordinator): create, update, retire."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.learning import CourseRetired, CourseUpdated
from talent_learning.courses.events import course_published
from talent_learning.courses.models import MODALITIES, Course, CourseSkill
from talent_learning.courses.repository import CourseRepository
from talent_learning.db import outbox
from talent_platform.auth import Principal, Role
from talent_platform.errors import Conflict, ErrorCollector, NotFound

CATALOG_MANAGERS = (Role.ADMIN, Role.HR_COORDINATOR)


@dataclass(frozen=True)
class SkillInput:
    competency_code: str
    level: int


@dataclass(frozen=True)
class CourseFields:
    """Every settable field; None leaves a field unchanged on update."""

    title: str | None = None
    description: str | None = None
    duration_hours: float | None = None
    modality: str | None = None
    language: str | None = None
    provider: str | None = None
    mandatory: bool | None = None
    recertify_months: int | None = None
    self_enrollment: bool | None = None
    skills: Sequence[SkillInput] | None = None


def _validate(fields: CourseFields, errors: ErrorCollector) -> None:
    if fields.title is not None and not 0 < len(fields.title.strip()) <= 300:
        errors.add("input.title", "1-300 characters")
    if fields.duration_hours is not None and not 0 <= fields.duration_hours <= 10_000:
        errors.add("input.durationHours", "0-10000 hours")
    if fields.modality is not None and fields.modality not in MODALITIES:
        errors.add("input.modality", f"one of {', '.join(MODALITIES)}")
    if fields.language is not None and not 2 <= len(fields.language) <= 20:
        errors.add("input.language", "a language tag such as en or fr-CA")
    if fields.recertify_months is not None and not 1 <= fields.recertify_months <= 600:
        errors.add("input.recertifyMonths", "1-600 months")
    seen: set[str] = set()
    for i, skill in enumerate(fields.skills or ()):
        if not 1 <= skill.level <= 5:
            errors.add(f"input.skills[{i}].level", "1-5")
        if not skill.competency_code.strip():
            errors.add(f"input.skills[{i}].competencyCode", "required")
        if skill.competency_code in seen:
            errors.add(f"input.skills[{i}].competencyCode", "listed twice")
        seen.add(skill.competency_code)


class CatalogService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.courses = CourseRepository(session)

    async def create(self, code: str, fields: CourseFields) -> Course:
        self.principal.require(*CATALOG_MANAGERS)
        errors = ErrorCollector()
        if not 0 < len(code.strip()) <= 100:
            errors.add("input.code", "1-100 characters")
        if fields.title is None:
            errors.add("input.title", "required")
        if fields.modality is None:
            errors.add("input.modality", "required")
        _validate(fields, errors)
        errors.raise_if_any()
        if await self.courses.by_code(code) is not None:
            raise Conflict(f"course {code} exists; use updateCourse")
        course = Course(
            code=code.strip(),
            title=(fields.title or "").strip(),
            description=fields.description or "",
            duration_hours=fields.duration_hours or 0,
            modality=fields.modality or "",
            language=fields.language or "en",
            provider=fields.provider or "",
            mandatory=bool(fields.mandatory),
            recertify_months=fields.recertify_months,
            self_enrollment=bool(fields.self_enrollment),
            version=1,
        )
        await self.courses.create(course)
        skills = await self._replace_skills(course, fields.skills or ())
        await self.session.run_sync(outbox.add, course_published(course, skills))
        return course

    async def update(self, code: str, fields: CourseFields, *, clear_recertify: bool) -> Course:
        self.principal.require(*CATALOG_MANAGERS)
        errors = ErrorCollector()
        _validate(fields, errors)
        errors.raise_if_any()
        course = await self._get(code)
        changes = {
            name: getattr(fields, name)
            for name in (
                "title",
                "description",
                "duration_hours",
                "modality",
                "language",
                "provider",
                "mandatory",
                "recertify_months",
                "self_enrollment",
            )
            if getattr(fields, name) is not None
        }
        if clear_recertify:
            changes["recertify_months"] = None
        for name, value in changes.items():
            setattr(course, name, value)
        course.version += 1
        await self.session.flush()
        if fields.skills is not None:
            skills = await self._replace_skills(course, fields.skills)
        else:
            skills = list(await self.courses.skills_of([course.id]))
        snapshot = course_published(course, skills)
        await self.session.run_sync(
            outbox.add,
            CourseUpdated(**snapshot.model_dump(exclude={"version"}), version=course.version),
        )
        return course

    async def retire(self, code: str) -> Course:
        """Retired courses stay for history (completions, evidence) but are never
        assigned again; open enrollments are left for HR to waive or cancel."""
        self.principal.require(*CATALOG_MANAGERS)
        course = await self._get(code)
        if not course.active:
            return course
        course.active = False
        course.retired_at = dt.datetime.now(dt.UTC)
        await self.session.flush()
        await self.session.run_sync(
            outbox.add, CourseRetired(code=course.code, retired_at=course.retired_at)
        )
        return course

    async def _get(self, code: str) -> Course:
        course = await self.courses.by_code(code)
        if course is None:
            raise NotFound("course", code)
        return course

    async def _replace_skills(
        self, course: Course, skills: Sequence[SkillInput]
    ) -> list[CourseSkill]:
        await self.session.execute(delete(CourseSkill).where(CourseSkill.course_id == course.id))
        rows = [
            CourseSkill(course_id=course.id, competency_code=s.competency_code, level=s.level)
            for s in skills
        ]
        self.session.add_all(rows)
        await self.session.flush()
        return rows
