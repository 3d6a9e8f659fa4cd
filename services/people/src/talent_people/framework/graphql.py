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
    After,
    Conflict,
    Connection,
    First,
    Forbidden,
    NotFound,
    TalentContext,
    ValidationError,
    connection,
    enum_value,
    page_request,
    run_mutation,
)

Ctx = Info[TalentContext, None]


@strawberry.enum(
    description="Tier of the competency framework; it groups competencies, no calculation "
    "depends on it."
)
class CompetencyTier(Enum):
    CORE = enum_value("core", description="Core competencies (`core` in CSV files).")
    FUNCTIONAL = enum_value(
        "functional", description="Functional competencies (`functional` in CSV files)."
    )
    LEADERSHIP = enum_value(
        "leadership", description="Leadership competencies (`leadership` in CSV files)."
    )


@strawberry.federation.type(
    keys=["code"], description="A competency of the framework (proficiency scale 1-5)."
)
class Competency:
    id: strawberry.ID = strawberry.field(description="Internal UUID; other services use `code`.")
    code: str = strawberry.field(
        description="Unique code (at most 200 characters), used wherever a competency is named."
    )
    name: str = strawberry.field(description="Name shown to people, e.g. `Financial Modelling`.")
    tier: CompetencyTier = strawberry.field(description="The framework tier it belongs to.")
    description: str = strawberry.field(description="What it covers; empty when not given.")

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
    competency: Competency = strawberry.field(description="The competency required.")
    required_level: int = strawberry.field(description="Level expected in the role, 1-5.")
    importance: int = strawberry.field(description="How much it matters for the role, 1-5.")


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
    id: strawberry.ID = strawberry.field(description="Internal UUID; other services use `code`.")
    code: str = strawberry.field(
        description="Unique code, used wherever a job profile is named (`jobProfileCode`)."
    )
    title: str = strawberry.field(description="Job title, e.g. `Senior Engineer`.")
    family: str = strawberry.field(
        description="Job family it belongs to, free text (filter with `jobProfiles(family:)`)."
    )
    level: int = strawberry.field(description="Seniority within the family, 1-10.")

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
    competency_code: str = strawberry.field(
        description="Code of an existing competency, at most once per profile."
    )
    required_level: int = strawberry.field(description="Level expected in the role, 1-5.")
    importance: int = strawberry.field(
        default=3, description="How much it matters for the role, 1-5; 3 by default."
    )


@strawberry.input(description="A job profile, created or changed by its code.")
class UpsertJobProfileInput:
    code: str = strawberry.field(description="The profile's code; a new code creates one.")
    title: str = strawberry.field(description="Job title; must not be blank.")
    family: str = strawberry.field(description="Job family; must not be blank.")
    level: int = strawberry.field(description="Seniority within the family, 1-10.")
    requirements: list[RequirementInputType] | None = strawberry.field(
        default=None, description="When given, replaces the profile's whole requirement list."
    )


@strawberry.input(description="A competency, created or changed by its code.")
class UpsertCompetencyInput:
    code: str = strawberry.field(
        description="The competency's code (at most 200 characters); a new code creates one."
    )
    name: str = strawberry.field(description="Display name; must not be blank.")
    tier: CompetencyTier = strawberry.field(description="The framework tier it belongs to.")
    description: str = strawberry.field(
        default="", description="What it covers; replaces the current text (empty by default)."
    )


@strawberry.type(description="A job profile as the mutation left it.")
class JobProfilePayload:
    job_profile: JobProfile = strawberry.field(description="The profile after the change.")


@strawberry.type(description="A competency as the mutation left it.")
class CompetencyPayload:
    competency: Competency = strawberry.field(description="The competency after the change.")


UpsertJobProfileResult = Annotated[
    JobProfilePayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "UpsertJobProfileResult", description="The saved job profile, or why nothing was saved."
    ),
]
UpsertCompetencyResult = Annotated[
    CompetencyPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "UpsertCompetencyResult", description="The saved competency, or why nothing was saved."
    ),
]


@strawberry.type
class FrameworkQuery:
    @strawberry.field(description="One job profile by code; null when there is none.")
    async def job_profile(
        self,
        info: Ctx,
        code: Annotated[str, strawberry.argument(description="The profile's code, exact.")],
    ) -> JobProfile | None:
        found = await FrameworkService(
            info.context.session, info.context.principal
        ).job_profile_by_code(code)
        return JobProfile.from_model(found) if found else None

    @strawberry.field(description="Job profiles, ordered by family, level and code.")
    async def job_profiles(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        family: Annotated[
            str | None, strawberry.argument(description="Only this job family (exact).")
        ] = None,
        search: Annotated[
            str | None,
            strawberry.argument(description="Part of the title or code, any case."),
        ] = None,
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
        first: First = None,
        after: After = None,
        tier: Annotated[
            CompetencyTier | None, strawberry.argument(description="Only this tier.")
        ] = None,
        search: Annotated[
            str | None,
            strawberry.argument(description="Part of the name or code, any case."),
        ] = None,
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
        self,
        info: Ctx,
        input: Annotated[
            UpsertJobProfileInput,
            strawberry.argument(description="The profile and, optionally, its requirements."),
        ],
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
        self,
        info: Ctx,
        input: Annotated[
            UpsertCompetencyInput, strawberry.argument(description="The competency to save.")
        ],
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
