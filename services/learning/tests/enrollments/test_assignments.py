"""Assigning courses and paths, self-enrollment, status changes and their history."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.learning import (
    EnrollmentAssigned,
    EnrollmentCompleted,
    EnrollmentWaived,
)
from talent_learning.enrollments.models import Enrollment
from talent_platform.auth import Principal

from ..factories import HR, execute, import_csv, make_course, make_employee, principal, published

ASSIGN = """
mutation($input: AssignLearningInput!) {
  assignLearning(input: $input) {
    __typename
    ... on AssignLearningPayload {
      assignedCount
      enrollments { id status reason dueOn course { code } employee { id } path { code } }
    }
    ... on ValidationError { fields { field message } }
    ... on Forbidden { message }
  }
}
"""

CHANGE = """
mutation($id: ID!, $reason: String!, $dueOn: Date!) {
  extendEnrollmentDueDate(input: {enrollmentId: $id, dueOn: $dueOn, reason: $reason}) {
    __typename
    ... on EnrollmentPayload {
      enrollment { status dueOn dueDateHistory { previousDueOn newDueOn reason changedBy } }
    }
    ... on ValidationError { fields { field message } }
  }
}
"""

WAIVE = """
mutation($id: ID!, $reason: String!) {
  waiveEnrollment(input: {enrollmentId: $id, reason: $reason}) {
    __typename
    ... on EnrollmentPayload { enrollment { status statusReason closedAt } }
    ... on Forbidden { message }
  }
}
"""

ENROLL = """
mutation($code: String!) {
  enrollInCourse(input: {courseCode: $code}) {
    __typename
    ... on EnrollmentPayload { enrollment { status reason course { code } } }
    ... on Forbidden { message }
    ... on Conflict { message }
  }
}
"""

MINE = """
query($employeeId: ID, $statuses: [EnrollmentStatus!]) {
  enrollments(employeeId: $employeeId, statuses: $statuses) {
    totalCount
    nodes { status reason course { code } }
  }
}
"""

IN_30_DAYS = dt.date.today() + dt.timedelta(days=30)


async def assign(session: AsyncSession, as_: Principal, **input: Any) -> dict[str, Any]:
    data = await execute(session, ASSIGN, as_=as_, variables={"input": input})
    result: dict[str, Any] = data["assignLearning"]
    return result


async def test_hr_assigns_a_course_to_a_population_in_one_statement(
    session: AsyncSession,
) -> None:
    course = await make_course(session, code="SAFE-1")
    lisbon = [await make_employee(session, number=f"L{i}", location="Lisbon") for i in range(3)]
    await make_employee(session, number="P1", location="Porto")
    await make_employee(session, number="L9", location="Lisbon", status="terminated")

    first = await assign(
        session,
        HR,
        courseCode=course.code,
        population={"location": "Lisbon"},
        reason="COMPLIANCE",
        dueOn=IN_30_DAYS.isoformat(),
    )
    again = await assign(
        session, HR, courseCode=course.code, population={"location": "Lisbon"}, reason="MANAGER"
    )

    assert first["assignedCount"] == 3
    assert {e["employee"]["id"] for e in first["enrollments"]} == {
        str(e.employee_id) for e in lisbon
    }
    assert {(e["status"], e["reason"], e["dueOn"]) for e in first["enrollments"]} == {
        ("ASSIGNED", "COMPLIANCE", IN_30_DAYS.isoformat())
    }
    assert again["assignedCount"] == 0  # everyone already has an open enrollment
    events = await published(session, EnrollmentAssigned)
    assert len(events) == 3
    assert {(e.course_code, e.reason) for e in events} == {("SAFE-1", "compliance")}


async def test_a_recommendation_assignment_carries_its_id(session: AsyncSession) -> None:
    course = await make_course(session, code="PY-1")
    ada = await make_employee(session, number="E1")
    recommendation = uuid.uuid4()

    missing = await assign(
        session, HR, courseCode="PY-1", employeeIds=[str(ada.employee_id)], reason="RECOMMENDATION"
    )
    done = await assign(
        session,
        HR,
        courseCode=course.code,
        employeeIds=[str(ada.employee_id)],
        reason="RECOMMENDATION",
        recommendationId=str(recommendation),
    )

    assert missing["__typename"] == "ValidationError"
    assert [f["field"] for f in missing["fields"]] == ["input.recommendationId"]
    assert done["assignedCount"] == 1
    (event,) = await published(session, EnrollmentAssigned)
    assert (event.reason, event.recommendation_id) == ("recommendation", recommendation)


async def test_a_manager_assigns_only_within_their_reporting_chain(session: AsyncSession) -> None:
    await make_course(session, code="LEAD-1")
    boss = await make_employee(session, number="B1")
    lead = await make_employee(session, number="M1", manager=boss)
    report = await make_employee(session, number="R1", manager=lead)
    outsider = await make_employee(session, number="X1")

    ok = await assign(
        session,
        principal(boss),
        courseCode="LEAD-1",
        employeeIds=[str(report.employee_id)],
        reason="MANAGER",
    )
    refused = await assign(
        session,
        principal(boss),
        courseCode="LEAD-1",
        employeeIds=[str(report.employee_id), str(outsider.employee_id)],
        reason="MANAGER",
    )
    population = await assign(
        session,
        principal(boss),
        courseCode="LEAD-1",
        population={"location": "x"},
        reason="MANAGER",
    )
    themself = await assign(
        session,
        principal(report),
        courseCode="LEAD-1",
        employeeIds=[str(report.employee_id)],
        reason="MANAGER",
    )

    assert ok["assignedCount"] == 1
    assert [r["__typename"] for r in (refused, population, themself)] == ["Forbidden"] * 3
    (event,) = await published(session, EnrollmentAssigned)
    assert event.assigned_by == boss.employee_id  # the notifier names who assigned it


async def test_a_path_assigns_each_step_with_the_path(session: AsyncSession) -> None:
    await make_course(session, code="ON-1")
    await make_course(session, code="ON-2")
    ada = await make_employee(session, number="E1")
    saved = await execute(
        session,
        """mutation { saveLearningPath(input: {code: "ANALYST-TRACK", title: "Analyst track",
            kind: CAREER, targetDays: 60,
            steps: [{courseCode: "ON-2"}, {courseCode: "ON-1", required: false}]}) {
              __typename ... on LearningPathPayload { path { code kind steps { position required course { code } } } } } }""",
        as_=HR,
    )

    result = await assign(
        session, HR, pathCode="ANALYST-TRACK", employeeIds=[str(ada.employee_id)], reason="MANAGER"
    )

    assert saved["saveLearningPath"]["path"]["steps"] == [
        {"position": 1, "required": True, "course": {"code": "ON-2"}},
        {"position": 2, "required": False, "course": {"code": "ON-1"}},
    ]
    assert result["assignedCount"] == 2
    due = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    assert {
        (e["course"]["code"], e["path"]["code"], e["dueOn"]) for e in result["enrollments"]
    } == {
        ("ON-1", "ANALYST-TRACK", due),
        ("ON-2", "ANALYST-TRACK", due),
    }


async def test_self_enrollment_only_where_the_course_allows(session: AsyncSession) -> None:
    await make_course(session, code="OPEN-1", self_enrollment=True)
    await make_course(session, code="CLOSED-1")
    ada = await make_employee(session, number="E1")

    ok = await execute(session, ENROLL, as_=principal(ada), variables={"code": "OPEN-1"})
    twice = await execute(session, ENROLL, as_=principal(ada), variables={"code": "OPEN-1"})
    closed = await execute(session, ENROLL, as_=principal(ada), variables={"code": "CLOSED-1"})
    mine = await execute(session, MINE, as_=principal(ada))

    assert ok["enrollInCourse"]["enrollment"] == {
        "status": "ASSIGNED",
        "reason": "SELF",
        "course": {"code": "OPEN-1"},
    }
    assert twice["enrollInCourse"]["__typename"] == "Conflict"
    assert closed["enrollInCourse"]["__typename"] == "Forbidden"
    assert mine["enrollments"]["nodes"] == [
        {"status": "ASSIGNED", "reason": "SELF", "course": {"code": "OPEN-1"}}
    ]


async def test_due_date_extensions_keep_their_history_and_waivers_their_reason(
    session: AsyncSession,
) -> None:
    await make_course(session, code="SAFE-1")
    boss = await make_employee(session, number="B1")
    ada = await make_employee(session, number="E1", manager=boss)
    result = await assign(
        session,
        HR,
        courseCode="SAFE-1",
        employeeIds=[str(ada.employee_id)],
        reason="MANAGER",
        dueOn=IN_30_DAYS.isoformat(),
    )
    enrollment_id = result["enrollments"][0]["id"]
    later = IN_30_DAYS + dt.timedelta(days=14)
    latest = later + dt.timedelta(days=7)

    await execute(
        session,
        CHANGE,
        as_=principal(boss),
        variables={"id": enrollment_id, "dueOn": later.isoformat(), "reason": "leave"},
    )
    second = await execute(
        session,
        CHANGE,
        as_=HR,
        variables={"id": enrollment_id, "dueOn": latest.isoformat(), "reason": "project"},
    )
    earlier = await execute(
        session,
        CHANGE,
        as_=HR,
        variables={"id": enrollment_id, "dueOn": IN_30_DAYS.isoformat(), "reason": "x"},
    )
    by_employee = await execute(
        session, WAIVE, as_=principal(ada), variables={"id": enrollment_id, "reason": "mine"}
    )
    waived = await execute(
        session,
        WAIVE,
        as_=principal(boss),
        variables={"id": enrollment_id, "reason": "certified elsewhere"},
    )

    enrollment = second["extendEnrollmentDueDate"]["enrollment"]
    assert enrollment["dueOn"] == latest.isoformat()
    assert [
        (h["previousDueOn"], h["newDueOn"], h["reason"]) for h in enrollment["dueDateHistory"]
    ] == [
        (IN_30_DAYS.isoformat(), later.isoformat(), "leave"),
        (later.isoformat(), latest.isoformat(), "project"),
    ]
    assert [f["field"] for f in earlier["extendEnrollmentDueDate"]["fields"]] == ["input.dueOn"]
    assert by_employee["waiveEnrollment"]["__typename"] == "Forbidden"
    assert waived["waiveEnrollment"]["enrollment"]["status"] == "WAIVED"
    assert waived["waiveEnrollment"]["enrollment"]["statusReason"] == "certified elsewhere"
    (event,) = await published(session, EnrollmentWaived)
    assert event.reason == "certified elsewhere"


async def test_completions_by_mutation_and_csv_complete_the_open_enrollment(
    session: AsyncSession,
) -> None:
    await make_course(session, code="SAFE-1")
    ada = await make_employee(session, number="E1")
    bob = await make_employee(session, number="E2")
    await assign(
        session,
        HR,
        courseCode="SAFE-1",
        employeeIds=[str(ada.employee_id), str(bob.employee_id)],
        reason="MANAGER",
    )

    await execute(
        session,
        """mutation($id: ID!) { recordCompletion(input: {employeeId: $id, courseCode: "SAFE-1",
             completedOn: "2026-01-05", score: 90}) { __typename } }""",
        as_=HR,
        variables={"id": str(ada.employee_id)},
    )
    await import_csv(
        session,
        "COMPLETIONS",
        "employee_id,course_code,completed_on,score\nE2,SAFE-1,2026-01-06,75\n",
    )

    rows = (await session.execute(select(Enrollment).order_by(Enrollment.score))).scalars().all()
    assert [(r.status, r.score, r.completion_id is not None) for r in rows] == [
        ("completed", 75.0, True),
        ("completed", 90.0, True),
    ]
    events = await published(session, EnrollmentCompleted)
    assert {e.enrollment_id for e in events} == {r.id for r in rows}
