from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from talent_performance.imports.service import run_import
from talent_platform.graphql import (
    Conflict,
    Forbidden,
    ImportPayload,
    NotFound,
    TalentContext,
    ValidationError,
    run_mutation,
)

Ctx = Info[TalentContext, None]


@strawberry.enum(
    description="CSV files the performance service imports (columns in docs/csv-formats.md)."
)
class PerformanceImportKind(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    RATINGS = strawberry.enum_value(
        "ratings",
        description="Historical overall ratings: employee_id, cycle_code, overall_rating "
        "(1-5), rated_on.",
    )
    ASSESSMENTS = strawberry.enum_value(
        "assessments",
        description="Competency assessments: employee_id, competency_code, level (1-5), "
        "assessed_on, source (self, manager, peer or assessment).",
    )


@strawberry.input(description="A CSV file to import.")
class ImportPerformanceCsvInput:
    kind: PerformanceImportKind = strawberry.field(description="Which file it is.")
    csv: str = strawberry.field(description="The whole file, UTF-8, with its header row.")
    dry_run: bool = strawberry.field(
        default=False, description="Validate and count, write nothing."
    )


ImportPerformanceCsvResult = Annotated[
    ImportPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "ImportPerformanceCsvResult",
        description="What the import did, or why nothing was imported.",
    ),
]


@strawberry.type
class ImportMutation:
    @strawberry.mutation(
        description="Import a CSV file, all or nothing (admin, hr_coordinator). A bad file "
        "returns ValidationError with one entry per bad row (`row N: column`)."
    )
    async def import_performance_csv(
        self,
        info: Ctx,
        input: Annotated[
            ImportPerformanceCsvInput,
            strawberry.argument(description="The kind of file, its text and the dry-run flag."),
        ],
    ) -> ImportPerformanceCsvResult:
        async def action() -> ImportPayload:
            result = await run_import(
                info.context.session, info.context.principal, input.kind.value, input.csv
            )
            return ImportPayload.from_result(result, dry_run=input.dry_run)

        return await run_mutation(info.context, action, dry_run=input.dry_run)
