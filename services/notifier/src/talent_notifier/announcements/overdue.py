"""Which enrollments are overdue and still open, from learning's events: added by
`enrollment.overdue`, removed by `enrollment.completed` (the enrollment it closed; a
completion without one closes the employee's overdue enrollments of that course),
`enrollment.waived` and `enrollment.cancelled`. What the `overdueEnrollments` audience
of an announcement reads (synchronous sessions: the consumer's)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, delete, or_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from talent_contracts.learning import (
    EnrollmentCancelled,
    EnrollmentCompleted,
    EnrollmentOverdue,
    EnrollmentWaived,
)
from talent_notifier.announcements.models import OverdueEnrollment

OverdueEvent = EnrollmentOverdue | EnrollmentCompleted | EnrollmentWaived | EnrollmentCancelled


def apply(session: Session, events: Sequence[OverdueEvent]) -> None:
    """Apply the events in order (one employee's arrive in order: they are keyed by
    employee); a statement per change of direction, none for a batch without them."""
    pending: list[OverdueEvent] = []

    def flush() -> None:
        if not pending:
            return
        if isinstance(pending[0], EnrollmentOverdue):
            rows = {
                e.enrollment_id: {
                    "enrollment_id": e.enrollment_id,
                    "employee_id": e.employee_id,
                    "course_code": e.course_code,
                    "due_on": e.due_on,
                }
                for e in pending
                if isinstance(e, EnrollmentOverdue)
            }
            session.execute(
                insert(OverdueEnrollment)
                .values(list(rows.values()))
                .on_conflict_do_nothing(index_elements=["enrollment_id"])
            )
        else:
            closed = []
            for e in pending:
                enrollment = getattr(e, "enrollment_id", None)
                if enrollment is not None:
                    closed.append(OverdueEnrollment.enrollment_id == enrollment)
                else:
                    closed.append(
                        and_(
                            OverdueEnrollment.employee_id == e.employee_id,
                            OverdueEnrollment.course_code == e.course_code,
                        )
                    )
            session.execute(delete(OverdueEnrollment).where(or_(*closed)))
        pending.clear()

    for event in events:
        if pending and isinstance(event, EnrollmentOverdue) != isinstance(
            pending[0], EnrollmentOverdue
        ):
            flush()
        pending.append(event)
    flush()
