from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from talent_learning.imports.service import run_import
from talent_platform.graphql import (
    Conflict,
    Forbidden,
    NotFound,
    TalentContext,
    ValidationError,
    run_mutation,
)

Ctx = Info[TalentContext, None]


@strawberry.enum(
    description="CSV files the learning service imports (columns in docs/csv-formats.md)."
)
class LearningImportKind(Enum):
    COURSES = "courses"
    COURSE_SKILLS = "course-skills"
    COMPLETIONS = "completions"


@strawberry.input
class ImportLearningCsvInput:
    kind: LearningImportKind
    csv: str = strawberry.field(description="The whole file, UTF-8, with its header row.")
    dry_run: bool = strawberry.field(
        default=False, description="Validate and count, write nothing."
    )


@strawberry.type(
    description="What an import did. Re-importing the same file reports everything unchanged."
)
class LearningImportPayload:
    kind: str
    rows: int
    created: int
    updated: int
    unchanged: int
    events: int
    dry_run: bool


ImportLearningCsvResult = Annotated[
    LearningImportPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("ImportLearningCsvResult"),
]


@strawberry.type
class ImportMutation:
    @strawberry.mutation(
        description="Import a CSV file, all or nothing (admin, hr_coordinator). A bad file "
        "returns ValidationError with one entry per bad row (`row N: column`)."
    )
    async def import_learning_csv(
        self, info: Ctx, input: ImportLearningCsvInput
    ) -> ImportLearningCsvResult:
        session = info.context.session

        async def action() -> LearningImportPayload:
            result = await run_import(session, info.context.principal, input.kind.value, input.csv)
            return LearningImportPayload(
                kind=result.kind,
                rows=result.rows,
                created=result.created,
                updated=result.updated,
                unchanged=result.unchanged,
                events=result.events,
                dry_run=input.dry_run,
            )

        if not input.dry_run:
            return await run_mutation(info.context, action)
        savepoint = await session.begin_nested()
        try:
            outcome = await run_mutation(info.context, action)
        finally:
            if savepoint.is_active:
                await savepoint.rollback()
        return outcome
