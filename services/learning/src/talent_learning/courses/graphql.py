from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from talent_learning.courses.models import Course as CourseModel
from talent_learning.courses.service import CourseFilter, CourseService
from talent_platform.graphql import Connection, TalentContext, connection, page_request

Ctx = Info[TalentContext, None]


@strawberry.type(description="A competency a course teaches, and the level (1-5) it teaches it to.")
class CourseSkill:
    competency_code: str = strawberry.field(
        description="Code of a competency of the people service's framework."
    )
    level: int


async def _skills(info: Ctx, keys: Sequence[uuid.UUID]) -> list[list[CourseSkill]]:
    grouped = await CourseService(info.context.session).skills_of(keys)
    return [
        [CourseSkill(competency_code=s.competency_code, level=s.level) for s in grouped.get(k, [])]
        for k in keys
    ]


async def _courses_by_id(info: Ctx, keys: Sequence[uuid.UUID]) -> list[Course | None]:
    found = await CourseService(info.context.session).by_ids(keys)
    return [Course.from_model(found[k]) if k in found else None for k in keys]


async def _courses_by_code(info: Ctx, keys: Sequence[str]) -> list[Course | None]:
    found = await CourseService(info.context.session).by_codes(keys)
    return [Course.from_model(found[k]) if k in found else None for k in keys]


def course_by_id_loader(info: Ctx) -> DataLoader[uuid.UUID, Course | None]:
    return info.context.loader("course.by_id", lambda keys: _courses_by_id(info, keys))


def course_by_code_loader(info: Ctx) -> DataLoader[str, Course | None]:
    return info.context.loader("course.by_code", lambda keys: _courses_by_code(info, keys))


@strawberry.federation.type(
    keys=["code"], description="A course of the catalog (owned by the learning service)."
)
class Course:
    id: strawberry.ID
    code: str
    title: str
    description: str
    duration_hours: float
    modality: str = strawberry.field(
        description="How it is delivered, as the LMS names it (e-learning, classroom, ...)."
    )
    mandatory: bool
    recertify_months: int | None = strawberry.field(
        description="Months after which a completion must be renewed; null when it never expires."
    )
    active: bool

    @classmethod
    def from_model(cls, m: CourseModel) -> Course:
        return cls(
            id=strawberry.ID(str(m.id)),
            code=m.code,
            title=m.title,
            description=m.description,
            duration_hours=m.duration_hours,
            modality=m.modality,
            mandatory=m.mandatory,
            recertify_months=m.recertify_months,
            active=m.active,
        )

    @classmethod
    async def resolve_reference(cls, info: Ctx, code: str) -> Course | None:
        return await course_by_code_loader(info).load(code)

    @strawberry.field(description="Competencies the course teaches, highest level first.")
    async def skills(self, info: Ctx) -> list[CourseSkill]:
        loader: DataLoader[uuid.UUID, list[CourseSkill]] = info.context.loader(
            "course.skills", lambda keys: _skills(info, keys)
        )
        return await loader.load(uuid.UUID(self.id))


@strawberry.type
class CourseQuery:
    @strawberry.field(description="One course by code.")
    async def course(self, info: Ctx, code: str) -> Course | None:
        return await course_by_code_loader(info).load(code)

    @strawberry.field(description="The course catalog, by title; filters combine with AND.")
    async def courses(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
        search: Annotated[
            str | None, strawberry.argument(description="Part of the title or code.")
        ] = None,
        competency_code: Annotated[
            str | None, strawberry.argument(description="Courses that teach this competency.")
        ] = None,
        modality: str | None = None,
    ) -> Connection[Course]:
        service = CourseService(info.context.session)
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        rows, total = await service.courses.paginate(
            service.query(
                CourseFilter(search=search, competency_code=competency_code, modality=modality)
            ),
            offset=page.offset,
            limit=page.limit,
        )
        return connection(rows, total=total, page=page, to_node=Course.from_model)
