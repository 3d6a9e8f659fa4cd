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


@strawberry.enum(description="How a course is delivered.")
class CourseModality(Enum):
    E_LEARNING = enum_value(
        "e-learning", description="Self-paced online (`e-learning` in CSV files)."
    )
    CLASSROOM = enum_value("classroom", description="In person, with a trainer.")
    VIRTUAL = enum_value("virtual", description="Live online, with a trainer.")
    EXTERNAL = enum_value("external", description="Given by an outside provider (see `provider`).")
    BLENDED = enum_value("blended", description="A mix of online and in person.")


@strawberry.type(description="A competency a course teaches, and the level (1-5) it teaches it to.")
class CourseSkill:
    competency_code: str = strawberry.field(
        description="Code of a competency of the people service's framework."
    )
    level: int = strawberry.field(description="Level the course teaches up to, 1-5.")


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
    id: strawberry.ID = strawberry.field(description="Internal UUID; other services use `code`.")
    code: str = strawberry.field(
        description="Unique code (1-100 characters): the federation key and `courseCode` "
        "everywhere."
    )
    title: str = strawberry.field(description="Title shown in the catalog (1-300 characters).")
    description: str = strawberry.field(description="What the course covers; may be empty.")
    duration_hours: float = strawberry.field(
        description="Expected duration in hours, 0-10000 (0 when unknown)."
    )
    modality: CourseModality = strawberry.field(description="How it is delivered.")
    language: str = strawberry.field(description="Language tag, e.g. `en`, `fr-CA`.")
    provider: str = strawberry.field(
        description="Who delivers it, free text; empty for internal courses."
    )
    mandatory: bool = strawberry.field(
        description="Flagged as mandatory in the catalog; who must take it is decided by "
        "compliance rules, not by this flag."
    )
    recertify_months: int | None = strawberry.field(
        description="Months after which a completion must be renewed; null when it never expires."
    )
    active: bool = strawberry.field(description="False once retired (kept for history).")
    retired_at: dt.datetime | None = strawberry.field(
        description="When `retireCourse` retired it (ISO date-time with offset); null while active."
    )
    version: int = strawberry.field(
        description="1 when created; +1 for every change by `updateCourse` or a `courses` import."
    )
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
    @strawberry.field(description="One course by code, retired ones too; null when unknown.")
    async def course(
        self,
        info: Ctx,
        code: Annotated[str, strawberry.argument(description="The course's code, exact.")],
    ) -> Course | None:
        return await course_by_code_loader(info).load(code)

    @strawberry.field(
        description="The course catalog, by title; filters combine with AND. Retired "
        "courses only with `includeRetired`."
    )
    async def courses(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
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
        modality: Annotated[
            CourseModality | None, strawberry.argument(description="Only this modality.")
        ] = None,
        language: Annotated[
            str | None, strawberry.argument(description="Only this language tag, exact (`en`).")
        ] = None,
        min_duration_hours: Annotated[
            float | None, strawberry.argument(description="At least this many hours.")
        ] = None,
        max_duration_hours: Annotated[
            float | None, strawberry.argument(description="At most this many hours.")
        ] = None,
        self_enrollment: Annotated[
            bool | None,
            strawberry.argument(
                description="True: only courses open to self-enrollment; false: only the "
                "others; null: both."
            ),
        ] = None,
        include_retired: Annotated[
            bool, strawberry.argument(description="Also list retired courses (default false).")
        ] = False,
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


@strawberry.input(description="A competency the course teaches, and to what level.")
class CourseSkillInput:
    competency_code: str = strawberry.field(
        description="Code of a competency of people's framework (stored as given, not "
        "checked); at most once per course."
    )
    level: int = strawberry.field(description="1-5.")


@strawberry.input(description="A new course of the catalog.")
class CreateCourseInput:
    code: str = strawberry.field(description="Unique code, 1-100 characters.")
    title: str = strawberry.field(description="Title, 1-300 characters.")
    modality: CourseModality = strawberry.field(description="How it is delivered.")
    description: str = strawberry.field(default="", description="What it covers.")
    duration_hours: float = strawberry.field(
        default=0, description="Expected duration in hours, 0-10000."
    )
    language: str = strawberry.field(
        default="en", description="Language tag (2-20 characters), e.g. `en`, `fr-CA`."
    )
    provider: str = strawberry.field(default="", description="Who delivers it, free text.")
    mandatory: bool = strawberry.field(
        default=False, description="Catalog flag only; compliance rules assign courses."
    )
    recertify_months: int | None = strawberry.field(
        default=None,
        description="1-600: completions must be renewed after this many months; null: "
        "they never expire.",
    )
    self_enrollment: bool = strawberry.field(
        default=False, description="Let employees enroll themselves (`enrollInCourse`)."
    )
    skills: list[CourseSkillInput] = strawberry.field(
        default_factory=list, description="Competencies it teaches; none by default."
    )


@strawberry.input(description="Fields left out (or null) are unchanged; `skills` replaces all.")
class UpdateCourseInput:
    code: str = strawberry.field(description="Code of the course to change (not changeable).")
    title: str | None = strawberry.field(default=None, description="New title, 1-300 characters.")
    description: str | None = strawberry.field(default=None, description="New description.")
    duration_hours: float | None = strawberry.field(
        default=None, description="New duration in hours, 0-10000."
    )
    modality: CourseModality | None = strawberry.field(default=None, description="New modality.")
    language: str | None = strawberry.field(
        default=None, description="New language tag, 2-20 characters."
    )
    provider: str | None = strawberry.field(default=None, description="New provider.")
    mandatory: bool | None = strawberry.field(
        default=None, description="New value of the catalog's mandatory flag."
    )
    recertify_months: int | None = strawberry.field(
        default=None,
        description="New renewal period, 1-600 months (to remove it use `neverExpires`).",
    )
    never_expires: bool = strawberry.field(
        default=False, description="Clear recertifyMonths: completions never expire."
    )
    self_enrollment: bool | None = strawberry.field(
        default=None, description="Whether employees may enroll themselves."
    )
    skills: list[CourseSkillInput] | None = strawberry.field(
        default=None, description="The whole new list of taught competencies ([] clears it)."
    )


@strawberry.input(description="The course to retire.")
class RetireCourseInput:
    code: str = strawberry.field(
        description="Code of the course; retiring a retired course changes nothing."
    )


@strawberry.type(description="A course as the mutation left it.")
class CoursePayload:
    course: Course = strawberry.field(description="The course after the change.")


CourseResult = Annotated[
    CoursePayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("CourseResult", description="The saved course, or why nothing was saved."),
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
    async def create_course(
        self,
        info: Ctx,
        input: Annotated[CreateCourseInput, strawberry.argument(description="The new course.")],
    ) -> CourseResult:
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
    async def update_course(
        self,
        info: Ctx,
        input: Annotated[
            UpdateCourseInput, strawberry.argument(description="The course and the changes.")
        ],
    ) -> CourseResult:
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
    async def retire_course(
        self,
        info: Ctx,
        input: Annotated[RetireCourseInput, strawberry.argument(description="The course.")],
    ) -> CourseResult:
        service = CatalogService(info.context.session, info.context.principal)

        async def action() -> CoursePayload:
            course = await service.retire(input.code)
            return CoursePayload(course=Course.from_model(course))

        return await run_mutation(info.context, action)
