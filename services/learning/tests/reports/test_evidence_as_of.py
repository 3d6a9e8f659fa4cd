"""Compliance evidence as of a past day: the population is who was in it on that day, from
the employee history people's events build (terminations, hires and moves since do not
rewrite the past), and a redelivered or replayed event changes nothing."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts import EventPayload
from talent_contracts.people import (
    EmployeeHired,
    EmployeeSnapshot,
    EmployeeTerminated,
    EmployeeTransferred,
    EmployeeUpdated,
)
from talent_learning.enrollments.models import Enrollment
from talent_learning.people.consumers import registry
from talent_learning.people.models import EmployeeHistory, EmployeeProjection
from talent_platform.events import Envelope

from ..factories import HR, execute, make_completion, make_course
from ..http_client import learning_client, token

DAY = dt.date(2025, 6, 30)
HIRED = dt.date(2020, 1, 6)

EVIDENCE = """
query($asOf: Date, $population: PopulationInput) {
  complianceEvidence(courseCode: "SAFE-1", asOf: $asOf, population: $population) {
    asOf total compliant notCompliant
    rows { nodes { employeeNumber orgUnit jobProfileCode completedOn validUntil compliant } }
  }
}
"""


def snapshot(number: str, **changes: Any) -> EmployeeSnapshot:
    values: dict[str, Any] = {
        "employee_id": uuid.uuid5(uuid.NAMESPACE_URL, f"talent-test/history/{number}"),
        "employee_number": number,
        "name": f"Employee {number}",
        "email": f"{number.lower()}@example.com",
        "hire_date": HIRED,
        "status": "active",
        "job_profile_code": "analyst",
        "org_unit_code": "ops",
        "location": "Lisbon",
        "manager_id": None,
    }
    values.update(changes)
    return EmployeeSnapshot.model_validate(values)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)


@dataclasses.dataclass(frozen=True)
class Sent:
    payload: EventPayload
    envelope: Envelope


async def deliver(session: AsyncSession, sent: Sent) -> None:
    """Call the registered handler as the consumer loop does (in the test's transaction)."""
    await session.run_sync(lambda s: registry.apply(s, [(sent.payload, sent.envelope)]))


def event(payload: EventPayload, day: dt.date) -> Sent:
    envelope = dataclasses.replace(Envelope.for_payload(payload, service="people"), time=at(day))
    return Sent(payload, envelope)


def history_of_the_org() -> list[Sent]:
    stays = snapshot("E10")
    leaver = snapshot("E11")
    newcomer = snapshot("E12", hire_date=dt.date(2025, 8, 1))
    mover = snapshot("E13")
    moved = snapshot("E13", org_unit_code="sales", job_profile_code="lead")
    relocated = snapshot("E14")
    return [
        *(
            event(EmployeeHired(employee_id=s.employee_id, employee=s), HIRED)
            for s in (stays, leaver, mover, relocated)
        ),
        event(
            EmployeeHired(employee_id=newcomer.employee_id, employee=newcomer),
            dt.date(2025, 7, 20),
        ),
        # Transferred out of ops after the day (effective date before it was recorded).
        event(
            EmployeeTransferred(
                employee_id=moved.employee_id,
                employee=moved,
                previous_manager_id=None,
                previous_job_profile_code="analyst",
                effective_on=dt.date(2025, 8, 15),
            ),
            dt.date(2025, 8, 20),
        ),
        # Org unit changed by an update: effective the day it happened.
        event(
            EmployeeUpdated(
                employee_id=relocated.employee_id,
                employee=snapshot("E14", org_unit_code="sales"),
                changed_fields=("org_unit_code",),
            ),
            dt.date(2025, 9, 3),
        ),
        event(
            EmployeeTerminated(
                employee_id=leaver.employee_id,
                employee=snapshot("E11", status="terminated"),
                terminated_on=dt.date(2025, 9, 1),
            ),
            dt.date(2025, 9, 1),
        ),
    ]


async def org_with_history(session: AsyncSession) -> list[Sent]:
    events = history_of_the_org()
    for sent in events:
        await deliver(session, sent)
    course = await make_course(session, code="SAFE-1", recertify_months=12)
    for number, day in (("E10", dt.date(2025, 3, 1)), ("E11", dt.date(2025, 5, 2))):
        employee = (
            await session.execute(
                select(EmployeeProjection).where(EmployeeProjection.employee_number == number)
            )
        ).scalar_one()
        await make_completion(session, employee=employee, course=course, completed_on=day)
    return events


def numbers(data: dict[str, Any]) -> list[tuple[str, str | None, bool]]:
    return [
        (n["employeeNumber"], n["orgUnit"], n["compliant"])
        for n in data["complianceEvidence"]["rows"]["nodes"]
    ]


async def test_the_population_as_of_a_past_day_is_who_was_in_it_then(
    session: AsyncSession,
) -> None:
    await org_with_history(session)
    ops = {"orgUnitCode": "ops"}

    then = await execute(
        session, EVIDENCE, as_=HR, variables={"asOf": DAY.isoformat(), "population": ops}
    )
    now = await execute(session, EVIDENCE, as_=HR, variables={"population": ops})
    sales_then = await execute(
        session,
        EVIDENCE,
        as_=HR,
        variables={"asOf": DAY.isoformat(), "population": {"orgUnitCode": "sales"}},
    )
    analysts_then = await execute(
        session,
        EVIDENCE,
        as_=HR,
        variables={"asOf": DAY.isoformat(), "population": {"jobProfileCode": "analyst"}},
    )
    analysts_later = await execute(
        session,
        EVIDENCE,
        as_=HR,
        variables={"asOf": "2025-08-15", "population": {"jobProfileCode": "analyst"}},
    )

    # E11 (terminated after the day), E13 (transferred out after it) and E14 (moved to
    # sales after it) were in ops on the day, as they were then; E12 was hired later.
    assert numbers(then) == [
        ("E10", "ops", True),
        ("E11", "ops", True),
        ("E13", "ops", False),
        ("E14", "ops", False),
    ]
    assert (then["complianceEvidence"]["total"], then["complianceEvidence"]["compliant"]) == (
        4,
        2,
    )
    # Today: the leaver is gone, the newcomer is in, the movers are in sales.
    assert numbers(now) == [("E10", "ops", False), ("E12", "ops", False)]
    assert numbers(sales_then) == []
    assert [n[0] for n in numbers(analysts_then)] == ["E10", "E11", "E13", "E14"]
    # From its effective day the transfer counts, though recorded five days later.
    assert [n[0] for n in numbers(analysts_later)] == ["E10", "E11", "E12", "E14"]


async def test_the_csv_export_as_of_a_past_day_uses_the_history(session: AsyncSession) -> None:
    await org_with_history(session)
    async with learning_client(session) as client:
        response = await client.get(
            "/reports/compliance-evidence.csv",
            params={"courseCode": "SAFE-1", "asOf": DAY.isoformat(), "orgUnitCode": "ops"},
            headers={"authorization": f"Bearer {token(HR)}"},
        )

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["employee_number"], r["org_unit"], r["compliant"]) for r in rows] == [
        ("E10", "ops", "true"),
        ("E11", "ops", "true"),
        ("E13", "ops", "false"),
        ("E14", "ops", "false"),
    ]


