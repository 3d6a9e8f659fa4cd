"""Cohorts: sessions, participants, attendance and programme completion."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.learning import EnrollmentCompleted
from talent_learning.completions.models import Completion

from ..factories import HR, execute, make_course, make_employee, principal, published

CREATE = """
mutation {
  createCohort(input: {code: "LEAD-2026A", title: "Leading teams, spring", courseCode: "LEAD-PROG",
    startsOn: "2026-03-01", endsOn: "2026-05-31", minAttendancePercent: 60,
    sessions: [
      {title: "Kick-off", startsAt: "2026-03-02T09:00:00+00:00", endsAt: "2026-03-02T17:00:00+00:00"},
      {title: "Coaching", startsAt: "2026-04-06T09:00:00+00:00", endsAt: "2026-04-06T17:00:00+00:00"},
      {title: "Close", startsAt: "2026-05-25T09:00:00+00:00", endsAt: "2026-05-25T12:00:00+00:00"}
    ]}) {
    __typename ... on CohortPayload { cohort { code sessions { id position title } } }
  }
}
"""

ADD = """
mutation($ids: [ID!]!) {
  addCohortParticipants(input: {cohortCode: "LEAD-2026A", employeeIds: $ids}) {
    __typename ... on ValidationError { fields { field } }
  }
}
"""

ATTEND = """
mutation($session: ID!, $attendees: [ID!]!) {
  recordAttendance(input: {sessionId: $session, attendees: $attendees}) { __typename }
}
"""

COMPLETE = """
mutation {
  completeCohort(input: {cohortCode: "LEAD-2026A", completedOn: "2026-05-31"}) {
    __typename
    ... on CohortPayload {
      cohort { completedOn participants { employee { id } status attendedSessions totalSessions } }
    }
    ... on Conflict { message }
  }
}
"""


async def test_attendance_decides_who_completes_the_programme(session: AsyncSession) -> None:
    await make_course(session, code="LEAD-PROG")
    ada = await make_employee(session, number="E1")
    bob = await make_employee(session, number="E2")
    created = await execute(session, CREATE, as_=HR)
    sessions = [s["id"] for s in created["createCohort"]["cohort"]["sessions"]]
    ids = [str(ada.employee_id), str(bob.employee_id)]
    await execute(session, ADD, as_=HR, variables={"ids": ids})
    await execute(session, ADD, as_=HR, variables={"ids": ids})  # adding again changes nothing
    for i, session_id in enumerate(sessions):
        present = ids if i == 0 else [str(ada.employee_id)]
        await execute(
            session, ATTEND, as_=HR, variables={"session": session_id, "attendees": present}
        )
    refused = await execute(
        session, ATTEND, as_=principal(ada), variables={"session": sessions[0], "attendees": []}
    )

    completed = await execute(session, COMPLETE, as_=HR)
    again = await execute(session, COMPLETE, as_=HR)

    cohort = completed["completeCohort"]["cohort"]
    assert cohort["completedOn"] == "2026-05-31"
    by_employee = {p["employee"]["id"]: p for p in cohort["participants"]}
    assert (
        by_employee[str(ada.employee_id)]["status"],
        by_employee[str(ada.employee_id)]["attendedSessions"],
    ) == ("COMPLETED", 3)
    assert (
        by_employee[str(bob.employee_id)]["status"],
        by_employee[str(bob.employee_id)]["attendedSessions"],
    ) == ("NOT_COMPLETED", 1)
    assert refused["recordAttendance"]["__typename"] == "Forbidden"
    assert again["completeCohort"]["__typename"] == "Conflict"
    (completion,) = (await session.execute(select(Completion))).scalars().all()
    assert (completion.employee_id, completion.source) == (ada.employee_id, "cohort")
    assert [e.employee_id for e in await published(session, EnrollmentCompleted)] == [
        ada.employee_id
    ]
