"""`POST /xapi/statements`: completed, passed and failed statements from an LMS."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.learning import EnrollmentCompleted, EnrollmentFailed
from talent_learning.completions.models import Completion
from talent_learning.enrollments.models import Enrollment
from talent_learning.xapi.models import XapiStatement

from ..factories import HR, make_course, make_employee, principal, published
from ..http_client import learning_client, token

VERB = "http://adlnet.gov/expapi/verbs/"


def statement(
    verb: str,
    *,
    mbox: str | None = None,
    account: str | None = None,
    course: str = "https://lms.example.com/courses/FIRE-1",
    score: dict[str, Any] | None = None,
    timestamp: str = "2026-03-02T17:30:00+01:00",
    statement_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    actor: dict[str, Any] = {"objectType": "Agent"}
    if mbox:
        actor["mbox"] = f"mailto:{mbox}"
    if account:
        actor["account"] = {"homePage": "https://hr.example.com", "name": account}
    body: dict[str, Any] = {
        "id": str(statement_id or uuid.uuid4()),
        "actor": actor,
        "verb": {"id": VERB + verb},
        "object": {"id": course},
        "timestamp": timestamp,
    }
    if score is not None:
        body["result"] = {"score": score}
    return body


async def enroll(session: AsyncSession, employee_id: uuid.UUID, course_id: uuid.UUID) -> Enrollment:
    enrollment = Enrollment(employee_id=employee_id, course_id=course_id, reason="manager")
    session.add(enrollment)
    await session.flush()
    return enrollment


async def test_statements_record_completions_and_failures_once(session: AsyncSession) -> None:
    fire = await make_course(session, code="FIRE-1")
    ada = await make_employee(session, number="E1")
    bob = await make_employee(session, number="E2")
    ada_enrollment = await enroll(session, ada.employee_id, fire.id)
    bob_enrollment = await enroll(session, bob.employee_id, fire.id)
    batch = [
        statement("passed", mbox="E1@example.com", score={"scaled": 0.87}),
        statement("failed", account="E2", course="FIRE-1", score={"raw": 12, "min": 0, "max": 40}),
    ]

    async with learning_client(session) as client:
        headers = {"authorization": f"Bearer {token(HR)}"}
        first = await client.post("/xapi/statements", json=batch, headers=headers)
        again = await client.post("/xapi/statements", json=batch, headers=headers)
        anonymous = await client.post("/xapi/statements", json=batch)
        employee = await client.post(
            "/xapi/statements",
            json=batch,
            headers={"authorization": f"Bearer {token(principal(ada))}"},
        )

    assert first.status_code == 200, first.text
    assert (first.json()["recorded"], first.json()["duplicates"]) == (2, 0)
    assert (again.json()["recorded"], again.json()["duplicates"]) == (0, 2)
    assert (anonymous.status_code, employee.status_code) == (401, 403)
    completion = (await session.execute(select(Completion))).scalar_one()
    assert (
        completion.employee_id,
        completion.completed_on,
        completion.score,
        completion.source,
    ) == (ada.employee_id, dt.date(2026, 3, 2), 87.0, "xapi")
    await session.refresh(ada_enrollment)
    await session.refresh(bob_enrollment)
    assert (ada_enrollment.status, ada_enrollment.completion_id) == ("completed", completion.id)
    assert (bob_enrollment.status, bob_enrollment.score) == ("failed", 30.0)
    (completed,) = await published(session, EnrollmentCompleted)
    (failed,) = await published(session, EnrollmentFailed)
    assert (completed.enrollment_id, completed.source) == (ada_enrollment.id, "xapi")
    assert failed.enrollment_id == bob_enrollment.id
    assert len((await session.execute(select(XapiStatement))).scalars().all()) == 2


async def test_a_bad_statement_rejects_the_whole_request_with_its_errors(
    session: AsyncSession,
) -> None:
    await make_course(session, code="FIRE-1")
    await make_employee(session, number="E1")
    batch = [
        statement("completed", account="E1"),
        statement("experienced", account="E1"),
        statement("completed", mbox="nobody@example.com", course="NO-SUCH"),
        statement("completed", account="E1", score={"scaled": 1.5}),
        {"verb": {"id": VERB + "completed"}},
    ]

    async with learning_client(session) as client:
        response = await client.post(
            "/xapi/statements", json=batch, headers={"authorization": f"Bearer {token(HR)}"}
        )

    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {
        "statements[1].verb.id",
        "statements[2].actor",
        "statements[2].object.id",
        "statements[3].result.score.scaled",
        "statements[4].id",
        "statements[4].actor",
        "statements[4].object.id",
    }
    assert (await session.execute(select(Completion))).first() is None  # nothing applied
