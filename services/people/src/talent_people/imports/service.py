"""Which CSV kinds the people service imports, and the entry point for each."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from talent_people.imports.employees import import_employees, import_job_history
from talent_people.imports.framework import (
    import_competencies,
    import_job_profiles,
    import_requirements,
)
from talent_platform.auth import Principal, Role
from talent_platform.csvimport import ImportResult, Progress
from talent_platform.errors import FieldError, ValidationFailed

IMPORTERS: dict[str, Callable[..., Awaitable[ImportResult]]] = {
    "competencies": import_competencies,
    "job-profiles": import_job_profiles,
    "job-profile-competencies": import_requirements,
    "employees": import_employees,
    "job-history": import_job_history,
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
        raise ValidationFailed([FieldError("kind", f"people imports {', '.join(IMPORTERS)}")])
    if kind == "employees":
        return await importer(session, data, progress=progress)
    return await importer(session, data)
