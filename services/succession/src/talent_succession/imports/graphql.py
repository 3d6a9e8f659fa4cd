from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from talent_platform.graphql import (
    Conflict,
    Forbidden,
    ImportPayload,
    NotFound,
    TalentContext,
    ValidationError,
    run_mutation,
)
from talent_succession.imports.service import run_import

Ctx = Info[TalentContext, None]


@strawberry.enum(
    description="CSV files the succession service imports (columns in docs/csv-formats.md)."
)
class SuccessionImportKind(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    KEY_ROLES = strawberry.enum_value(
        "key-roles",
        description="Key roles: code, title, job_profile_code, incumbent_id, criticality.",
    )
    POTENTIAL = strawberry.enum_value(
        "potential",
        description="Potential assessments: employee_id, potential, assessed_on.",
    )
    DIVERSITY = strawberry.enum_value(
        "diversity",
        description="Diversity attributes: employee_id, attribute, value (hr_leader, admin).",
    )


@strawberry.input(description="A CSV file to import.")
class ImportSuccessionCsvInput:
    kind: SuccessionImportKind = strawberry.field(description="Which file it is.")
    csv: str = strawberry.field(description="The whole file, UTF-8, with its header row.")
    dry_run: bool = strawberry.field(
        default=False, description="Validate and count, write nothing."
    )


ImportSuccessionCsvResult = Annotated[
    ImportPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "ImportSuccessionCsvResult",
        description="What the import did, or why nothing was imported.",
    ),
]


@strawberry.type
class ImportMutation:
    @strawberry.mutation(
        description="Import a CSV file, all or nothing (hr_leader, admin, granted "
        "hr_coordinator; DIVERSITY: hr_leader and admin only). A bad file returns "
        "ValidationError with one entry per bad row (`row N: column`)."
    )
    async def import_succession_csv(
        self,
        info: Ctx,
        input: Annotated[
            ImportSuccessionCsvInput,
            strawberry.argument(description="The kind of file, its text and the dry-run flag."),
        ],
    ) -> ImportSuccessionCsvResult:
        async def action() -> ImportPayload:
            result = await run_import(
                info.context.session, info.context.principal, input.kind.value, input.csv
            )
            return ImportPayload.from_result(result, dry_run=input.dry_run)

        return await run_mutation(info.context, action, dry_run=input.dry_run)
