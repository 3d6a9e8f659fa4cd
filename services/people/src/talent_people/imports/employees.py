"""CSV imports of employees (the HRIS export) and of job history.

The employees file is applied as a whole: every row is validated against the file and
the database together (unknown job profiles and managers, duplicate numbers and emails,
reporting cycles) before anything is written; then new employees are inserted managers
first, changed ones updated, and one event per change goes to the outbox. Rows equal to
what is stored write nothing, so re-importing a file changes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts import EventPayload
from talent_contracts.csv import CSV_COLUMNS
from talent_contracts.people import EmployeeSnapshot, JobHistoryRecorded
from talent_people.db import outbox
from talent_people.employees.events import employee_events
from talent_people.employees.models import STATUSES, Employee, JobHistory, OrgUnit
from talent_people.employees.service import EMAIL
from talent_people.framework.models import JobProfile
from talent_platform.csvimport import (
    CsvRow,
    ImportResult,
    RowErrors,
    parse_choice,
    parse_date,
    read_rows,
    required,
)
from talent_platform.db.bulk import copy_rows

EMPLOYEE_COLUMNS = CSV_COLUMNS["employees"]
JOB_HISTORY_COLUMNS = CSV_COLUMNS["job-history"]
BATCH = 5000


@dataclass(frozen=True)
class EmployeeRow:
    row: int
    number: str
    name: str
    email: str
    hire_date: dt.date
    job_profile_code: str | None
    org_unit: str | None
    location: str | None
    manager_number: str | None
    status: str


def _parse(row: CsvRow, errors: RowErrors) -> EmployeeRow | None:
    before = errors.total
    number = required(row, "employee_id", errors, max_length=64)
    name = required(row, "name", errors, max_length=300)
    email = required(row, "email", errors, max_length=320)
    if email and not EMAIL.match(email):
        errors.add(row.number, "email", f"{email!r} is not an email address")
    hire_date = parse_date(row, "hire_date", errors)
    status = parse_choice(row, "status", errors, STATUSES) if row["status"] else "active"
    if row["manager_id"] and row["manager_id"] == row["employee_id"]:
        errors.add(row.number, "manager_id", "an employee cannot be their own manager")
    if errors.total > before or not (number and name and email and hire_date and status):
        return None
    return EmployeeRow(
        row=row.number,
        number=number,
        name=name,
        email=email.lower(),
        hire_date=hire_date,
        job_profile_code=row["job_profile_code"] or None,
        org_unit=row["org_unit"] or None,
        location=row["location"] or None,
        manager_number=row["manager_id"] or None,
        status=status,
    )


def _cycles(managers: dict[str, str | None]) -> set[str]:
    """Employee numbers that sit on a reporting cycle."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    on_cycle: set[str] = set()
    for start in managers:
        path: list[str] = []
        node: str | None = start
        while node is not None and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = managers.get(node)
        if node is not None and state.get(node) == 1:
            on_cycle.update(path[path.index(node) :])
        for n in path:
            state[n] = 2
    return on_cycle


def _manager_first(numbers: list[str], managers: dict[str, str | None]) -> list[str]:
    """Order new employees so that each one's manager is inserted before them."""
    wanted = set(numbers)
    ordered: list[str] = []
    placed: set[str] = set()
    for start in numbers:
        stack: list[str] = []
        node: str | None = start
        while node is not None and node in wanted and node not in placed and node not in stack:
            stack.append(node)
            node = managers.get(node)
        for n in reversed(stack):
            placed.add(n)
            ordered.append(n)
    return ordered


