from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import Select, cast, column, func, select, update, values
from sqlalchemy import Uuid as SqlUuid
from sqlalchemy.orm import aliased
from sqlalchemy.types import Float

from talent_learning.enrollments.assign import open_status
from talent_learning.enrollments.models import DueDateChange, Enrollment
from talent_platform.db import Repository


class EnrollmentRepository(Repository[Enrollment]):
    model = Enrollment
    entity_name = "enrollment"

    async def by_ids(self, ids: Sequence[uuid.UUID]) -> list[Enrollment]:
        if not ids:
            return []
        rows = await self.session.execute(select(Enrollment).where(Enrollment.id.in_(list(ids))))
        found = {e.id: e for e in rows.scalars()}
        return [found[i] for i in ids if i in found]

    async def get_for_update(self, enrollment_id: uuid.UUID) -> Enrollment | None:
        return await self.one_or_none(
            select(Enrollment).where(Enrollment.id == enrollment_id).with_for_update()
        )

    def filtered(
        self,
        *,
        employee_ids: Sequence[uuid.UUID] | None = None,
        course_id: uuid.UUID | None = None,
        statuses: Sequence[str] | None = None,
        due_before: dt.date | None = None,
    ) -> Select[Enrollment]:
        stmt = select(Enrollment)
        if employee_ids is not None:
            stmt = stmt.where(Enrollment.employee_id.in_(list(employee_ids)))
        if course_id is not None:
            stmt = stmt.where(Enrollment.course_id == course_id)
        if statuses:
            stmt = stmt.where(Enrollment.status.in_(list(statuses)))
        if due_before is not None:
            stmt = stmt.where(Enrollment.due_on < due_before)
        return stmt.order_by(
            Enrollment.due_on.asc().nulls_last(), Enrollment.created_at, Enrollment.id
        )

    async def close_with_completions(
        self, completed: Sequence[tuple[uuid.UUID, uuid.UUID, uuid.UUID, float | None]]
    ) -> dict[uuid.UUID, uuid.UUID]:
        """Complete the open enrollment of each (completion id, employee, course, score),
        in one UPDATE ... FROM (VALUES ...); returns completion id -> enrollment id."""
        if not completed:
            return {}
        rows = values(
            column("completion_id", SqlUuid()),
            column("employee_id", SqlUuid()),
            column("course_id", SqlUuid()),
            column("score", Float()),
            name="done",
        ).data(list(completed))
        statement = (
            update(Enrollment)
            .where(
                Enrollment.employee_id == rows.c.employee_id,
                Enrollment.course_id == rows.c.course_id,
                open_status(),
            )
            .values(
                status="completed",
                completion_id=rows.c.completion_id,
                score=cast(rows.c.score, Float()),
                closed_at=func.now(),
                updated_at=func.now(),
            )
            .returning(rows.c.completion_id.label("completion_id"), Enrollment.id.label("id"))
        )
        result = await self.session.execute(statement)
        return {row.completion_id: row.id for row in result.all()}

    async def due_date_history(
        self, enrollment_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[DueDateChange]]:
        rows = await self.session.execute(
            select(DueDateChange)
            .where(DueDateChange.enrollment_id.in_(enrollment_ids))
            .order_by(DueDateChange.created_at, DueDateChange.id)
        )
        grouped: dict[uuid.UUID, list[DueDateChange]] = {k: [] for k in enrollment_ids}
        for change in rows.scalars():
            grouped[change.enrollment_id].append(change)
        return grouped


class EnrollmentPages:
    """One page of each employee's enrollments (due date first) and their totals, in two
    queries whatever the number of employees."""

    def __init__(self, repository: EnrollmentRepository) -> None:
        self.session = repository.session

    async def load(
        self,
        employee_ids: Sequence[uuid.UUID],
        *,
        statuses: Sequence[str] | None,
        offset: int,
        limit: int,
    ) -> dict[uuid.UUID, tuple[list[Enrollment], int]]:
        if not employee_ids:
            return {}
        where = [Enrollment.employee_id.in_(list(employee_ids))]
        if statuses:
            where.append(Enrollment.status.in_(list(statuses)))
        position = (
            func.row_number()
            .over(
                partition_by=Enrollment.employee_id,
                order_by=(
                    Enrollment.due_on.asc().nulls_last(),
                    Enrollment.created_at,
                    Enrollment.id,
                ),
            )
            .label("position")
        )
        numbered = select(Enrollment, position).where(*where).subquery()
        row = aliased(Enrollment, numbered)
        rows = await self.session.execute(
            select(row)
            .where(numbered.c.position > offset, numbered.c.position <= offset + limit)
            .order_by(numbered.c.employee_id, numbered.c.position)
        )
        pages: dict[uuid.UUID, tuple[list[Enrollment], int]] = {e: ([], 0) for e in employee_ids}
        for enrollment in rows.scalars():
            pages[enrollment.employee_id][0].append(enrollment)
        totals = await self.session.execute(
            select(Enrollment.employee_id, func.count())
            .where(*where)
            .group_by(Enrollment.employee_id)
        )
        for employee_id, total in totals.all():
            pages[employee_id] = (pages[employee_id][0], total)
        return pages
