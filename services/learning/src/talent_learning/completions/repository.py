from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any, cast

from psycopg.errors import UniqueViolation
from sqlalchemy import ARRAY, Table, Uuid, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from talent_learning.completions.models import Completion
from talent_platform.db import Repository
from talent_platform.db.bulk import copy_rows
from talent_platform.errors import Conflict

UNIQUE_COMPLETION = "uq_completion_employee_id_course_id_completed_on"


class CompletionRepository(Repository[Completion]):
    model = Completion
    entity_name = "completion"

    async def find(
        self, employee_id: uuid.UUID, *, course_id: uuid.UUID, completed_on: dt.date
    ) -> Completion | None:
        return await self.one_or_none(
            select(Completion).where(
                Completion.employee_id == employee_id,
                Completion.course_id == course_id,
                Completion.completed_on == completed_on,
            )
        )

    async def insert_or_none(self, values: dict[str, Any]) -> Completion | None:
        """Insert one completion; None when its (employee, course, day) is already stored
        (also when a concurrent request stored it first)."""
        statement = (
            pg_insert(Completion)
            .values(values)
            .on_conflict_do_nothing(index_elements=["employee_id", "course_id", "completed_on"])
            .returning(Completion)
        )
        return (await self.session.scalars(statement)).one_or_none()

    async def keys_of(
        self, employee_ids: Collection[uuid.UUID]
    ) -> set[tuple[uuid.UUID, uuid.UUID, dt.date]]:
        """(employee, course, day) of every stored completion of these employees."""
        if not employee_ids:
            return set()
        ids = bindparam("employee_ids", list(employee_ids), type_=ARRAY(Uuid()))
        rows = await self.session.execute(
            select(Completion.employee_id, Completion.course_id, Completion.completed_on).where(
                Completion.employee_id == any_(ids)
            )
        )
        return {(employee_id, course_id, day) for employee_id, course_id, day in rows.all()}

    async def insert_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Append new completions with COPY (rows carry every column but the timestamps).
        Raises Conflict, leaving the transaction to be rolled back, when one of them was
        stored meanwhile by a concurrent request."""
        try:
            await copy_rows(self.session, cast(Table, Completion.__table__), rows)
        except (IntegrityError, UniqueViolation) as exc:
            error = exc.orig if isinstance(exc, IntegrityError) else exc
            if getattr(getattr(error, "diag", None), "constraint_name", None) != UNIQUE_COMPLETION:
                raise
            raise Conflict("some completions were recorded concurrently; retry") from exc

    async def pages(
        self, employee_ids: Collection[uuid.UUID], *, offset: int, limit: int
    ) -> dict[uuid.UUID, list[Completion]]:
        """The same page (newest first) of each employee's completions, in one query."""
        if not employee_ids or limit <= 0:
            return {}
        position = (
            func.row_number()
            .over(
                partition_by=Completion.employee_id,
                order_by=(Completion.completed_on.desc(), Completion.id),
            )
            .label("position")
        )
        numbered = (
            select(Completion, position).where(Completion.employee_id.in_(employee_ids)).subquery()
        )
        row = aliased(Completion, numbered)
        rows = await self.session.execute(
            select(row)
            .where(numbered.c.position > offset, numbered.c.position <= offset + limit)
            .order_by(numbered.c.employee_id, numbered.c.position)
        )
        grouped: dict[uuid.UUID, list[Completion]] = defaultdict(list)
        for completion in rows.scalars():
            grouped[completion.employee_id].append(completion)
        return grouped

    async def counts(self, employee_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, int]:
        rows = await self.session.execute(
            select(Completion.employee_id, func.count())
            .where(Completion.employee_id.in_(employee_ids))
            .group_by(Completion.employee_id)
        )
        return {employee_id: count for employee_id, count in rows.all()}
