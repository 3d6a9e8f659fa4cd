from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from talent_people.imports.service import run_import
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
    description="CSV files the people service imports (columns in docs/csv-formats.md)."
)
class PeopleImportKind(Enum):
    COMPETENCIES = "competencies"
    JOB_PROFILES = "job-profiles"
    JOB_PROFILE_COMPETENCIES = "job-profile-competencies"
    EMPLOYEES = "employees"
    JOB_HISTORY = "job-history"


@strawberry.input
class ImportPeopleCsvInput:
    kind: PeopleImportKind
    csv: str = strawberry.field(description="The whole file, UTF-8, with its header row.")
    dry_run: bool = strawberry.field(
        default=False, description="Validate and count, write nothing."
    )


@strawberry.type(
    description="What an import did. Re-importing the same file reports everything unchanged."
)
class PeopleImportPayload:
    kind: str
    rows: int
    created: int
    updated: int
    unchanged: int
    events: int
    dry_run: bool


ImportPeopleCsvResult = Annotated[
    PeopleImportPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("ImportPeopleCsvResult"),
]


@strawberry.type
class ImportMutation:
    @strawberry.mutation(
        description="Import a CSV file, all or nothing (admin, hr_coordinator). A bad file "
        "returns ValidationError with one entry per bad row (`row N: column`)."
    )
    async def import_people_csv(
        self, info: Ctx, input: ImportPeopleCsvInput
    ) -> ImportPeopleCsvResult:
        session = info.context.session

        async def action() -> PeopleImportPayload:
            result = await run_import(session, info.context.principal, input.kind.value, input.csv)
            return PeopleImportPayload(
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