async def import_employees(
    session: AsyncSession, data: bytes | str, *, progress: Callable[[str], None] | None = None
) -> ImportResult:
    say = progress or (lambda _m: None)
    rows = read_rows(data, EMPLOYEE_COLUMNS, kind="employees")
    say(f"read {len(rows)} rows")
    errors = RowErrors()
    parsed = [p for p in (_parse(r, errors) for r in rows) if p is not None]

    stored = (
        await session.execute(
            select(
                Employee.id,
                Employee.employee_number,
                Employee.name,
                Employee.email,
                Employee.hire_date,
                Employee.status,
                Employee.location,
                Employee.manager_id,
                JobProfile.code,
                OrgUnit.code,
            )
            .outerjoin(JobProfile, JobProfile.id == Employee.job_profile_id)
            .outerjoin(OrgUnit, OrgUnit.id == Employee.org_unit_id)
        )
    ).all()
    number_of = {r[0]: r[1] for r in stored}
    current: dict[str, EmployeeSnapshot] = {
        r[1]: EmployeeSnapshot(
            employee_id=r[0],
            employee_number=r[1],
            name=r[2],
            email=r[3],
            hire_date=r[4],
            status=r[5],
            location=r[6],
            manager_id=r[7],
            job_profile_code=r[8],
            org_unit_code=r[9],
        )
        for r in stored
    }
    email_owner = {s.email: n for n, s in current.items()}
    profiles = {
        code: pid
        for pid, code in (await session.execute(select(JobProfile.id, JobProfile.code))).all()
    }

    in_file: dict[str, EmployeeRow] = {}
    file_emails: dict[str, EmployeeRow] = {}
    for p in parsed:
        if p.number in in_file:
            errors.add(p.row, "employee_id", f"{p.number!r} repeats row {in_file[p.number].row}")
            continue
        in_file[p.number] = p
        if p.email in file_emails:
            errors.add(p.row, "email", f"{p.email!r} repeats row {file_emails[p.email].row}")
        file_emails[p.email] = p
    for p in in_file.values():
        owner = email_owner.get(p.email)
        if owner is not None and owner != p.number:
            moving_away = owner in in_file and in_file[owner].email != p.email
            if not moving_away:
                errors.add(p.row, "email", f"{p.email!r} belongs to employee {owner}")
        if p.job_profile_code and p.job_profile_code not in profiles:
            errors.add(p.row, "job_profile_code", f"unknown job profile {p.job_profile_code!r}")
        if p.manager_number and p.manager_number not in in_file and p.manager_number not in current:
            errors.add(p.row, "manager_id", f"unknown employee {p.manager_number!r}")
    managers: dict[str, str | None] = {
        n: (number_of.get(s.manager_id) if s.manager_id else None) for n, s in current.items()
    }
    managers.update({n: p.manager_number for n, p in in_file.items()})
    for number in sorted(_cycles(managers)):
        if number in in_file:
            errors.add(in_file[number].row, "manager_id", f"reporting cycle through {number}")
    errors.raise_if_any("employees")
    say(f"validated {len(in_file)} employees")

    # Org units named in the file that do not exist yet.
    units = {
        code: uid for uid, code in (await session.execute(select(OrgUnit.id, OrgUnit.code))).all()
    }
    new_units = sorted(
        {p.org_unit for p in in_file.values() if p.org_unit and p.org_unit not in units}
    )
    if new_units:
        fresh = [{"id": uuid.uuid4(), "code": u, "name": u} for u in new_units]
        await session.execute(insert(OrgUnit), fresh)
        units.update({u["code"]: u["id"] for u in fresh})  # type: ignore[misc]

    ids = {n: s.employee_id for n, s in current.items()}
    for n in in_file:
        ids.setdefault(n, uuid.uuid4())
    today = dt.date.today()
    result = ImportResult(kind="employees", rows=len(rows))
    events: list[EventPayload] = []
    new_rows: dict[str, dict[str, object]] = {}
    changed_rows: list[dict[str, object]] = []
    history_new: list[dict[str, object]] = []
    history_close: list[uuid.UUID] = []
    for number, p in in_file.items():
        before = current.get(number)
        after = EmployeeSnapshot(
            employee_id=ids[number],
            employee_number=number,
            name=p.name,
            email=p.email,
            hire_date=p.hire_date,
            status=p.status,
            job_profile_code=p.job_profile_code,
            org_unit_code=p.org_unit,
            location=p.location,
            manager_id=ids[p.manager_number] if p.manager_number else None,
        )
        if before == after:
            result.unchanged += 1
            continue
        values: dict[str, object] = {
            "id": after.employee_id,
            "employee_number": number,
            "name": p.name,
            "email": p.email,
            "hire_date": p.hire_date,
            "status": p.status,
            "location": p.location,
            "job_profile_id": profiles[p.job_profile_code] if p.job_profile_code else None,
            "org_unit_id": units[p.org_unit] if p.org_unit else None,
            "manager_id": after.manager_id,
        }
        if before is None:
            values["terminated_on"] = today if p.status == "terminated" else None
            new_rows[number] = values
        else:
            if before.status != p.status:
                values["terminated_on"] = today if p.status == "terminated" else None
            changed_rows.append(values)
        effective = p.hire_date if before is None else today
        events.extend(employee_events(before, after, effective_on=effective))
        if after.job_profile_code and (
            before is None or before.job_profile_code != after.job_profile_code
        ):
            if before is not None:
                history_close.append(after.employee_id)
            history_new.append(
                {
                    "id": uuid.uuid4(),
                    "employee_id": after.employee_id,
                    "job_profile_id": profiles[after.job_profile_code],
                    "start_date": effective,
                }
            )
            events.append(
                JobHistoryRecorded(
                    employee_id=after.employee_id,
                    job_profile_code=after.job_profile_code,
                    start_date=effective,
                    end_date=None,
                )
            )

    order = _manager_first(list(new_rows), managers)
    now = dt.datetime.now(dt.UTC)
    for i in range(0, len(order), BATCH):
        # COPY checks the manager foreign key row by row: managers come first in `order`.
        await copy_rows(
            session,
            Employee.__table__,  # type: ignore[arg-type]
            [{**new_rows[n], "created_at": now, "updated_at": now} for n in order[i : i + BATCH]],
        )
        say(f"inserted {min(i + BATCH, len(order))}/{len(order)} new employees")
    if changed_rows:
        # Emails may swap between employees: park the changed ones on unique placeholders first.
        await session.execute(
            update(Employee),
            [{"id": v["id"], "email": f"{v['id']}@import.invalid"} for v in changed_rows],
        )
        for i in range(0, len(changed_rows), BATCH):
            await session.execute(update(Employee), changed_rows[i : i + BATCH])
        say(f"updated {len(changed_rows)} employees")
    if history_close:
        await session.execute(
            update(JobHistory)
            .where(JobHistory.employee_id.in_(history_close), JobHistory.end_date.is_(None))
            .values(end_date=today)
        )
    for row in history_new:
        row["created_at"] = row["updated_at"] = now
    await copy_rows(session, JobHistory.__table__, history_new)  # type: ignore[arg-type]
    await session.run_sync(outbox.add, *events)
    say(f"queued {len(events)} events")
    result.created, result.updated, result.events = len(new_rows), len(changed_rows), len(events)
    return result