async def history(session: AsyncSession) -> list[tuple[Any, ...]]:
    rows = await session.execute(
        select(
            EmployeeHistory.employee_id,
            EmployeeHistory.valid_from,
            EmployeeHistory.valid_to,
            EmployeeHistory.status,
            EmployeeHistory.org_unit_code,
            EmployeeHistory.job_profile_code,
            EmployeeHistory.recorded_at,
        ).order_by(EmployeeHistory.employee_id, EmployeeHistory.valid_from)
    )
    return [tuple(r) for r in rows.all()]


async def test_events_record_validity_intervals_and_redelivery_changes_nothing(
    session: AsyncSession,
) -> None:
    events = await org_with_history(session)
    before = await history(session)
    mover = snapshot("E13").employee_id
    leaver = snapshot("E11").employee_id

    # Every event again, newest first (a replay or a re-driven dead letter).
    for sent in reversed(events):
        await deliver(session, sent)

    assert await history(session) == before
    intervals = {
        employee: [(r[1], r[2], r[3], r[4], r[5]) for r in before if r[0] == employee]
        for employee in (mover, leaver)
    }
    assert intervals[mover] == [
        (HIRED, dt.date(2025, 8, 15), "active", "ops", "analyst"),
        (dt.date(2025, 8, 15), None, "active", "sales", "lead"),
    ]
    assert intervals[leaver] == [
        (HIRED, dt.date(2025, 9, 1), "active", "ops", "analyst"),
        (dt.date(2025, 9, 1), None, "terminated", "ops", "analyst"),
    ]
    evidence = await execute(
        session,
        EVIDENCE,
        as_=HR,
        variables={"asOf": DAY.isoformat(), "population": {"orgUnitCode": "ops"}},
    )
    assert evidence["complianceEvidence"]["total"] == 4


