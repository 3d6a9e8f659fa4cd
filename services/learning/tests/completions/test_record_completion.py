from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.learning import EnrollmentCompleted
from talent_learning.completions.models import Completion
from talent_learning.completions.repository import CompletionRepository
from talent_platform.auth import Principal, Role
from talent_platform.errors import Conflict

from ..factories import (
    ADMIN,
    HR,
    completions_of,
    count,
    execute,
    fields_of,
    make_course,
    make_employee,
    outbox_size,
    principal,
    published,
)

RECORD = """
mutation($input: RecordCompletionInput!) {
  recordCompletion(input: $input) {
    __typename
    ... on RecordCompletionPayload {
      completion { id completedOn score source course { code title } }
    }
    ... on ValidationError { message fields { field message } }
    ... on Forbidden { message }
  }
}
"""


async def record(session: AsyncSession, as_: Principal, **values: Any) -> dict[str, Any]:
    data = await execute(session, RECORD, as_=as_, variables={"input": values})
    result: dict[str, Any] = data["recordCompletion"]
    return result


async def test_hr_records_a_completion_the_employee_then_sees(session: AsyncSession) -> None:
    ada = await make_employee(session, number="E100")
    await make_course(session, code="SEC-101", title="Security basics")

    result = await record(
        session,
        HR,
        employeeId=str(ada.employee_id),
        courseCode="SEC-101",
        completedOn="2024-03-01",
        score=92.5,
    )

    completion = result["completion"]
    assert (completion["completedOn"], completion["score"], completion["source"]) == (
        "2024-03-01",
        92.5,
        "MANUAL",
    )
    assert completion["course"] == {"code": "SEC-101", "title": "Security basics"}
    [own] = await completions_of(session, [ada], as_=principal(ada))
    assert own is not None and [n["course"]["code"] for n in own["nodes"]] == ["SEC-101"]
    [event] = await published(session, EnrollmentCompleted)
    assert event == EnrollmentCompleted(
        completion_id=uuid.UUID(completion["id"]),
        employee_id=ada.employee_id,
        course_code="SEC-101",
        completed_on=dt.date(2024, 3, 1),
        score=92.5,
        source="manual",
    )


async def test_recording_the_same_completion_twice_returns_it_without_a_second_event(
    session: AsyncSession,
) -> None:
    ada = await make_employee(session, number="E100")
    await make_course(session, code="SEC-101")
    values = {
        "employeeId": str(ada.employee_id),
        "courseCode": "SEC-101",
        "completedOn": "2024-03-01",
    }

    first = await record(session, HR, **values)
    second = await record(session, ADMIN, **values, score=50)

    assert second["completion"]["id"] == first["completion"]["id"]
    assert second["completion"]["score"] is None
    assert await count(session, Completion) == 1
    assert len(await published(session, EnrollmentCompleted)) == 1


async def test_invalid_input_names_every_bad_field_and_writes_nothing(
    session: AsyncSession,
) -> None:
    in_a_week = (dt.date.today() + dt.timedelta(days=7)).isoformat()

    result = await record(
        session,
        HR,
        employeeId=str(uuid.uuid4()),
        courseCode="NOPE-1",
        completedOn=in_a_week,
        score=120,
    )

    fields = fields_of(result)
    assert set(fields) == {
        "input.employeeId",
        "input.courseCode",
        "input.completedOn",
        "input.score",
    }
    assert fields["input.courseCode"] == "unknown course 'NOPE-1'"
    assert fields["input.completedOn"] == f"{in_a_week} is in the future"
    assert fields["input.score"] == "120 is outside 0-100"
    assert await count(session, Completion) == 0
    assert await outbox_size(session) == 0


async def test_a_terminated_employee_cannot_be_given_a_completion(session: AsyncSession) -> None:
    gone = await make_employee(session, number="E100", status="terminated")
    await make_course(session, code="SEC-101")

    result = await record(
        session,
        HR,
        employeeId=str(gone.employee_id),
        courseCode="SEC-101",
        completedOn="2024-03-01",
    )

    assert fields_of(result) == {"input.employeeId": "employee E100 is not active"}


async def test_an_employee_id_that_is_not_a_uuid_is_a_field_error(session: AsyncSession) -> None:
    await make_course(session, code="SEC-101")

    result = await record(
        session, HR, employeeId="E100", courseCode="SEC-101", completedOn="2024-03-01"
    )

    assert fields_of(result) == {"input.employeeId": "'E100' is not an employee id"}


async def test_employees_and_managers_may_not_record_completions(session: AsyncSession) -> None:
    boss = await make_employee(session, number="E1")
    report = await make_employee(session, number="E2", manager=boss)
    await make_course(session, code="SEC-101")

    for caller in (principal(report), principal(boss, Role.EMPLOYEE, Role.MANAGER)):
        result = await record(
            session,
            caller,
            employeeId=str(report.employee_id),
            courseCode="SEC-101",
            completedOn="2024-03-01",
        )
        assert result["__typename"] == "Forbidden"
    assert await count(session, Completion) == 0


async def test_a_completion_stored_concurrently_makes_a_bulk_insert_a_conflict(
    session: AsyncSession,
) -> None:
    ada = await make_employee(session, number="E100")
    course = await make_course(session, code="SEC-101")
    row = {
        "id": uuid.uuid4(),
        "employee_id": ada.employee_id,
        "course_id": course.id,
        "completed_on": dt.date(2024, 3, 1),
        "score": None,
        "source": "IMPORT",
        "recorded_by": "hr",
    }
    repository = CompletionRepository(session)
    await repository.insert_many([row])

    with pytest.raises(Conflict, match="recorded concurrently"):
        async with session.begin_nested():
            await repository.insert_many([{**row, "id": uuid.uuid4()}])
    assert await count(session, Completion) == 1
