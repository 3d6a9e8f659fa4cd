"""Typed factories for performance's events as the notifier receives them."""

from __future__ import annotations

import datetime as dt
import uuid

from talent_contracts.people import EmployeeSnapshot
from talent_contracts.performance import (
    CycleReleased,
    RatingCalibrated,
    ReviewDueSoon,
    ReviewKind,
    ReviewOverdue,
    ReviewSubmitted,
)

CYCLE_ID = uuid.UUID("0b7f7f4e-8a52-4c1e-9a0e-3c1f1d2e4a01")
CYCLE_CODE = "FY26-ANNUAL"


def due_soon(
    employee: EmployeeSnapshot,
    *,
    reviewer: EmployeeSnapshot | None,
    kind: ReviewKind = "manager",
    due_on: dt.date = dt.date(2026, 3, 31),
) -> ReviewDueSoon:
    return ReviewDueSoon(
        review_id=uuid.uuid4(),
        cycle_id=CYCLE_ID,
        cycle_code=CYCLE_CODE,
        employee_id=employee.employee_id,
        reviewer_id=reviewer.employee_id if reviewer is not None else None,
        kind=kind,
        phase="manager_review" if kind == "manager" else "self_review",
        due_on=due_on,
    )


def late(
    employee: EmployeeSnapshot,
    *,
    reviewer: EmployeeSnapshot | None,
    kind: ReviewKind = "manager",
    due_on: dt.date | None = None,
) -> ReviewOverdue:
    """Overdue since yesterday unless `due_on` says otherwise."""
    return ReviewOverdue(
        review_id=uuid.uuid4(),
        cycle_id=CYCLE_ID,
        cycle_code=CYCLE_CODE,
        employee_id=employee.employee_id,
        reviewer_id=reviewer.employee_id if reviewer is not None else None,
        kind=kind,
        phase="manager_review" if kind == "manager" else "self_review",
        due_on=due_on or dt.date.today() - dt.timedelta(days=1),
    )


def submitted(
    employee: EmployeeSnapshot, *, reviewer: EmployeeSnapshot, rating: int
) -> ReviewSubmitted:
    return ReviewSubmitted(
        review_id=uuid.uuid4(),
        cycle_id=CYCLE_ID,
        cycle_code=CYCLE_CODE,
        employee_id=employee.employee_id,
        reviewer_id=reviewer.employee_id,
        kind="manager",
        overall_rating=rating,
        submitted_at=dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC),
    )


def calibrated(employee: EmployeeSnapshot, *, rating: int) -> RatingCalibrated:
    return RatingCalibrated(
        employee_id=employee.employee_id,
        cycle_id=CYCLE_ID,
        cycle_code=CYCLE_CODE,
        overall_rating=rating,
        previous_rating=rating - 1,
        rated_on=dt.date(2026, 4, 2),
    )


def released(cycle_id: uuid.UUID = CYCLE_ID) -> CycleReleased:
    return CycleReleased(
        cycle_id=cycle_id,
        cycle_code=CYCLE_CODE,
        released_at=dt.datetime(2026, 4, 10, 8, 0, tzinfo=dt.UTC),
    )
