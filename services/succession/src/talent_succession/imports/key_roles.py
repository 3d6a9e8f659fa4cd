"""CSV import of key roles: upsert by code. Incumbents are named by HRIS employee number
and must be active. Unchanged rows write and publish nothing (re-importing a file is a
no-op); every created or changed role publishes key_role.defined, and one whose
incumbent the file clears also key_role.vacated (reason cleared). Columns the file does
not carry (org unit, risk and impact of loss, expected vacancy) are kept."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts import EventPayload
from talent_contracts.csv import CSV_COLUMNS
from talent_platform.auth import Principal
from talent_platform.csvimport import (
    ImportResult,
    Progress,
    RowErrors,
    duplicates,
    parse_choice,
    read_rows,
    required,
)
from talent_succession.audit.service import AuditLog
from talent_succession.dates import today
from talent_succession.db import outbox
from talent_succession.key_roles.events import key_role_defined, key_role_vacated
from talent_succession.key_roles.models import LEVELS, KeyRole
from talent_succession.key_roles.repository import KeyRoleRepository
from talent_succession.people.repository import EmployeeProjectionRepository

KEY_ROLE_COLUMNS = CSV_COLUMNS["key-roles"]
_FIELDS = ("title", "job_profile_code", "incumbent_id", "criticality")


async def import_key_roles(
    session: AsyncSession,
    data: bytes | str,
    *,
    principal: Principal,
    progress: Progress | None = None,
) -> ImportResult:
    rows = read_rows(data, KEY_ROLE_COLUMNS, kind="key-roles")
    employees = EmployeeProjectionRepository(session)
    ids = await employees.ids_by_number()
    statuses = await employees.statuses()
    errors = RowErrors()
    parsed: list[dict[str, Any]] = []
    for row in rows:
        before = errors.total
        code = required(row, "code", errors, max_length=100)
        title = required(row, "title", errors, max_length=300)
        criticality = parse_choice(row, "criticality", errors, LEVELS)
        number = row["incumbent_id"]
        incumbent = ids.get(number) if number else None
        if number and incumbent is None:
            errors.add(row.number, "incumbent_id", f"unknown employee {number!r}")
        elif incumbent is not None and statuses.get(incumbent) != "active":
            errors.add(row.number, "incumbent_id", f"employee {number} is not active")
        if len(row["job_profile_code"]) > 100:
            errors.add(row.number, "job_profile_code", "must be at most 100 characters")
        if errors.total == before:
            parsed.append(
                {
                    "code": code,
                    "title": title,
                    "job_profile_code": row["job_profile_code"] or None,
                    "incumbent_id": incumbent,
                    "criticality": criticality,
                }
            )
    duplicates(rows, lambda r: r["code"], "code", errors)
    errors.raise_if_any("key-roles")

    existing = await KeyRoleRepository(session).all_by_code()
    result = ImportResult(kind="key-roles", rows=len(rows))
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    cleared: dict[str, uuid.UUID] = {}
    for p in parsed:
        found = existing.get(p["code"])
        if found is None:
            new.append({"id": uuid.uuid4(), **p})
        elif any(getattr(found, f) != p[f] for f in _FIELDS):
            values = {"id": found.id, **{f: p[f] for f in _FIELDS}}
            if p["incumbent_id"] is None and found.incumbent_id is not None:
                values["vacated_on"] = today()
                cleared[p["code"]] = found.incumbent_id
            elif p["incumbent_id"] is not None:
                values["vacated_on"] = None
            changed.append(values)
        else:
            result.unchanged += 1
    if new:
        await session.execute(insert(KeyRole), new)
    if changed:
        await session.execute(update(KeyRole), changed)
    changed_ids = {c["id"] for c in changed}
    changed_codes = [code for code, role in existing.items() if role.id in changed_ids]
    touched = [p["code"] for p in new] + changed_codes
    roles = await KeyRoleRepository(session).by_codes(touched)
    for role in roles.values():
        await session.refresh(role)
    events: list[EventPayload] = [key_role_defined(roles[code]) for code in sorted(roles)]
    events += [
        key_role_vacated(roles[code], previous_incumbent_id=previous, reason="cleared", on=today())
        for code, previous in sorted(cleared.items())
    ]
    await session.run_sync(outbox.add, *events)
    await AuditLog(session, principal).record(
        "key_roles.imported",
        "import",
        "key-roles",
        after={
            "created": [n["code"] for n in new],
            "changed": sorted(roles.keys() - {n["code"] for n in new}),
        },
    )
    result.created, result.updated, result.events = len(new), len(changed), len(events)
    return result
