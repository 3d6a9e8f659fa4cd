from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from enum import Enum
from functools import partial
from typing import Annotated

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from talent_people.framework.models import Competency as CompetencyModel
from talent_people.framework.models import JobProfile as JobProfileModel
from talent_people.framework.repository import JobProfileRepository
from talent_people.framework.service import (
    CompetencyInput as CompetencyData,
)
from talent_people.framework.service import (
    FrameworkService,
    JobProfileInput,
    RequirementInput,
)
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


@strawberry.enum(description="Tier of the competency framework.")
class CompetencyTier(Enum):
    CORE = "core"
    FUNCTIONAL = "functional"
    LEADERSHIP = "leadership"


@strawberry.federation.type(
    keys=["code"], description="A competency of the framework (proficiency scale 1-5)."
)
class Competency:
    id: strawberry.ID
    code: str
    name: str
    tier: CompetencyTier
    description: str

    @classmethod
    def from_model(cls, m: CompetencyModel) -> Competency:
        return cls(
            id=strawberry.ID(str(m.id)),
            code=m.code,
            name=m.name,
            tier=CompetencyTier(m.tier),
            description=m.description,
        )


@strawberry.type(
    description="A competency a job profile requires, at a level (1-5) and importance (1-5)."
)
class Requirement:
    competency: Competency
    required_level: int
    importance: int


async def _load_requirements(info: Ctx, keys: list[uuid.UUID]) -> list[list[Requirement]]:
    rows = await JobProfileRepository(info.context.session).requirements_for(keys)
    grouped: dict[uuid.UUID, list[Requirement]] = defaultdict(list)
    for r in rows:
        grouped[r.job_profile_id].append(
            Requirement(
                competency=Competency.from_model(r.competency),
                required_level=r.required_level,
                importance=r.importance,
            )
        )
    return [grouped.get(k, []) for k in keys]


@strawberry.federation.type(
    keys=["code"], description="A role definition: family, level and required competencies."
)
class JobProfile:
    id: strawberry.ID
    code: str
    title: str
    family: str
    level: int

    @strawberry.field(description="Required competencies, most important first.")
    async def requirements(self, info: Ctx) -> list[Requirement]:
        loader = info.context.loader("job_profile.requirements", partial(_load_requirements, info))
        return await loader.load(uuid.UUID(self.id))

    @classmethod
    def from_model(cls, m: JobProfileModel) -> JobProfile:
        return cls(
            id=strawberry.ID(str(m.id)), code=m.code, title=m.title, family=m.family, level=m.level
        )

    @classmethod
    async def resolve_reference(cls, info: Ctx, code: str) -> JobProfile | None:
        found = await FrameworkService(
            info.context.session, info.context.principal
        ).job_profile_by_code(code)
        return cls.from_model(found) if found else None


async def load_job_profiles(info: Ctx, keys: Sequence[uuid.UUID]) -> list[JobProfile | None]:
    found = await JobProfileRepository(info.context.session).list(
        select(JobProfileModel).where(JobProfileModel.id.in_(keys))
    )
    by_id = {p.id: JobProfile.from_model(p) for p in found}
    return [by_id.get(k) for k in keys]


@strawberry.input(description="A required competency of a job profile.")
class RequirementInputType:
    competency_code: str
    required_level: int
    importance: int = 3


@strawberry.input
class UpsertJobProfileInput:
    code: str
    title: str
    family: str
    level: int
    requirements: list[RequirementInputType] | None = strawberry.field(
        default=None, description="When given, replaces the profile's whole requirement list."
    )


@strawberry.input
class UpsertCompetencyInput:
    code: str
    name: str
    tier: CompetencyTier
    description: str = ""


@strawberry.type
class JobProfilePayload:
    job_profile: JobProfile


@strawberry.type
class CompetencyPayload:
    competency: Competency


UpsertJobProfileResult = Annotated[
    JobProfilePayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("UpsertJobProfileResult"),
]
UpsertCompetencyResult = Annotated[
    CompetencyPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("UpsertCompetencyResult"),
]


@strawberry.type
class FrameworkQuery:
    @strawberry.field(description="One job profile by code.")
    async def job_profile(self, info: Ctx, code: str) -> JobProfile | None:
        found = await FrameworkService(
            info.context.session, info.context.principal
        ).job_profile_by_code(code)
        return JobProfile.from_model(found) if found else None

    @strawberry.field(description="Job profiles, ordered by family, level and code.")
    async def job_profiles(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
        family: str | None = None,
        search: str | None = None,
    ) -> Connection[JobProfile]:
        service = FrameworkService(info.context.session, info.context.principal)
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        rows, total = await service.profiles.paginate(
            service.job_profile_query(family=family, search=search),
            offset=page.offset,
            limit=page.limit,
        )
        return connection(rows, total=total, page=page, to_node=JobProfile.from_model)

    @strawberry.field(description="The competency framework, ordered by code.")
    async def competencies(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
        tier: CompetencyTier | None = None,
        search: str | None = None,
    ) -> Connection[Competency]:
        service = FrameworkService(info.context.session, info.context.principal)
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        rows, total = await service.competencies.paginate(
            service.competency_query(tier=tier.value if tier else None, search=search),
            offset=page.offset,
            limit=page.limit,
        )
        return connection(rows, total=total, page=page, to_node=Competency.from_model)


@strawberry.type
class FrameworkMutation:
    @strawberry.mutation(description="Create or change a job profile (admin, hr_coordinator).")
    async def upsert_job_profile(
        self, info: Ctx, input: UpsertJobProfileInput
    ) -> UpsertJobProfileResult:
        service = FrameworkService(info.context.session, info.context.principal)

        async def action() -> JobProfilePayload:
            requirements = (
                [
                    RequirementInput(r.competency_code, r.required_level, r.importance)
                    for r in input.requirements
                ]
                if input.requirements is not None
                else None
            )
            profile = await service.upsert_job_profile(
                JobProfileInput(
                    code=input.code, title=input.title, family=input.family, level=input.level
                ),
                requirements,
            )
            return JobProfilePayload(job_profile=JobProfile.from_model(profile))

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Create or change a competency (admin, hr_coordinator).")
    async def upsert_competency(
        self, info: Ctx, input: UpsertCompetencyInput
    ) -> UpsertCompetencyResult:
        service = FrameworkService(info.context.session, info.context.principal)

        async def action() -> CompetencyPayload:
            found = await service.upsert_competency(
                CompetencyData(
                    code=input.code,
                    name=input.name,
                    tier=input.tier.value,
                    description=input.description,
                )
            )
            return CompetencyPayload(competency=Competency.from_model(found))

        return await run_mutation(info.context, action)
