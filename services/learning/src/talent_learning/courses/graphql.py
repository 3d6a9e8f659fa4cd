from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from talent_learning.courses.catalog import CatalogService, CourseFields, SkillInput
from talent_learning.courses.models import Course as CourseModel
from talent_learning.courses.service import CourseFilter, CourseService
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


@strawberry.enum(description="How a course is delivered.")
class CourseModality(Enum):
    E_LEARNING = "e-learning"
    CLASSROOM = "classroom"
    VIRTUAL = "virtual"
    EXTERNAL = "external"
    BLENDED = "blended"


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
    modality: CourseModality
    language: str = strawberry.field(description="Language tag, e.g. `en`, `fr-CA`.")
    provider: str
    mandatory: bool
    recertify_months: int | None = strawberry.field(
        description="Months after which a completion must be renewed; null when it never expires."
    )
    active: bool = strawberry.field(description="False once retired (kept for history).")
    retired_at: dt.datetime | None
    version: int = strawberry.field(description="Incremented by every change through the API.")
    self_enrollment: bool = strawberry.field(
        description="Whether employees may enroll themselves (`enrollInCourse`)."
    )

    @classmethod
    def from_model(cls, m: CourseModel) -> Course:
        return cls(
            id=strawberry.ID(str(m.id)),
            code=m.code,
            title=m.title,
            description=m.description,
            duration_hours=m.duration_hours,
            modality=CourseModality(m.modality),
            language=m.language,
            provider=m.provider,
            mandatory=m.mandatory,
            recertify_months=m.recertify_months,
            active=m.active,
            retired_at=m.retired_at,
            version=m.version,
            self_enrollment=m.self_enrollment,
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

    @strawberry.field(
        description="The course catalog, by title; filters combine with AND. Retired "
        "courses only with `includeRetired`."
    )
    async def courses(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
        search: Annotated[
            str | None,
            strawberry.argument(description="Part of the title, code, description or provider."),
        ] = None,
        competency_code: Annotated[
            str | None, strawberry.argument(description="Courses that teach this competency.")
        ] = None,
        min_competency_level: Annotated[
            int | None,
            strawberry.argument(description="With competencyCode: teaching at least this level."),
        ] = None,
        modality: CourseModality | None = None,
        language: str | None = None,
        min_duration_hours: float | None = None,
        max_duration_hours: float | None = None,
        self_enrollment: bool | None = None,
        include_retired: bool = False,
    ) -> Connection[Course]:
        service = CourseService(info.context.session)
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        rows, total = await service.courses.paginate(
            service.query(
                CourseFilter(
                    search=search,
                    competency_code=competency_code,
                    min_competency_level=min_competency_level,
                    modality=modality.value if modality else None,
                    language=language,
                    min_duration_hours=min_duration_hours,
                    max_duration_hours=max_duration_hours,
                    include_retired=include_retired,
                    self_enrollment=self_enrollment,
                )
            ),
            offset=page.offset,
            limit=page.limit,
        )
        return connection(rows, total=total, page=page, to_node=Course.from_model)


@strawberry.input
class CourseSkillInput:
    competency_code: str
    level: int = strawberry.field(description="1-5.")


@strawberry.input
class CreateCourseInput:
    code: str
    title: str
    modality: CourseModality
    description: str = ""
    duration_hours: float = 0
    language: str = "en"
    provider: str = ""
    mandatory: bool = False
    recertify_months: int | None = None
    self_enrollment: bool = False
    skills: list[CourseSkillInput] = strawberry.field(default_factory=list)


@strawberry.input(description="Fields left out (or null) are unchanged; `skills` replaces all.")
class UpdateCourseInput:
    code: str
    title: str | None = None
    description: str | None = None
    duration_hours: float | None = None
    modality: CourseModality | None = None
    language: str | None = None
    provider: str | None = None
    mandatory: bool | None = None
    recertify_months: int | None = None
    never_expires: bool = strawberry.field(
        default=False, description="Clear recertifyMonths: completions never expire."
    )
    self_enrollment: bool | None = None
    skills: list[CourseSkillInput] | None = None


@strawberry.input
class RetireCourseInput:
    code: str


@strawberry.type
class CoursePayload:
    course: Course


CourseResult = Annotated[
    CoursePayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("CourseResult"),
]


def _skills_in(skills: list[CourseSkillInput] | None) -> list[SkillInput] | None:
    if skills is None:
        return None
    return [SkillInput(competency_code=s.competency_code, level=s.level) for s in skills]


@strawberry.type
class CourseMutation:
    @strawberry.mutation(
        description="Add a course to the catalog (admin, hr_coordinator); publishes "
        "course.published."
    )
    async def create_course(self, info: Ctx, input: CreateCourseInput) -> CourseResult:
        service = CatalogService(info.context.session, info.context.principal)

        async def action() -> CoursePayload:
            course = await service.create(
                input.code,
                CourseFields(
                    title=input.title,
                    description=input.description,
                    duration_hours=input.duration_hours,
                    modality=input.modality.value,
                    language=input.language,
                    provider=input.provider,
                    mandatory=input.mandatory,
                    recertify_months=input.recertify_months,
                    self_enrollment=input.self_enrollment,
                    skills=_skills_in(input.skills),
                ),
            )
            return CoursePayload(course=Course.from_model(course))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Change a course (admin, hr_coordinator): bumps its version and "
        "publishes course.updated."
    )
    async def update_course(self, info: Ctx, input: UpdateCourseInput) -> CourseResult:
        service = CatalogService(info.context.session, info.context.principal)

        async def action() -> CoursePayload:
            course = await service.update(
                input.code,
                CourseFields(
                    title=input.title,
                    description=input.description,
                    duration_hours=input.duration_hours,
                    modality=input.modality.value if input.modality else None,
                    language=input.language,
                    provider=input.provider,
                    mandatory=input.mandatory,
                    recertify_months=input.recertify_months,
                    self_enrollment=input.self_enrollment,
                    skills=_skills_in(input.skills),
                ),
                clear_recertify=input.never_expires,
            )
            return CoursePayload(course=Course.from_model(course))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Retire a course (admin, hr_coordinator): never assigned again, history "
        "kept; publishes course.retired."
    )
    async def retire_course(self, info: Ctx, input: RetireCourseInput) -> CourseResult:
        service = CatalogService(info.context.session, info.context.principal)

        async def action() -> CoursePayload:
            course = await service.retire(input.code)
            return CoursePayload(course=Course.from_model(course))

        return await run_mutation(info.context, action)
