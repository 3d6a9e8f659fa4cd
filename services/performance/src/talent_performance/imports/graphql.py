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
    RATINGS = "ratings"
    ASSESSMENTS = "assessments"


@strawberry.input
class ImportPerformanceCsvInput:
    kind: PerformanceImportKind
    csv: str = strawberry.field(description="The whole file, UTF-8, with its header row.")
    dry_run: bool = strawberry.field(
        default=False, description="Validate and count, write nothing."
    )


ImportPerformanceCsvResult = Annotated[
    ImportPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("ImportPerformanceCsvResult"),
]


@strawberry.type
class ImportMutation:
    @strawberry.mutation(
        description="Import a CSV file, all or nothing (admin, hr_coordinator). A bad file "
        "returns ValidationError with one entry per bad row (`row N: column`)."
    )
    async def import_performance_csv(
        self, info: Ctx, input: ImportPerformanceCsvInput
    ) -> ImportPerformanceCsvResult:
        async def action() -> ImportPayload:
            result = await run_import(
                info.context.session, info.context.principal, input.kind.value, input.csv
            )
            return ImportPayload.from_result(result, dry_run=input.dry_run)

        return await run_mutation(info.context, action, dry_run=input.dry_run)
