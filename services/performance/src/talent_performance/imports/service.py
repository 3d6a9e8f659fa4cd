"""Which CSV kinds the performance service imports, and the entry point for each."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from talent_performance.imports.history import import_assessments, import_ratings
from talent_platform.auth import Principal, Role
from talent_platform.csvimport import ImportResult, Progress
from talent_platform.errors import FieldError, ValidationFailed


class Importer(Protocol):
    async def __call__(
        self,
        session: AsyncSession,
        data: bytes | str,
        *,
        principal: Principal,
        progress: Progress | None = None,
    ) -> ImportResult: ...


IMPORTERS: dict[str, Importer] = {
    "ratings": import_ratings,
    "assessments": import_assessments,
}


async def run_import(
    session: AsyncSession,
    principal: Principal,
    kind: str,
    data: bytes | str,
    *,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate and apply one file; the caller commits (or rolls back for a dry run)."""
    principal.require(Role.ADMIN, Role.HR_COORDINATOR)
    importer = IMPORTERS.get(kind)
    if importer is None:
        raise ValidationFailed([FieldError("kind", f"performance imports {', '.join(IMPORTERS)}")])
    return await importer(session, data, principal=principal, progress=progress)
