"""Overdue reviews and uncovered key roles: the query and the worker's sweep."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_contracts.succession import KeyRoleUncovered, ReviewOverdue
from talent_succession.db import messaging
from talent_succession.key_roles.models import KeyRole
from talent_succession.people.models import EmployeeProjection
from talent_succession.potential.models import PotentialAssessment
from talent_succession.slates.models import Nomination
from talent_succession.staleness.service import sweep

from ..factories import HR_LEADER, execute, make_employee, make_key_role


def assessment(employee_id: uuid.UUID, on: str, review_by: str) -> PotentialAssessment:
    return PotentialAssessment(
        employee_id=employee_id,
        potential="high",
        assessed_on=dt.date.fromisoformat(on),
        review_by=dt.date.fromisoformat(review_by),
        recorded_by="hr",
    )


async def test_the_query_lists_only_the_latest_overdue_reviews(session: AsyncSession) -> None:
    overdue = await make_employee(session, number="E1")
    reviewed = await make_employee(session, number="E2")
    session.add(assessment(overdue.employee_id, "2024-01-01", "2025-01-01"))
    session.add(assessment(reviewed.employee_id, "2024-01-01", "2025-01-01"))
    session.add(assessment(reviewed.employee_id, "2025-02-01", "2026-02-01"))
    role = await make_key_role(session, code="CFO")
    session.add(
        Nomination(
            key_role_id=role.id,
            employee_id=reviewed.employee_id,
            readiness="ready_now",
            rank=1,
            nominated_on=dt.date(2024, 1, 1),
            nominated_by="hr",
            readiness_assessed_on=dt.date(2024, 1, 1),
            review_by=dt.date(2025, 1, 1),
        )
    )
    await session.flush()

    data = await execute(
        session,
        """{ staleRecords(asOf: "2025-06-01") {
              totalCount nodes { kind reviewBy daysOverdue employee { id } } } }""",
        as_=HR_LEADER,
    )

    nodes = data["staleRecords"]["nodes"]
    assert data["staleRecords"]["totalCount"] == 2
    assert sorted((n["kind"], n["employee"]["id"], n["daysOverdue"]) for n in nodes) == sorted(
        [
            ("POTENTIAL", str(overdue.employee_id), 151),
            ("READINESS", str(reviewed.employee_id), 151),
        ]
    )


def test_the_sweep_announces_each_flag_once(sync_session: Session) -> None:
    ada = EmployeeProjection(
        employee_id=uuid.uuid4(),
        employee_number="S1",
        name="Ada",
        email="ada@example.com",
        status="active",
        updated_at=dt.datetime.now(dt.UTC),
    )
    sync_session.add(ada)
    sync_session.add(assessment(ada.employee_id, "2024-01-01", "2025-01-01"))
    role = KeyRole(id=uuid.uuid4(), code="CFO", title="CFO", criticality="high")
    sync_session.add(role)
    sync_session.flush()

    first = sweep(sync_session, today=dt.date(2025, 6, 1))
    second = sweep(sync_session, today=dt.date(2025, 6, 2))

    assert sorted(type(e).__name__ for e in first) == ["KeyRoleUncovered", "ReviewOverdue"]
    overdue = next(e for e in first if isinstance(e, ReviewOverdue))
    assert (overdue.record_kind, overdue.employee_id, overdue.review_by) == (
        "potential",
        ada.employee_id,
        dt.date(2025, 1, 1),
    )
    assert second == []

    # Covered by a ready-now successor, then uncovered again: announced anew.
    nomination = Nomination(
        key_role_id=role.id,
        employee_id=ada.employee_id,
        readiness="ready_now",
        rank=1,
        nominated_on=dt.date(2025, 6, 3),
        nominated_by="hr",
        readiness_assessed_on=dt.date(2025, 6, 3),
        review_by=dt.date(2026, 6, 3),
    )
    sync_session.add(nomination)
    sync_session.flush()
    assert sweep(sync_session, today=dt.date(2025, 6, 3)) == []
    nomination.removed_on = dt.date(2025, 6, 4)
    sync_session.flush()
    again = sweep(sync_session, today=dt.date(2025, 6, 4))
    assert [(type(e).__name__, getattr(e, "code", None)) for e in again] == [
        ("KeyRoleUncovered", "CFO")
    ]
    assert isinstance(again[0], KeyRoleUncovered)

    queued = sync_session.execute(select(messaging.outbox.c.event_type)).scalars().all()
    assert sorted(queued) == sorted(
        [ReviewOverdue.event_type, KeyRoleUncovered.event_type, KeyRoleUncovered.event_type]
    )
