from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from talent_learning.completions.models import Completion as CompletionModel
from talent_learning.completions.service import CompletionInput, CompletionPage, CompletionService
from talent_learning.courses.graphql import Course, course_by_id_loader
from talent_platform.errors import FieldError as DomainFieldError
from talent_platform.errors import ValidationFailed
from talent_platform.graphql import (
    Conflict,
    Forbidden,
    NotFound,
    TalentContext,
    ValidationError,
    run_mutation,
)

Ctx = Info[TalentContext, None]
# (employee id, offset, limit): one page of one employee's completions.
PageKey = tuple[uuid.UUID, int, int]


@strawberry.enum(description="How a completion was recorded.")
class CompletionSource(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    MANUAL = strawberry.enum_value("manual", description="By recordCompletion.")
    IMPORT = strawberry.enum_value("import", description="From a completions CSV import.")
    XAPI = strawberry.enum_value("xapi", description="From the LMS's xAPI statements.")
    COHORT = strawberry.enum_value("cohort", description="By completeCohort.")


@strawberry.type(description="A course an employee completed.")
class Completion:
    id: strawberry.ID = strawberry.field(description="Completion id (UUID).")
    completed_on: dt.date = strawberry.field(
        description="Day it was completed (ISO date); one completion per employee, course and day."
    )
    score: float | None = strawberry.field(description="0-100, when the course is scored.")
    source: CompletionSource = strawberry.field(description="How it was recorded.")
    _course_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, m: CompletionModel) -> Completion:
        return cls(
            id=strawberry.ID(str(m.id)),
            completed_on=m.completed_on,
            score=m.score,
            source=CompletionSource(m.source),
            _course_id=m.course_id,
        )

    @strawberry.field(description="The course completed.")
    async def course(self, info: Ctx) -> Course:
        found = await course_by_id_loader(info).load(self._course_id)
        if found is None:  # the foreign key makes this impossible
            raise RuntimeError(f"course {self._course_id} of completion {self.id} is missing")
        return found


async def _pages(info: Ctx, keys: Sequence[PageKey]) -> list[CompletionPage | None]:
    service = CompletionService(info.context.session, info.context.principal)
    by_window: dict[tuple[int, int], list[uuid.UUID]] = defaultdict(list)
    for employee_id, offset, limit in keys:
        by_window[(offset, limit)].append(employee_id)
    found: dict[PageKey, CompletionPage | None] = {}
    for (offset, limit), employee_ids in by_window.items():
        pages = await service.pages(employee_ids, offset=offset, limit=limit)
        found.update({(e, offset, limit): page for e, page in pages.items()})
    return [found[k] for k in keys]


def completion_pages_loader(info: Ctx) -> DataLoader[PageKey, CompletionPage | None]:
    """Pages of completions, None where the caller may not see the employee."""
    return info.context.loader("completion.pages", lambda keys: _pages(info, keys))


def parse_employee_id(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise ValidationFailed(
            [DomainFieldError(field, f"{value!r} is not an employee id")]
        ) from exc


@strawberry.input(description="Who completed which course, when, with what score.")
class RecordCompletionInput:
    employee_id: strawberry.ID = strawberry.field(
        description="An active employee known to learning (from people's events)."
    )
    course_code: str = strawberry.field(description="Code of the course, retired ones too.")
    completed_on: dt.date = strawberry.field(
        description="Day it was completed (ISO date); not in the future."
    )
    score: float | None = strawberry.field(default=None, description="0-100.")


@strawberry.type(description="The completion recorded, or the one already stored.")
class RecordCompletionPayload:
    completion: Completion = strawberry.field(
        description="The completion; for a repeat of the same employee, course and day, the "
        "stored one unchanged."
    )


RecordCompletionResult = Annotated[
    RecordCompletionPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "RecordCompletionResult", description="The completion, or why none was recorded."
    ),
]


@strawberry.type
class CompletionMutation:
    @strawberry.mutation(
        description="Record that an employee completed a course (admin, hr_coordinator). "
        "Recording the same employee, course and day again returns the stored completion."
    )
    async def record_completion(
        self,
        info: Ctx,
        input: Annotated[
            RecordCompletionInput, strawberry.argument(description="The completion to record.")
        ],
    ) -> RecordCompletionResult:
        service = CompletionService(info.context.session, info.context.principal)

        async def action() -> RecordCompletionPayload:
            completion = await service.record(
                CompletionInput(
                    employee_id=parse_employee_id(input.employee_id, "input.employeeId"),
                    course_code=input.course_code,
                    completed_on=input.completed_on,
                    score=input.score,
                )
            )
            return RecordCompletionPayload(completion=Completion.from_model(completion))

        return await run_mutation(info.context, action)
