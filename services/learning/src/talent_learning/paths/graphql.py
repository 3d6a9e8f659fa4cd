from __future__ import annotations

import uuid
from collections.abc import Sequence
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from talent_learning.courses.graphql import Course, course_by_id_loader
from talent_learning.paths.models import LearningPath as PathModel
from talent_learning.paths.service import PathInput, PathService, StepInput
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


@strawberry.enum(description="What a path is for.")
class LearningPathKind(Enum):
    GENERAL = "general"
    CAREER = "career"
    ONBOARDING = "onboarding"


@strawberry.type(description="One course of a path, in order.")
class LearningPathStep:
    position: int
    required: bool = strawberry.field(description="False for an optional step.")
    _course_id: strawberry.Private[uuid.UUID]

    @strawberry.field
    async def course(self, info: Ctx) -> Course | None:
        return await course_by_id_loader(info).load(self._course_id)


async def _steps(info: Ctx, keys: Sequence[uuid.UUID]) -> list[list[LearningPathStep]]:
    grouped = await PathService(info.context.session, info.context.principal).steps_of(keys)
    return [
        [
            LearningPathStep(position=s.position, required=s.required, _course_id=s.course_id)
            for s in grouped.get(k, [])
        ]
        for k in keys
    ]


async def _paths_by_id(info: Ctx, keys: Sequence[uuid.UUID]) -> list[LearningPath | None]:
    found = await PathService(info.context.session, info.context.principal).by_ids(keys)
    return [LearningPath.from_model(found[k]) if k in found else None for k in keys]


def path_by_id_loader(info: Ctx) -> DataLoader[uuid.UUID, LearningPath | None]:
    return info.context.loader("path.by_id", lambda keys: _paths_by_id(info, keys))


@strawberry.type(
    description="Ordered courses: a career track, an onboarding track or a general path."
)
class LearningPath:
    id: strawberry.ID
    code: str
    title: str
    description: str
    kind: LearningPathKind
    job_profile_code: str | None = strawberry.field(
        description="Onboarding: for new hires of this job profile (null: any)."
    )
    location: str | None = strawberry.field(
        description="Onboarding: for new hires at this location (null: any)."
    )
    target_days: int | None = strawberry.field(
        description="Due this many days after the hire date (onboarding) or the assignment."
    )
    active: bool

    @classmethod
    def from_model(cls, m: PathModel) -> LearningPath:
        return cls(
            id=strawberry.ID(str(m.id)),
            code=m.code,
            title=m.title,
            description=m.description,
            kind=LearningPathKind(m.kind),
            job_profile_code=m.job_profile_code,
            location=m.location,
            target_days=m.target_days,
            active=m.active,
        )

    @strawberry.field(description="The steps in order.")
    async def steps(self, info: Ctx) -> list[LearningPathStep]:
        loader: DataLoader[uuid.UUID, list[LearningPathStep]] = info.context.loader(
            "path.steps", lambda keys: _steps(info, keys)
        )
        result: list[LearningPathStep] = await loader.load(uuid.UUID(self.id))
        return result


@strawberry.type
class PathQuery:
    @strawberry.field(description="One learning path by code.")
    async def learning_path(self, info: Ctx, code: str) -> LearningPath | None:
        found = await PathService(info.context.session, info.context.principal).by_codes([code])
        return LearningPath.from_model(found[code]) if code in found else None

    @strawberry.field(description="Learning paths by title.")
    async def learning_paths(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
        kind: LearningPathKind | None = None,
        include_inactive: bool = False,
    ) -> Connection[LearningPath]:
        service = PathService(info.context.session, info.context.principal)
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        stmt = service.query(kind=kind.value if kind else None, include_inactive=include_inactive)
        rows, total = await service.paths.paginate(stmt, offset=page.offset, limit=page.limit)
        return connection(rows, total=total, page=page, to_node=LearningPath.from_model)


@strawberry.input
class LearningPathStepInput:
    course_code: str
    required: bool = True


@strawberry.input(description="Creates the path, or replaces the one with this code.")
class SaveLearningPathInput:
    code: str
    title: str
    kind: LearningPathKind
    steps: list[LearningPathStepInput]
    description: str = ""
    job_profile_code: str | None = None
    location: str | None = None
    target_days: int | None = None
    active: bool = True


@strawberry.type
class LearningPathPayload:
    path: LearningPath


LearningPathResult = Annotated[
    LearningPathPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("LearningPathResult"),
]


@strawberry.type
class PathMutation:
    @strawberry.mutation(description="Create or replace a learning path (admin, hr_coordinator).")
    async def save_learning_path(
        self, info: Ctx, input: SaveLearningPathInput
    ) -> LearningPathResult:
        service = PathService(info.context.session, info.context.principal)

        async def action() -> LearningPathPayload:
            path = await service.save(
                PathInput(
                    code=input.code,
                    title=input.title,
                    kind=input.kind.value,
                    steps=[StepInput(s.course_code, s.required) for s in input.steps],
                    description=input.description,
                    job_profile_code=input.job_profile_code,
                    location=input.location,
                    target_days=input.target_days,
                    active=input.active,
                )
            )
            return LearningPathPayload(path=LearningPath.from_model(path))

        return await run_mutation(info.context, action)
