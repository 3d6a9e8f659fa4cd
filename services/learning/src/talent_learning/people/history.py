"""Each employee's history in learning (`employee_history`): the snapshot of every
people event, effective from the event's own date (the hire date for a hire,
`effective_on` for a transfer, `terminated_on` for a termination, the event's day for an
update), with `valid_from`/`valid_to` intervals that reports read "as of" a date.
Written by the people-event consumer (people/consumers.py), a wave of distinct employees
at a time: one upsert of the rows and one `valid_to` recompute."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ARRAY, Uuid, any_, bindparam, func, select, update
from sqlalchemy.orm import Session

from talent_contracts.people import EmployeeHired, EmployeeTerminated, EmployeeTransferred
from talent_learning.people.models import EmployeeHistory
from talent_platform.db.bulk import index_scans, unnest_insert, unnest_params
from talent_platform.employees import EmployeeEvent, EmployeeItem
from talent_platform.events import Envelope


def effective_on(payload: EmployeeEvent, envelope: Envelope) -> dt.date:
    """The day from which the event's snapshot was true: never before the hire date."""
    snapshot = payload.employee
    if isinstance(payload, EmployeeHired):
        return snapshot.hire_date
    if isinstance(payload, EmployeeTransferred):
        day = payload.effective_on
    elif isinstance(payload, EmployeeTerminated):
        day = payload.terminated_on
    else:
        day = envelope.time.astimezone(dt.UTC).date()
    return max(day, snapshot.hire_date)


def record_history(session: Session, events: Sequence[EmployeeItem]) -> None:
    """Record each event's snapshot as its employee's state from its effective day (each
    employee at most once in `events`), set-based and idempotent, so a redelivered or
    replayed event changes nothing and events may arrive in any order:

    1. upsert the rows keyed (employee, effective day); of two events effective the same
       day the later-recorded one wins;
    2. a backdated transfer or termination also corrects the rows dated after its
       effective day that were recorded before it (they did not know of it yet): their
       manager and job profile, or their status;
    3. recompute `valid_to` of the employees' rows as the next row's `valid_from`.
    """
    rows = [
        {
            "employee_id": payload.employee.employee_id,
            "valid_from": effective_on(payload, envelope),
            "status": payload.employee.status,
            "manager_id": payload.employee.manager_id,
            "org_unit_code": payload.employee.org_unit_code,
            "job_profile_code": payload.employee.job_profile_code,
            "location": payload.employee.location,
            "hire_date": payload.employee.hire_date,
            "recorded_at": envelope.time,
        }
        for payload, envelope in events
    ]
    columns = list(rows[0])
    statement = unnest_insert(EmployeeHistory, columns)
    statement = statement.on_conflict_do_update(
        index_elements=[EmployeeHistory.employee_id, EmployeeHistory.valid_from],
        set_={
            name: statement.excluded[name]
            for name in columns
            if name not in ("employee_id", "valid_from")
        },
        where=EmployeeHistory.recorded_at <= statement.excluded.recorded_at,
    )
    session.execute(statement, unnest_params(rows, columns))

    for (payload, envelope), row in zip(events, rows, strict=True):
        snapshot = payload.employee
        corrections: dict[str, object] = {}
        if isinstance(payload, EmployeeTransferred):
            corrections = {
                "manager_id": snapshot.manager_id,
                "job_profile_code": snapshot.job_profile_code,
            }
        elif isinstance(payload, EmployeeTerminated):
            corrections = {"status": snapshot.status}
        if corrections:
            session.execute(
                update(EmployeeHistory)
                .where(
                    EmployeeHistory.employee_id == snapshot.employee_id,
                    EmployeeHistory.valid_from > row["valid_from"],
                    EmployeeHistory.recorded_at < envelope.time,
                )
                .values(corrections)
            )

    employee_ids = [row["employee_id"] for row in rows]
    following = (
        select(
            EmployeeHistory.employee_id.label("employee_id"),
            EmployeeHistory.valid_from.label("valid_from"),
            func.lead(EmployeeHistory.valid_from)
            .over(partition_by=EmployeeHistory.employee_id, order_by=EmployeeHistory.valid_from)
            .label("next_from"),
        )
        .where(EmployeeHistory.employee_id == any_(bindparam("ids", type_=ARRAY(Uuid))))
        .subquery("following")
    )
    # By the ids on both sides, through the primary key: with statistics lagging behind
    # a burst of hires the planner would otherwise scan the whole history every batch.
    with index_scans(session):
        session.execute(
            update(EmployeeHistory)
            .where(
                EmployeeHistory.employee_id == any_(bindparam("ids", type_=ARRAY(Uuid))),
                EmployeeHistory.employee_id == following.c.employee_id,
                EmployeeHistory.valid_from == following.c.valid_from,
                EmployeeHistory.valid_to.is_distinct_from(following.c.next_from),
            )
            .values(valid_to=following.c.next_from),
            {"ids": employee_ids},
        )
