"""What every service's CSV-import mutation returns."""

from __future__ import annotations

import strawberry

from talent_platform.csvimport import ImportResult


@strawberry.federation.type(
    shareable=True,
    description="What an import did. Re-importing the same file reports everything unchanged.",
)
class ImportPayload:
    kind: str
    rows: int
    created: int
    updated: int
    unchanged: int
    events: int = strawberry.field(description="Events queued for other services.")
    dry_run: bool = strawberry.field(description="True when nothing was written.")

    @classmethod
    def from_result(cls, result: ImportResult, *, dry_run: bool) -> ImportPayload:
        return cls(
            kind=result.kind,
            rows=result.rows,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            events=result.events,
            dry_run=dry_run,
        )