async def import_job_history(session: AsyncSession, data: bytes | str) -> ImportResult:
    rows = read_rows(data, JOB_HISTORY_COLUMNS, kind="job-history")
    employees = {
        n: eid
        for eid, n in (await session.execute(select(Employee.id, Employee.employee_number))).all()
    }
    profiles = {
        c: pid for pid, c in (await session.execute(select(JobProfile.id, JobProfile.code))).all()
    }
    errors = RowErrors()
    parsed: list[tuple[int, uuid.UUID, str, dt.date, dt.date | None]] = []
    seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        number = required(row, "employee_id", errors)
        code = required(row, "job_profile_code", errors)
        start = parse_date(row, "start_date", errors)
        end = parse_date(row, "end_date", errors, optional=True)
        if number and number not in employees:
            errors.add(row.number, "employee_id", f"unknown employee {number!r}")
        if code and code not in profiles:
            errors.add(row.number, "job_profile_code", f"unknown job profile {code!r}")
        if start and end and end < start:
            errors.add(row.number, "end_date", "is before start_date")
        key = (row["employee_id"], row["job_profile_code"], row["start_date"])
        if key in seen:
            errors.add(row.number, "start_date", f"repeats row {seen[key]}")
        seen.setdefault(key, row.number)
        if number in employees and code in profiles and start:
            parsed.append((row.number, employees[number], code, start, end))
    errors.raise_if_any("job-history")
    existing = {
        (h.employee_id, h.job_profile_id, h.start_date): h
        for h in (await session.execute(select(JobHistory))).scalars().all()
    }
    result = ImportResult(kind="job-history", rows=len(rows))
    new: list[dict[str, object]] = []
    changed: list[dict[str, object]] = []
    events: list[EventPayload] = []
    for _row, employee_id, code, start, end in parsed:
        found = existing.get((employee_id, profiles[code], start))
        if found is None:
            new.append(
                {
                    "id": uuid.uuid4(),
                    "employee_id": employee_id,
                    "job_profile_id": profiles[code],
                    "start_date": start,
                    "end_date": end,
                }
            )
        elif found.end_date != end:
            changed.append({"id": found.id, "end_date": end})
        else:
            result.unchanged += 1
            continue
        events.append(
            JobHistoryRecorded(
                employee_id=employee_id, job_profile_code=code, start_date=start, end_date=end
            )
        )
    if new:
        await session.execute(insert(JobHistory), new)
    if changed:
        await session.execute(update(JobHistory), changed)
    touched = {employee_id for _row, employee_id, *_rest in parsed}
    events.extend(await _start_current_after_history(session, touched))
    await session.run_sync(outbox.add, *events)
    result.created, result.updated, result.events = len(new), len(changed), len(events)
    return result


async def _start_current_after_history(
    session: AsyncSession, employee_ids: set[uuid.UUID]
) -> list[EventPayload]:
    """The employees import opens the current job at the hire date, not knowing the
    earlier jobs a history file lists; once history is known, the current (open) period
    starts where the last closed one ended, so periods do not overlap."""
    if not employee_ids:
        return []
    rows = (
        await session.execute(
            select(JobHistory, JobProfile.code)
            .join(JobProfile, JobProfile.id == JobHistory.job_profile_id)
            .where(JobHistory.employee_id.in_(employee_ids))
        )
    ).all()
    last_end: dict[uuid.UUID, dt.date] = {}
    for history, _code in rows:
        if history.end_date is not None:
            last_end[history.employee_id] = max(
                history.end_date, last_end.get(history.employee_id, history.end_date)
            )
    events: list[EventPayload] = []
    for history, code in rows:
        end = last_end.get(history.employee_id)
        if history.end_date is None and end is not None and history.start_date < end:
            history.start_date = end
            events.append(
                JobHistoryRecorded(
                    employee_id=history.employee_id,
                    job_profile_code=code,
                    start_date=end,
                    end_date=None,
                )
            )
    await session.flush()
    return events


__all__ = ["import_employees", "import_job_history"]
