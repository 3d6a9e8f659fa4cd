"""Competency framework and job profiles: validation, changes and their events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.people import CompetencyUpdated, JobProfileUpdated, RequirementSnapshot
from talent_people.db import outbox
from talent_people.framework.models import TIERS, Competency, JobProfile, JobProfileRequirement
from talent_people.framework.repository import CompetencyRepository, JobProfileRepository
from talent_platform.auth import Principal, Role
from talent_platform.errors import ErrorCollector, NotFound

WRITERS = (Role.ADMIN, Role.HR_COORDINATOR)


@dataclass(frozen=True)
class CompetencyInput:
    code: str
    name: str
    tier: str
    description: str = ""


@dataclass(frozen=True)
class JobProfileInput:
    code: str
    title: str
    family: str
    level: int


@dataclass(frozen=True)
class RequirementInput:
    competency_code: str
    required_level: int
    importance: int


def validate_competency(
    data: CompetencyInput, errors: ErrorCollector, prefix: str = "input"
) -> None:
    if not data.code.strip():
        errors.add(f"{prefix}.code", "is required")
    elif len(data.code) > 200:
        errors.add(f"{prefix}.code", "must be at most 200 characters")
    if not data.name.strip():
        errors.add(f"{prefix}.name", "is required")
    if data.tier not in TIERS:
        errors.add(f"{prefix}.tier", f"must be one of {', '.join(TIERS)}")


def validate_job_profile(
    data: JobProfileInput, errors: ErrorCollector, prefix: str = "input"
) -> None:
    if not data.code.strip():
        errors.add(f"{prefix}.code", "is required")
    if not data.title.strip():
        errors.add(f"{prefix}.title", "is required")
    if not data.family.strip():
        errors.add(f"{prefix}.family", "is required")
    if not 1 <= data.level <= 10:
        errors.add(f"{prefix}.level", "must be between 1 and 10")


def validate_requirement(data: RequirementInput, errors: ErrorCollector, prefix: str) -> None:
    if not 1 <= data.required_level <= 5:
        errors.add(f"{prefix}.requiredLevel", "must be between 1 and 5")
    if not 1 <= data.importance <= 5:
        errors.add(f"{prefix}.importance", "must be between 1 and 5")


def competency_event(c: Competency) -> CompetencyUpdated:
    return CompetencyUpdated(code=c.code, name=c.name, tier=c.tier, description=c.description)


def job_profile_event(
    profile: JobProfile, requirements: Sequence[tuple[str, int, int]]
) -> JobProfileUpdated:
    return JobProfileUpdated(
        code=profile.code,
        title=profile.title,
        family=profile.family,
        level=profile.level,
        requirements=tuple(
            RequirementSnapshot(competency_code=code, required_level=level, importance=importance)
            for code, level, importance in sorted(requirements)
        ),
    )


class FrameworkService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.competencies = CompetencyRepository(session)
        self.profiles = JobProfileRepository(session)

    # -- reads ------------------------------------------------------------------------
    def competency_query(self, *, tier: str | None, search: str | None) -> Select[Competency]:
        stmt = select(Competency).order_by(Competency.code)
        if tier:
            stmt = stmt.where(Competency.tier == tier)
        if search:
            pattern = f"%{search.lower()}%"
            stmt = stmt.where(
                or_(
                    func.lower(Competency.name).like(pattern),
                    func.lower(Competency.code).like(pattern),
                )
            )
        return stmt

    def job_profile_query(self, *, family: str | None, search: str | None) -> Select[JobProfile]:
        stmt = select(JobProfile).order_by(JobProfile.family, JobProfile.level, JobProfile.code)
        if family:
            stmt = stmt.where(JobProfile.family == family)
        if search:
            pattern = f"%{search.lower()}%"
            stmt = stmt.where(
                or_(
                    func.lower(JobProfile.title).like(pattern),
                    func.lower(JobProfile.code).like(pattern),
                )
            )
        return stmt

    async def job_profile_by_code(self, code: str) -> JobProfile | None:
        return await self.profiles.one_or_none(select(JobProfile).where(JobProfile.code == code))

    # -- writes -----------------------------------------------------------------------
    async def upsert_competency(self, data: CompetencyInput) -> Competency:
        self.principal.require(*WRITERS)
        errors = ErrorCollector()
        validate_competency(data, errors)
        errors.raise_if_any()
        found = (await self.competencies.by_codes([data.code])).get(data.code)
        if found is None:
            found = await self.competencies.create(
                Competency(
                    code=data.code, name=data.name, tier=data.tier, description=data.description
                )
            )
        elif (found.name, found.tier, found.description) == (
            data.name,
            data.tier,
            data.description,
        ):
            return found
        else:
            await self.competencies.update(
                found, {"name": data.name, "tier": data.tier, "description": data.description}
            )
        await self.session.run_sync(outbox.add, competency_event(found))
        return found

    async def upsert_job_profile(
        self, data: JobProfileInput, requirements: Sequence[RequirementInput] | None
    ) -> JobProfile:
        """Create or change a job profile; `requirements`, when given, replace the
        profile's whole requirement list."""
        self.principal.require(*WRITERS)
        errors = ErrorCollector()
        validate_job_profile(data, errors)
        competencies: dict[str, Competency] = {}
        if requirements is not None:
            competencies = await self.competencies.by_codes(
                [r.competency_code for r in requirements]
            )
            seen: set[str] = set()
            for i, r in enumerate(requirements):
                prefix = f"input.requirements[{i}]"
                validate_requirement(r, errors, prefix)
                if r.competency_code not in competencies:
                    errors.add(
                        f"{prefix}.competencyCode", f"unknown competency {r.competency_code!r}"
                    )
                if r.competency_code in seen:
                    errors.add(f"{prefix}.competencyCode", f"{r.competency_code!r} is listed twice")
                seen.add(r.competency_code)
        errors.raise_if_any()
        profile = await self.job_profile_by_code(data.code)
        if profile is None:
            profile = await self.profiles.create(
                JobProfile(code=data.code, title=data.title, family=data.family, level=data.level)
            )
        else:
            await self.profiles.update(
                profile, {"title": data.title, "family": data.family, "level": data.level}
            )
        if requirements is not None:
            await self.session.execute(
                delete(JobProfileRequirement).where(
                    JobProfileRequirement.job_profile_id == profile.id
                )
            )
            for r in requirements:
                self.session.add(
                    JobProfileRequirement(
                        job_profile_id=profile.id,
                        competency_id=competencies[r.competency_code].id,
                        required_level=r.required_level,
                        importance=r.importance,
                    )
                )
            await self.session.flush()
        await self.session.run_sync(
            outbox.add, job_profile_event(profile, await self.requirement_tuples(profile))
        )
        return profile

    async def requirement_tuples(self, profile: JobProfile) -> list[tuple[str, int, int]]:
        rows = await self.session.execute(
            select(
                Competency.code,
                JobProfileRequirement.required_level,
                JobProfileRequirement.importance,
            )
            .join(Competency, Competency.id == JobProfileRequirement.competency_id)
            .where(JobProfileRequirement.job_profile_id == profile.id)
        )
        return [(code, level, importance) for code, level, importance in rows.all()]

    async def get_job_profile(self, code: str) -> JobProfile:
        found = await self.job_profile_by_code(code)
        if found is None:
            raise NotFound("job profile", code)
        return found
