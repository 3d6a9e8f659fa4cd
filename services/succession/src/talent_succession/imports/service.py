"""Which CSV kinds the succession service imports, and the entry point for each."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from talent_platform.auth import Principal
from talent_platform.csvimport import ImportResult, Progress
from talent_platform.errors import FieldError, ValidationFailed
from talent_succession.audit.service import require_confidential
from talent_succession.imports.diversity import import_diversity
from talent_succession.imports.key_roles import import_key_roles
from talent_succession.imports.potential import import_potential


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
    "key-roles": import_key_roles,
    "potential": import_potential,
    "diversity": import_diversity,
}


async def run_import(
    session: AsyncSession,
    principal: Principal,
    kind: str,
    data: bytes | str,
    *,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate and apply one file (hr_leader, admin, granted hr_coordinator); the caller
    commits (or rolls back for a dry run)."""
    await require_confidential(session, principal)
    importer = IMPORTERS.get(kind)
    if importer is None:
        raise ValidationFailed([FieldError("kind", f"succession imports {', '.join(IMPORTERS)}")])
    return await importer(session, data, principal=principal, progress=progress)
