"""The reads behind profiles, gaps and recommendations (one employee at a time: a
handful of indexed queries each)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_recommender.ingest.models import (
    Competency,
    Completion,
    Course,
    CourseSkill,
    Employee,
    Enrollment,
    JobProfile,
    JobRequirement,
    KeyRole,
    Nomination,
)
from talent_recommender.profiles.estimates import ShownReading, evidence_query, shown_readings
from talent_recommender.profiles.inference import LoadedModel, latest_model
from talent_recommender.profiles.models import SkillEstimate, SkillModel
from talent_recommender.profiles.posterior import Calibration
from talent_recommender.recommendations.models import (
    CoursePopularity,
    Dismissal,
    IssuedRecommendation,
)
from talent_recommender.recommendations.scoring import CandidateCourse, Requirement


class RecommenderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def estimates(self, employee_id: uuid.UUID) -> list[SkillEstimate]:
        rows = await self.session.scalars(
            select(SkillEstimate).where(SkillEstimate.employee_id == employee_id)
        )
        return list(rows.all())

    async def evidence(
        self, employee_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[ShownReading]]:
        """Every reading of these employees with the weight the latest model gives it."""
        statement, params = evidence_query(employee_ids)
        rows = (await self.session.execute(statement, params)).all()
        model = await self.latest_model()
        calibration = model.skills.calibration if model is not None else Calibration.default()
        found: dict[uuid.UUID, list[ShownReading]] = {e: [] for e in employee_ids}
        for employee_id, reading in shown_readings(rows, calibration, as_of=params["as_of"]):
            found[employee_id].append(reading)
        return found

    async def competency_names(self, codes: Collection[str]) -> dict[str, str]:
        rows = await self.session.execute(
            select(Competency.code, Competency.name).where(Competency.code.in_(list(codes)))
        )
        return {c: n for c, n in rows.all()}

    async def job_profile(self, code: str) -> JobProfile | None:
        return await self.session.get(JobProfile, code)

    async def requirements(self, code: str) -> list[Requirement]:
        rows = await self.session.execute(
            select(
                JobRequirement.competency_code,
                JobRequirement.required_level,
                JobRequirement.importance,
            ).where(JobRequirement.job_profile_code == code)
        )
        return [Requirement(c, level, imp) for c, level, imp in rows.all()]

    async def courses_teaching(self, competency_codes: Collection[str]) -> list[CandidateCourse]:
        """Courses teaching any of these competencies, with all their skills."""
        if not competency_codes:
            return []
        teaching = (
            select(CourseSkill.course_code)
            .where(CourseSkill.competency_code.in_(list(competency_codes)))
            .distinct()
            .scalar_subquery()
        )
        rows = await self.session.execute(
            select(Course.code, Course.title, CourseSkill.competency_code, CourseSkill.level)
            .join(CourseSkill, CourseSkill.course_code == Course.code)
            .where(Course.code.in_(teaching))
        )
        titles: dict[str, str] = {}
        skills: dict[str, dict[str, int]] = {}
        for code, title, competency, level in rows.all():
            titles[code] = title
            skills.setdefault(code, {})[competency] = level
        return [CandidateCourse(code, titles[code], skills[code]) for code in sorted(titles)]

    async def popular_courses(self, job_profile_code: str, *, limit: int) -> list[str]:
        """The courses most completed by employees in this job profile."""
        rows = await self.session.scalars(
            select(CoursePopularity.course_code)
            .where(CoursePopularity.job_profile_code == job_profile_code)
            .order_by(CoursePopularity.completions.desc(), CoursePopularity.course_code)
            .limit(limit)
        )
        return list(rows.all())

    async def courses_by_code(self, codes: Collection[str]) -> list[CandidateCourse]:
        if not codes:
            return []
        rows = await self.session.execute(
            select(Course.code, Course.title, CourseSkill.competency_code, CourseSkill.level)
            .join(CourseSkill, CourseSkill.course_code == Course.code)
            .where(Course.code.in_(list(codes)))
        )
        titles: dict[str, str] = {}
        skills: dict[str, dict[str, int]] = {}
        for code, title, competency, level in rows.all():
            titles[code] = title
            skills.setdefault(code, {})[competency] = level
        return [CandidateCourse(code, titles[code], skills[code]) for code in sorted(titles)]

    async def completed_courses(self, employee_id: uuid.UUID) -> set[str]:
        rows = await self.session.scalars(
            select(Completion.course_code).where(Completion.employee_id == employee_id)
        )
        return set(rows.all())

    async def dismissals(self, employee_id: uuid.UUID) -> tuple[set[str], Counter[str]]:
        """Dismissed course codes, and how often each competency was among their skills."""
        codes = set(
            (
                await self.session.scalars(
                    select(Dismissal.course_code).where(Dismissal.employee_id == employee_id)
                )
            ).all()
        )
        competencies: Counter[str] = Counter()
        if codes:
            rows = await self.session.scalars(
                select(CourseSkill.competency_code).where(CourseSkill.course_code.in_(codes))
            )
            competencies.update(rows.all())
        return codes, competencies

    async def open_enrollments(self, employee_id: uuid.UUID) -> tuple[set[str], Counter[str]]:
        """Courses the employee is enrolled in and has not finished, and how many of
        those came from an accepted recommendation teach each competency."""
        rows = (
            await self.session.execute(
                select(Enrollment.course_code, IssuedRecommendation.accepted_at.is_not(None))
                .outerjoin(
                    IssuedRecommendation,
                    IssuedRecommendation.recommendation_id == Enrollment.recommendation_id,
                )
                .where(Enrollment.employee_id == employee_id, Enrollment.closed_at.is_(None))
            )
        ).all()
        open_codes = {code for code, _ in rows}
        accepted = {code for code, was_accepted in rows if was_accepted}
        competencies: Counter[str] = Counter()
        if accepted:
            skills = await self.session.scalars(
                select(CourseSkill.competency_code).where(CourseSkill.course_code.in_(accepted))
            )
            competencies.update(skills.all())
        return open_codes, competencies

    async def nominated_key_roles(self, employee_id: uuid.UUID) -> list[KeyRole]:
        """Key roles with a job profile whose current slate has the employee, by code."""
        rows = await self.session.scalars(
            select(KeyRole)
            .join(Nomination, Nomination.key_role_id == KeyRole.key_role_id)
            .where(
                Nomination.employee_id == employee_id,
                Nomination.nominated_on.is_not(None),
                Nomination.removed_on.is_(None),
                KeyRole.job_profile_code.is_not(None),
            )
            .order_by(KeyRole.code)
            .distinct()
        )
        return list(rows.all())

    async def issued(self, recommendation_id: uuid.UUID) -> IssuedRecommendation | None:
        return await self.session.get(IssuedRecommendation, recommendation_id)

    async def history(
        self, employee_id: uuid.UUID, *, kinds: Collection[str], first: int
    ) -> list[IssuedRecommendation]:
        rows = await self.session.scalars(
            select(IssuedRecommendation)
            .where(
                IssuedRecommendation.employee_id == employee_id,
                IssuedRecommendation.kind.in_(list(kinds)),
            )
            .order_by(
                IssuedRecommendation.last_issued_at.desc(),
                IssuedRecommendation.recommendation_id,
            )
            .limit(first)
        )
        return list(rows.all())

    async def peer_completions(
        self, job_profile_code: str, course_codes: Collection[str]
    ) -> dict[str, int]:
        if not course_codes:
            return {}
        rows = await self.session.execute(
            select(CoursePopularity.course_code, CoursePopularity.completions).where(
                CoursePopularity.job_profile_code == job_profile_code,
                CoursePopularity.course_code.in_(list(course_codes)),
            )
        )
        return {c: n for c, n in rows.all()}

    async def headcount(self, job_profile_code: str) -> int:
        count = await self.session.scalar(
            select(func.count())
            .select_from(Employee)
            .where(Employee.job_profile_code == job_profile_code, Employee.status == "active")
        )
        return int(count or 0)

    async def course_exists(self, code: str) -> bool:
        return (await self.session.get(Course, code)) is not None

    async def latest_model(self) -> LoadedModel | None:
        return await self.session.run_sync(latest_model)

    async def latest_model_row(self) -> SkillModel | None:
        return await self.session.scalar(
            select(SkillModel).order_by(SkillModel.version.desc()).limit(1)
        )
