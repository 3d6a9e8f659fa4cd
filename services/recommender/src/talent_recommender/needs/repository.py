"""Unit development needs: the skill gaps of an org unit's people (with its sub-units),
aggregated per competency, with the courses that close them and how many of the people
with the gap already have one of those courses assigned.

A gap is counted where the employee has an estimate from evidence (`skill_estimate`)
below what their job profile requires. People whose profile requires a competency they
have no evidence for are counted as `unassessed`, not as a gap: their level would be the
model's inference for their job profile, the same for everyone in it, which says nothing
about the unit (and is what `skillGaps` shows per person)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Select, and_, func, literal_column, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import CTE

from talent_platform.employees import in_org_scope
from talent_recommender.ingest.models import (
    Competency,
    Course,
    CourseSkill,
    Employee,
    Enrollment,
    JobRequirement,
)
from talent_recommender.profiles.models import SkillEstimate

COURSES_PER_NEED = 5


@dataclass(frozen=True)
class NeedCourse:
    course_code: str
    title: str
    level: int
    """The level the course teaches the competency to."""
    assigned: int
    """People with the gap who have this course assigned (an open enrollment)."""


@dataclass(frozen=True)
class Need:
    competency_code: str
    competency_name: str
    requiring: int
    """People whose job profile requires the competency."""
    with_gap: int
    """Of those, people whose estimate (from evidence) is below the required level."""
    unassessed: int
    """Of those, people with no evidence for it."""
    weighted_gap: float
    """Sum over the people with a gap of (required level - estimate) x importance."""
    average_gap: float
    """Mean gap of the people with a gap."""
    assigned: int = 0
    """People with the gap who have any of the courses teaching it assigned."""
    courses: tuple[NeedCourse, ...] = field(default=())


@dataclass(frozen=True)
class UnitNeeds:
    people: int
    """Active employees in the unit (with sub-units) and job profile filter."""
    needs: list[Need]


class NeedsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _people(
        self,
        *,
        org_unit_code: str | None,
        job_profile_code: str | None,
        scope: Collection[str] | None,
    ) -> Select[uuid.UUID, str | None]:
        statement = select(Employee.employee_id, Employee.job_profile_code).where(
            Employee.status == "active", Employee.job_profile_code.is_not(None)
        )
        if org_unit_code is not None:
            statement = statement.where(in_org_scope(Employee.org_unit_code, [org_unit_code]))
        if job_profile_code is not None:
            statement = statement.where(Employee.job_profile_code == job_profile_code)
        if scope is not None:
            statement = statement.where(in_org_scope(Employee.org_unit_code, scope))
        return statement

    async def needs(
        self,
        *,
        org_unit_code: str | None,
        job_profile_code: str | None,
        scope: Collection[str] | None,
        first: int,
    ) -> UnitNeeds:
        people = self._people(
            org_unit_code=org_unit_code, job_profile_code=job_profile_code, scope=scope
        ).cte("people")
        gap = JobRequirement.required_level - SkillEstimate.level
        has_gap = and_(SkillEstimate.level.is_not(None), gap > 0)
        weighted = func.coalesce(
            func.sum(gap * JobRequirement.importance).filter(has_gap), literal_column("0")
        )
        rows = await self.session.execute(
            select(
                JobRequirement.competency_code,
                func.coalesce(func.max(Competency.name), JobRequirement.competency_code),
                func.count(),
                func.count().filter(has_gap),
                func.count().filter(SkillEstimate.level.is_(None)),
                weighted,
                func.coalesce(func.avg(gap).filter(has_gap), literal_column("0")),
            )
            .select_from(people)
            .join(JobRequirement, JobRequirement.job_profile_code == people.c.job_profile_code)
            .outerjoin(
                SkillEstimate,
                and_(
                    SkillEstimate.employee_id == people.c.employee_id,
                    SkillEstimate.competency_code == JobRequirement.competency_code,
                ),
            )
            .outerjoin(Competency, Competency.code == JobRequirement.competency_code)
            .group_by(JobRequirement.competency_code)
            .order_by(
                weighted.desc(), func.count().filter(has_gap).desc(), JobRequirement.competency_code
            )
            .limit(first)
        )
        found = [
            Need(
                code,
                name,
                int(n),
                int(gapped),
                int(unknown),
                round(float(w), 2),
                round(float(avg), 2),
            )
            for code, name, n, gapped, unknown, w, avg in rows.all()
        ]
        total = await self.session.scalar(select(func.count()).select_from(people))
        courses, assigned = await self._courses(
            people, [n.competency_code for n in found if n.with_gap]
        )
        return UnitNeeds(
            people=int(total or 0),
            needs=[
                Need(
                    n.competency_code,
                    n.competency_name,
                    n.requiring,
                    n.with_gap,
                    n.unassessed,
                    n.weighted_gap,
                    n.average_gap,
                    assigned.get(n.competency_code, 0),
                    courses.get(n.competency_code, ()),
                )
                for n in found
            ],
        )

    async def _courses(
        self, people: CTE, competencies: Sequence[str]
    ) -> tuple[dict[str, tuple[NeedCourse, ...]], dict[str, int]]:
        """Per competency: the courses teaching it (highest level first, then the most
        assigned), each with how many of the people with the gap have it assigned; and how
        many of those people have any of its courses assigned."""
        if not competencies:
            return {}, {}
        # From the open enrollments (far fewer than people x requirements) to those of
        # people with the gap: one pass, counted per course and per competency together.
        assigned = (
            select(
                CourseSkill.competency_code.label("competency"),
                CourseSkill.course_code.label("course"),
                Enrollment.employee_id.label("employee"),
            )
            .join(CourseSkill, CourseSkill.course_code == Enrollment.course_code)
            .join(people, people.c.employee_id == Enrollment.employee_id)
            .join(
                JobRequirement,
                and_(
                    JobRequirement.job_profile_code == people.c.job_profile_code,
                    JobRequirement.competency_code == CourseSkill.competency_code,
                ),
            )
            .join(
                SkillEstimate,
                and_(
                    SkillEstimate.employee_id == Enrollment.employee_id,
                    SkillEstimate.competency_code == CourseSkill.competency_code,
                ),
            )
            .where(
                Enrollment.closed_at.is_(None),
                CourseSkill.competency_code.in_(competencies),
                SkillEstimate.level < JobRequirement.required_level,
            )
            .subquery()
        )
        counted = await self.session.execute(
            select(
                assigned.c.competency,
                assigned.c.course,
                func.grouping(assigned.c.course),
                func.count(func.distinct(assigned.c.employee)),
            ).group_by(
                func.grouping_sets(
                    tuple_(assigned.c.competency, assigned.c.course), tuple_(assigned.c.competency)
                )
            )
        )
        per_course: dict[tuple[str, str], int] = {}
        per_competency: dict[str, int] = {}
        for competency, course_code, total, n in counted.all():
            if total:
                per_competency[competency] = int(n)
            else:
                per_course[(competency, course_code)] = int(n)
        catalogue = await self.session.execute(
            select(
                CourseSkill.competency_code,
                CourseSkill.course_code,
                Course.title,
                CourseSkill.level,
            )
            .join(Course, Course.code == CourseSkill.course_code)
            .where(CourseSkill.competency_code.in_(competencies))
        )
        courses: dict[str, list[NeedCourse]] = {}
        for competency, code, title, level in catalogue.all():
            courses.setdefault(competency, []).append(
                NeedCourse(code, title, int(level), per_course.get((competency, code), 0))
            )
        return (
            {
                c: tuple(
                    sorted(found, key=lambda x: (-x.level, -x.assigned, x.course_code))[
                        :COURSES_PER_NEED
                    ]
                )
                for c, found in courses.items()
            },
            per_competency,
        )
