from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from talent_people.imports.service import run_import
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
    description="CSV files the people service imports (columns in docs/csv-formats.md)."
)
class PeopleImportKind(Enum):
    COMPETENCIES = enum_value(
        "competencies", description="The competency framework: code, name, tier, description."
    )
    JOB_PROFILES = enum_value(
        "job-profiles", description="Job profiles: code, title, family, level."
    )
    JOB_PROFILE_COMPETENCIES = enum_value(
        "job-profile-competencies",
        description="Required competency levels and importance per job profile.",
    )
    EMPLOYEES = enum_value(
        "employees", description="People with their job, org unit, location and manager."
    )
    JOB_HISTORY = enum_value(
        "job-history", description="Past and current job profiles of people, with dates."
    )


@strawberry.input(description="One CSV file to import.")
class ImportPeopleCsvInput:
    kind: PeopleImportKind = strawberry.field(
        description="Which file it is; decides the columns expected."
    )
    csv: str = strawberry.field(description="The whole file, UTF-8, with its header row.")
    dry_run: bool = strawberry.field(
        default=False, description="Validate and count, write nothing."
    )


ImportPeopleCsvResult = Annotated[
    ImportPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "ImportPeopleCsvResult", description="What the import did, or why nothing was written."
    ),
]


@strawberry.type
class ImportMutation:
    @strawberry.mutation(
        description="Import a CSV file, all or nothing (admin, hr_coordinator). A bad file "
        "returns ValidationError with one entry per bad row (`row N: column`)."
    )
    async def import_people_csv(
        self,
        info: Ctx,
        input: Annotated[
            ImportPeopleCsvInput, strawberry.argument(description="The file and its kind.")
        ],
    ) -> ImportPeopleCsvResult:
        async def action() -> ImportPayload:
            result = await run_import(
                info.context.session, info.context.principal, input.kind.value, input.csv
            )
            return ImportPayload.from_result(result, dry_run=input.dry_run)

        return await run_mutation(info.context, action, dry_run=input.dry_run)
