"""The employee projection: a service's copy of the people service's employees.

Every service that authorizes by reporting lines or selects people by population keeps
a table of employees built from people's events alone. What they share lives here:

- `EmployeeColumns`, the table's columns, mixed into a service's model (a service adds
  its own indexes and columns, or narrows one: performance requires the hire date);
- `employee_handler(model, then=...)`, the batch handler of people's employee events,
  which upserts the rows and then calls the service's own reaction;
- `EmployeeRepository`, the reads: by id, by employee number, and who is below whom in
  the reporting lines (`managed_by`, `reports_of`), on which `visible_to`, the
  rule "the employee, anyone up their reporting chain and HR", rests.

Every employee event carries the full snapshot after the change, so each one is an
upsert of the whole row. Events of one employee arrive in order (they share a Kafka
key); the `updated_at` guard only stops a stale re-delivery (a dead letter redriven
later, say) from overwriting a newer state. A termination sets `terminated_on`, which
later events of the same employee keep.

A model with fewer columns than `EmployeeColumns` (the recommender's) gets the
snapshot's values for the columns it has.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    CTE,
    Date,
    DateTime,
    Integer,
    String,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column
from sqlalchemy.sql import ColumnElement

from talent_contracts.people import (
    EmployeeHired,
    EmployeeTerminated,
    EmployeeTransferred,
    EmployeeUpdated,
)
from talent_platform.auth import Principal
from talent_platform.db.bulk import unnest_insert, unnest_params
from talent_platform.db.repository import Repository
from talent_platform.events.envelope import Envelope
from talent_platform.events.handlers import BatchHandler, BatchItem, in_waves

EMPLOYEE_EVENTS = (EmployeeHired, EmployeeUpdated, EmployeeTransferred, EmployeeTerminated)
EmployeeEvent = EmployeeHired | EmployeeUpdated | EmployeeTransferred | EmployeeTerminated
EmployeeItem = tuple[EmployeeEvent, Envelope]

# Longer chains than this are treated as broken data (a cycle people has not caught).
MAX_CHAIN_DEPTH = 64


class EmployeeColumns:
    """The columns of an employee projection, for a service's declarative model:
    `class EmployeeProjection(EmployeeColumns, Base): __tablename__ = ...`."""

    employee_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    employee_number: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(20))
    manager_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    org_unit_code: Mapped[str | None] = mapped_column(String(200), default=None, index=True)
    job_profile_code: Mapped[str | None] = mapped_column(String(100), default=None, index=True)
    location: Mapped[str | None] = mapped_column(String(200), default=None)
    hire_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    terminated_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    # The time of the people event this row reflects (its `ce_time`).
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


def snapshot_values(payload: EmployeeEvent, envelope: Envelope) -> dict[str, Any]:
    """The projection row an event describes (every column of `EmployeeColumns`)."""
    snapshot = payload.employee
    return {
        "employee_id": snapshot.employee_id,
        "employee_number": snapshot.employee_number,
        "name": snapshot.name,
        "email": snapshot.email,
        "status": snapshot.status,
        "manager_id": snapshot.manager_id,
        "org_unit_code": snapshot.org_unit_code,
        "job_profile_code": snapshot.job_profile_code,
        "location": snapshot.location,
        "hire_date": snapshot.hire_date,
        "terminated_on": (
            payload.terminated_on if isinstance(payload, EmployeeTerminated) else None
        ),
        "updated_at": envelope.time,
    }


ExtraValues = Callable[[EmployeeEvent, Envelope], Mapping[str, Any]]
ExtraChanges = Callable[[Any], Mapping[str, ColumnElement[Any]]]


def upsert_employees(
    session: Session,
    model: type[Any],
    wave: Sequence[EmployeeItem],
    *,
    values: ExtraValues | None = None,
    changes: ExtraChanges | None = None,
) -> set[uuid.UUID]:
    """One guarded multi-row upsert of the wave's employees (each at most once); returns
    those whose row was written (not those whose stored row is newer than the event).

    `values(payload, envelope)` adds a service's own columns to each row; `changes
    (excluded)` replaces what an update writes to some columns (by default the new
    value), as SQL decided against the stored row."""
    if not wave:
        return set()
    table = model.__table__
    rows = [
        {name: value for name, value in snapshot_values(p, e).items() if name in table.c}
        | dict(values(p, e) if values else {})
        for p, e in wave
    ]
    columns = list(rows[0])
    statement = unnest_insert(model, columns)
    excluded = statement.excluded
    changed: dict[str, Any] = {name: excluded[name] for name in columns if name != "employee_id"}
    if "terminated_on" in columns:
        changed["terminated_on"] = func.coalesce(excluded.terminated_on, model.terminated_on)
    if changes is not None:
        changed.update(changes(excluded))
    upsert = statement.on_conflict_do_update(
        index_elements=[model.employee_id],
        set_=changed,
        where=model.updated_at <= excluded.updated_at,
    ).returning(model.employee_id)
    return set(session.scalars(upsert, unnest_params(rows, columns)))


Reaction = Callable[[Session, Sequence[EmployeeItem], set[uuid.UUID]], None]


def employee_handler(
    model: type[Any],
    *,
    then: Reaction | None = None,
    values: ExtraValues | None = None,
    changes: ExtraChanges | None = None,
) -> BatchHandler:
    """The batch handler of people's employee events for `model`'s table.

    A run of events is applied in waves in which each employee occurs once (`in_waves`):
    per wave one upsert, then `then(session, wave, applied)` with the wave's events and
    the employees whose row the upsert wrote (a stale re-delivery's is not). Applying
    wave after wave is applying the events one by one, since one employee's events touch
    no other employee's rows."""

    def project_employees(session: Session, items: Sequence[BatchItem]) -> None:
        events: list[EmployeeItem] = []
        for payload, envelope in items:
            if not isinstance(payload, EMPLOYEE_EVENTS):
                raise TypeError(f"not an employee event: {type(payload).__name__}")
            events.append((payload, envelope))
        for wave in in_waves(events, key=lambda event: event[0].employee.employee_id):
            applied = upsert_employees(session, model, wave, values=values, changes=changes)
            if then is not None:
                then(session, wave, applied)

    return project_employees


def in_org_scope(column: Any, scope: Collection[str]) -> ColumnElement[bool]:
    """SQL for `talent_platform.auth.unit_in_scope`: the org unit code is one of `scope`
    or below one (`Engineering / Platform` is below `Engineering`)."""
    clauses = [column.in_(sorted(scope))]
    for unit in sorted(scope):
        escaped = unit.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append(column.like(f"{escaped} / %", escape="\\"))
    return or_(*clauses)


def in_scope_employees(model: type[Any], scope: Collection[str]) -> Any:
    """`SELECT employee_id` of the employees of `model` inside an HR org scope."""
    return select(model.employee_id).where(in_org_scope(model.org_unit_code, scope))


def scoped_to(
    employee_id: Any, model: type[Any], scope: Collection[str] | None
) -> list[ColumnElement[bool]]:
    """The clauses that keep a query to employees inside an HR org scope (none without
    one): `employee_id` (a column holding an employee id) is one of `model`'s employees
    in the scope. Spread into `where(...)` or `or_(...)`."""
    if scope is None:
        return []
    return [employee_id.in_(in_scope_employees(model, scope))]


def reports_of(model: type[Any], manager_id: uuid.UUID, *, name: str = "reports") -> CTE:
    """Everyone below `manager_id` in the reporting lines: a recursive CTE with the
    columns `employee_id` and `depth` (1 for direct reports), at most MAX_CHAIN_DEPTH
    levels deep, so a cycle in the data ends the walk."""
    start = (
        select(model.employee_id.label("employee_id"), literal_column("1", Integer).label("depth"))
        .where(model.manager_id == manager_id)
        .cte(name, recursive=True)
    )
    below = aliased(model)
    return start.union_all(
        select(below.employee_id, start.c.depth + 1)
        .join(start, below.manager_id == start.c.employee_id)
        .where(start.c.depth < MAX_CHAIN_DEPTH)
    )


E = TypeVar("E")


class EmployeeRepository(Repository[E], Generic[E]):
    """Reads of an employee projection; a service names its model:
    `class EmployeeProjectionRepository(EmployeeRepository[EmployeeProjection])`."""

    entity_name = "employee"

    async def by_ids(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, E]:
        if not ids:
            return {}
        model: Any = self.model
        rows = await self.list(select(model).where(model.employee_id.in_(list(ids))))
        return {row.employee_id: row for row in rows}  # type: ignore[attr-defined]

    async def ids_by_number(self) -> dict[str, uuid.UUID]:
        """Every employee number and its id (CSV files name employees by number)."""
        model: Any = self.model
        rows = await self.session.execute(select(model.employee_number, model.employee_id))
        return {number: employee_id for number, employee_id in rows.all()}

    async def managed_by(
        self, manager_id: uuid.UUID, employee_ids: Collection[uuid.UUID]
    ) -> set[uuid.UUID]:
        """Those of `employee_ids` who have `manager_id` anywhere up their reporting chain.

        Walks up from the given employees (never down from the manager, whose whole
        organisation may be large), at most MAX_CHAIN_DEPTH levels, so a cycle in the
        data ends the walk instead of looping."""
        if not employee_ids:
            return set()
        model: Any = self.model
        start = (
            select(
                model.employee_id.label("employee_id"),
                model.manager_id.label("manager_id"),
                literal_column("1", Integer).label("depth"),
            )
            .where(model.employee_id.in_(list(employee_ids)), model.manager_id.is_not(None))
            .cte("chain", recursive=True)
        )
        above = aliased(model)
        chain = start.union_all(
            select(start.c.employee_id, above.manager_id, start.c.depth + 1)
            .join(above, above.employee_id == start.c.manager_id)
            .where(
                above.manager_id.is_not(None),
                start.c.manager_id != manager_id,
                start.c.depth < MAX_CHAIN_DEPTH,
            )
        )
        rows = await self.session.execute(
            select(chain.c.employee_id).where(chain.c.manager_id == manager_id).distinct()
        )
        return set(rows.scalars().all())

    async def visible_to(
        self, principal: Principal, employee_ids: Collection[uuid.UUID]
    ) -> set[uuid.UUID]:
        """The subset of `employee_ids` whose records `principal` may see: their own, those
        below them in the reporting lines, everyone's for HR (hr_coordinator, hr_leader,
        admin), only those inside their org units for an HR coordinator with an org scope.
        Being a manager is not a token role: it follows from the reporting lines. At most
        two queries, so a DataLoader can check a whole page of employees at once."""
        wanted = set(employee_ids)
        if principal.is_hr_everywhere:
            return wanted
        scope = principal.org_scope
        me = principal.employee_id
        visible = {me} & wanted if me is not None else set()
        if scope is not None and wanted - visible:
            model: Any = self.model
            rows = await self.session.execute(
                select(model.employee_id).where(
                    model.employee_id.in_(list(wanted - visible)),
                    in_org_scope(model.org_unit_code, scope),
                )
            )
            visible |= set(rows.scalars().all())
        others = wanted - visible
        if others and me is not None:
            visible |= await self.managed_by(me, others)
        return visible