async def test_a_backdated_termination_ends_the_later_states(session: AsyncSession) -> None:
    """A termination recorded after an update dated later than its effective day: the
    update's row (which did not know of it) becomes terminated too."""
    ada = snapshot("E20")
    await deliver(session, event(EmployeeHired(employee_id=ada.employee_id, employee=ada), HIRED))
    await deliver(
        session,
        event(
            EmployeeUpdated(
                employee_id=ada.employee_id,
                employee=snapshot("E20", location="Porto"),
                changed_fields=("location",),
            ),
            dt.date(2025, 9, 10),
        ),
    )
    await deliver(
        session,
        event(
            EmployeeTerminated(
                employee_id=ada.employee_id,
                employee=snapshot("E20", location="Porto", status="terminated"),
                terminated_on=dt.date(2025, 9, 1),
            ),
            dt.date(2025, 9, 20),
        ),
    )

    rows = [(r[1], r[2], r[3]) for r in await history(session) if r[0] == ada.employee_id]
    assert rows == [
        (HIRED, dt.date(2025, 9, 1), "active"),
        (dt.date(2025, 9, 1), dt.date(2025, 9, 10), "terminated"),
        (dt.date(2025, 9, 10), None, "terminated"),
    ]


RATES = """
query($asOf: Date) {
  completionRates(groupBy: ORG_UNIT, asOf: $asOf) {
    nodes { group assigned completed overdue }
  }
}
"""


async def test_completion_rates_as_of_a_past_day_count_what_stood_then(
    session: AsyncSession,
) -> None:
    await org_with_history(session)
    course = await make_course(session, code="C-RATES")
    employees = {
        e.employee_number: e
        for e in (await session.execute(select(EmployeeProjection))).scalars().all()
    }

    def assigned(number: str, **values: Any) -> Enrollment:
        defaults: dict[str, Any] = {
            "reason": "compliance",
            "due_on": dt.date(2025, 6, 1),
            "created_at": at(dt.date(2025, 5, 1)),
        }
        return Enrollment(
            employee_id=employees[number].employee_id,
            course_id=course.id,
            **(defaults | values),
        )

    finished = await make_completion(
        session, employee=employees["E13"], course=course, completed_on=dt.date(2025, 6, 10)
    )
    session.add_all(
        [
            # Completed after the day: overdue then, completed now.
            assigned(
                "E13",
                status="completed",
                completion_id=finished.id,
                closed_at=at(dt.date(2025, 7, 2)),
            ),
            # Cancelled after the day: still counted then.
            assigned("E14", status="cancelled", closed_at=at(dt.date(2025, 8, 1))),
            # Assigned after the day: not counted then.
            assigned("E10", status="assigned", created_at=at(dt.date(2025, 7, 1))),
        ]
    )
    await session.flush()

    then = await execute(session, RATES, as_=HR, variables={"asOf": DAY.isoformat()})
    before = await execute(session, RATES, as_=HR, variables={"asOf": "2025-06-05"})
    now = await execute(session, RATES, as_=HR, variables={})

    # On the day E13 and E14 were in ops (they moved to sales later); E14's enrollment,
    # cancelled only later, was open and past due.
    assert then["completionRates"]["nodes"] == [
        {"group": "ops", "assigned": 2, "completed": 1, "overdue": 1},
    ]
    assert before["completionRates"]["nodes"] == [
        {"group": "ops", "assigned": 2, "completed": 0, "overdue": 2},
    ]
    assert now["completionRates"]["nodes"] == [
        {"group": "ops", "assigned": 1, "completed": 0, "overdue": 1},
        {"group": "sales", "assigned": 1, "completed": 1, "overdue": 0},
    ]
