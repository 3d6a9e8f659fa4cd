from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from talent_learning.imports.service import run_import
from talent_platform.graphql import (
    Conflict,
    Forbidden,
    ImportPayload,
    NotFound,
    TalentContext,
    ValidationError,
    enum_value,
    run_mutation,
)

Ctx = Info[TalentContext, None]


@strawberry.enum(
    description="CSV files the learning service imports (columns in docs/csv-formats.md)."
)
class LearningImportKind(Enum):
    COURSES = enum_value("courses", description="The course catalog: one row per course, by code.")
    COURSE_SKILLS = enum_value(
        "course-skills", description="Competencies each course teaches, with a level 1-5."
    )
    COMPLETIONS = enum_value(
        "completions",
        description="Course completions by employee number; each completes the open "
        "enrollment in the course.",
    )


@strawberry.input(description="One CSV file to import.")
class ImportLearningCsvInput:
    kind: LearningImportKind = strawberry.field(
        description="Which file it is; decides the columns expected."
    )
    csv: str = strawberry.field(description="The whole file, UTF-8, with its header row.")
    dry_run: bool = strawberry.field(
        default=False, description="Validate and count, write nothing."
    )


ImportLearningCsvResult = Annotated[
    ImportPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "ImportLearningCsvResult", description="What the import did, or why nothing was written."
    ),
]


@strawberry.type
class ImportMutation:
    @strawberry.mutation(
        description="Import a CSV file, all or nothing (admin, hr_coordinator). A bad file "
        "returns ValidationError with one entry per bad row (`row N: column`)."
    )
    async def import_learning_csv(
        self,
        info: Ctx,
        input: Annotated[
            ImportLearningCsvInput, strawberry.argument(description="The file and its kind.")
        ],
    ) -> ImportLearningCsvResult:
        async def action() -> ImportPayload:
            result = await run_import(
                info.context.session, info.context.principal, input.kind.value, input.csv
            )
            return ImportPayload.from_result(result, dry_run=input.dry_run)

        return await run_mutation(info.context, action, dry_run=input.dry_run)
