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


@strawberry.enum(description="What a path is for.")
class LearningPathKind(Enum):
    GENERAL = enum_value(
        "general", description="Any other path; assigned only by `assignLearning`."
    )
    CAREER = enum_value("career", description="A career track; assigned only by `assignLearning`.")
    ONBOARDING = enum_value(
        "onboarding",
        description="Also assigned automatically to new hires, matched by jobProfileCode and "
        "location.",
    )


@strawberry.type(description="One course of a path, in order.")
class LearningPathStep:
    position: int = strawberry.field(description="1 for the first step, then in order.")
    required: bool = strawberry.field(
        description="False for an optional step; a label only: assigning the path assigns "
        "every step."
    )
    _course_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The course of this step.")
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
    id: strawberry.ID = strawberry.field(description="Path id (UUID).")
    code: str = strawberry.field(
        description="Unique code, 1-100 characters (`pathCode` in assignLearning)."
    )
    title: str = strawberry.field(description="Title, 1-300 characters.")
    description: str = strawberry.field(description="What the path is for; may be empty.")
    kind: LearningPathKind = strawberry.field(
        description="Its kind; ONBOARDING paths also go to new hires automatically."
    )
    job_profile_code: str | None = strawberry.field(
        description="Onboarding: for new hires of this job profile (null: any)."
    )
    location: str | None = strawberry.field(
        description="Onboarding: for new hires at this location (null: any)."
    )
    target_days: int | None = strawberry.field(
        description="Due this many days after the hire date (onboarding) or the assignment."
    )
    active: bool = strawberry.field(
        description="False: hidden from `learningPaths` by default and never assigned."
    )

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
    @strawberry.field(
        description="One learning path by code, inactive ones too; null when unknown."
    )
    async def learning_path(
        self,
        info: Ctx,
        code: Annotated[str, strawberry.argument(description="The path's code, exact.")],
    ) -> LearningPath | None:
        found = await PathService(info.context.session, info.context.principal).by_codes([code])
        return LearningPath.from_model(found[code]) if code in found else None

    @strawberry.field(description="Learning paths by title.")
    async def learning_paths(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        kind: Annotated[
            LearningPathKind | None, strawberry.argument(description="Only paths of this kind.")
        ] = None,
        include_inactive: Annotated[
            bool, strawberry.argument(description="Also list inactive paths (default false).")
        ] = False,
    ) -> Connection[LearningPath]:
        service = PathService(info.context.session, info.context.principal)
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        stmt = service.query(kind=kind.value if kind else None, include_inactive=include_inactive)
        rows, total = await service.paths.paginate(stmt, offset=page.offset, limit=page.limit)
        return connection(rows, total=total, page=page, to_node=LearningPath.from_model)


@strawberry.input(description="One step of a path.")
class LearningPathStepInput:
    course_code: str = strawberry.field(description="An active course, at most once per path.")
    required: bool = strawberry.field(
        default=True, description="False marks the step optional; true by default."
    )


@strawberry.input(description="Creates the path, or replaces the one with this code.")
class SaveLearningPathInput:
    code: str = strawberry.field(description="The path's code, 1-100 characters.")
    title: str = strawberry.field(description="Title, 1-300 characters.")
    kind: LearningPathKind = strawberry.field(
        description="Its kind; ONBOARDING paths also go to new hires automatically."
    )
    steps: list[LearningPathStepInput] = strawberry.field(
        description="At least one, in order; replaces every existing step."
    )
    description: str = strawberry.field(
        default="", description="Free text shown with the path; empty by default."
    )
    job_profile_code: str | None = strawberry.field(
        default=None, description="Onboarding: only for new hires of this job profile."
    )
    location: str | None = strawberry.field(
        default=None, description="Onboarding: only for new hires at this location."
    )
    target_days: int | None = strawberry.field(
        default=None,
        description="Positive: steps are due this many days after the hire date "
        "(onboarding) or the assignment; null: no due date.",
    )
    active: bool = strawberry.field(
        default=True, description="False keeps the path but stops assigning it."
    )


@strawberry.type(description="A learning path as the mutation left it.")
class LearningPathPayload:
    path: LearningPath = strawberry.field(description="The path after the change.")


LearningPathResult = Annotated[
    LearningPathPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("LearningPathResult", description="The path, or why nothing was saved."),
]


@strawberry.type
class PathMutation:
    @strawberry.mutation(description="Create or replace a learning path (admin, hr_coordinator).")
    async def save_learning_path(
        self,
        info: Ctx,
        input: Annotated[SaveLearningPathInput, strawberry.argument(description="The whole path.")],
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
