"""CSV import of customer-supplied diversity attributes (hr_leader and admin only).

One row per employee (HRIS number) and attribute. A row sets that attribute's value;
attributes the file does not name are kept. Unchanged rows write nothing, so
re-importing a file is a no-op. Nothing is published; the import is audited with each
change (before/after)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.csv import CSV_COLUMNS
from talent_platform.auth import Principal
from talent_platform.csvimport import (
    ImportResult,
    Progress,
    RowErrors,
    duplicates,
    read_rows,
    required,
)
from talent_succession.audit.service import AuditLog
from talent_succession.diversity.models import DiversityAttribute
from talent_succession.diversity.service import WRITER_ROLES
from talent_succession.people.repository import EmployeeProjectionRepository

DIVERSITY_COLUMNS = CSV_COLUMNS["diversity"]


async def import_diversity(
    session: AsyncSession,
    data: bytes | str,
    *,
    principal: Principal,
    progress: Progress | None = None,
) -> ImportResult:
    principal.require(*WRITER_ROLES)
    rows = read_rows(data, DIVERSITY_COLUMNS, kind="diversity")
    ids = await EmployeeProjectionRepository(session).ids_by_number()
    errors = RowErrors()
    parsed: dict[tuple[uuid.UUID, str], str] = {}
    for row in rows:
        before = errors.total
        number = required(row, "employee_id", errors, max_length=64)
        name = required(row, "attribute", errors, max_length=100)
        value = required(row, "value", errors, max_length=200)
        employee_id = ids.get(number) if number else None
        if number and employee_id is None:
            errors.add(row.number, "employee_id", f"unknown employee {number!r}")
        elif employee_id is not None and employee_id == principal.employee_id:
            errors.add(row.number, "employee_id", "nobody supplies their own attributes")
        if errors.total == before and employee_id and name and value:
            parsed[(employee_id, name)] = value
    duplicates(rows, lambda r: (r["employee_id"], r["attribute"]), "attribute", errors)
    errors.raise_if_any("diversity")

    employee_ids = list({e for e, _ in parsed})
    stored = {
        (row.employee_id, row.name): row
        for row in await session.scalars(
            select(DiversityAttribute).where(DiversityAttribute.employee_id.in_(employee_ids))
        )
    }
    result = ImportResult(kind="diversity", rows=len(rows))
    changes: list[dict[str, Any]] = []
    for (employee_id, name), value in parsed.items():
        found = stored.get((employee_id, name))
        if found is None:
            session.add(
                DiversityAttribute(
                    employee_id=employee_id, name=name, value=value, supplied_by=principal.subject
                )
            )
            result.created += 1
        elif found.value != value:
            await session.execute(
                update(DiversityAttribute)
                .where(DiversityAttribute.id == found.id)
                .values(value=value, supplied_by=principal.subject)
            )
            result.updated += 1
        else:
            result.unchanged += 1
            continue
        changes.append(
            {
                "employee_id": employee_id,
                "attribute": name,
                "before": None if found is None else found.value,
                "after": value,
            }
        )
    await session.flush()
    await AuditLog(session, principal).record(
        "diversity.imported", "import", "diversity", after={"changes": changes}
    )
    return result
