"""Development plans: actions, the course action's event, completion by learning."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_contracts import parse_payload
from talent_contracts.learning import EnrollmentCompleted
from talent_contracts.succession import PlanActionCompleted, PlanActionCreated
from talent_succession.db import messaging
from talent_succession.plans.models import DevelopmentPlan, PlanAction

from ..factories import HR_LEADER, deliver, employee_fields, execute, make_employee, outbox_events

CREATE = """
mutation ($input: CreateDevelopmentPlanInput!) {
  createDevelopmentPlan(input: $input) {
    __typename
    ... on DevelopmentPlanPayload {
      plan { id title actions { id kind title courseCode status targetDate } }
    }
    ... on ValidationError { fields { field message } }
  }
}
"""
COMPLETE = """
mutation ($input: CompletePlanActionInput!) {
  completePlanAction(input: $input) {
    __typename ... on PlanActionPayload { action { status completedOn } }
  }
}
"""
NEXT_YEAR = (dt.date.today() + dt.timedelta(days=365)).isoformat()


async def create(session: AsyncSession, **values: Any) -> dict[str, Any]:
    data = await execute(session, CREATE, as_=HR_LEADER, variables={"input": values})
    return data["createDevelopmentPlan"]  # type: ignore[no-any-return]


async def test_a_plan_with_a_course_action_asks_learning_to_assign_it(
    session: AsyncSession,
) -> None:
    ada = await make_employee(session, number="E1")

    result = await create(
        session,
        employeeId=str(ada.employee_id),
        title="Ready for CFO",
        actions=[
            {
                "kind": "COURSE",
                "title": "Finance",
                "courseCode": "FIN-101",
                "targetDate": NEXT_YEAR,
            },
            {"kind": "MENTORING", "title": "Monthly with the CFO"},
        ],
    )

    actions = result["plan"]["actions"]
    assert [(a["kind"], a["status"]) for a in actions] == [
        ("COURSE", "OPEN"),
        ("MENTORING", "OPEN"),
    ]
    created = await outbox_events(session, PlanActionCreated.event_type)
    assert [(e.kind, e.course_code, e.plan_id) for e in created] == [  # type: ignore[attr-defined]
        ("course", "FIN-101", uuid.UUID(result["plan"]["id"])),
        ("mentoring", None, uuid.UUID(result["plan"]["id"])),
    ]
    plans = await employee_fields(
        session, ada.employee_id, "developmentPlans { title actions { title } }", as_=HR_LEADER
    )
    assert plans["developmentPlans"][0]["title"] == "Ready for CFO"

    done = await execute(
        session,
        COMPLETE,
        as_=HR_LEADER,
        variables={"input": {"actionId": actions[1]["id"], "completedOn": "2026-01-01"}},
    )
    assert done["completePlanAction"]["action"] == {
        "status": "COMPLETED",
        "completedOn": "2026-01-01",
    }
    again = await execute(
        session,
        COMPLETE,
        as_=HR_LEADER,
        variables={"input": {"actionId": actions[1]["id"], "completedOn": "2026-01-01"}},
    )
    assert again["completePlanAction"]["__typename"] == "Conflict"
    assert len(await outbox_events(session, PlanActionCompleted.event_type)) == 1


async def test_invalid_actions_name_their_fields(session: AsyncSession) -> None:
    ada = await make_employee(session, number="E1")
    result = await create(
        session,
        employeeId=str(ada.employee_id),
        title="Plan",
        actions=[
            {"kind": "COURSE", "title": "No code"},
            {"kind": "MENTORING", "title": "x", "courseCode": "FIN-101"},
            {"kind": "ASSIGNMENT", "title": "late", "targetDate": "2001-01-01"},
        ],
    )
    assert [f["field"] for f in result["fields"]] == [
        "input.actions[0].courseCode",
        "input.actions[1].courseCode",
        "input.actions[2].targetDate",
    ]


def test_learnings_completion_completes_the_open_course_action(sync_session: Session) -> None:
    ada, bob = uuid.uuid4(), uuid.uuid4()
    plan = DevelopmentPlan(
        id=uuid.uuid4(),
        employee_id=ada,
        title="p",
        review_by=dt.date(2027, 1, 1),
        created_by="hr",
    )
    sync_session.add(plan)
    sync_session.flush()

    def action(employee: uuid.UUID, code: str) -> PlanAction:
        row = PlanAction(
            id=uuid.uuid4(),
            plan_id=plan.id,
            employee_id=employee,
            kind="course",
            title=code,
            course_code=code,
            status="open",
        )
        sync_session.add(row)
        return row

    wanted, other_course, other_person = (
        action(ada, "FIN-101"),
        action(ada, "FIN-201"),
        action(bob, "FIN-101"),
    )
    sync_session.flush()

    deliver(
        sync_session,
        EnrollmentCompleted(
            completion_id=uuid.uuid4(),
            employee_id=ada,
            course_code="FIN-101",
            completed_on=dt.date(2026, 5, 4),
            score=90,
            source="manual",
        ),
        service="learning",
    )

    statuses = dict(
        (row[0], row[1]) for row in sync_session.execute(select(PlanAction.id, PlanAction.status))
    )
    assert statuses == {wanted.id: "completed", other_course.id: "open", other_person.id: "open"}
    sync_session.refresh(wanted)
    assert wanted.completed_on == dt.date(2026, 5, 4)
    rows = sync_session.execute(
        select(messaging.outbox.c.payload).where(
            messaging.outbox.c.event_type == PlanActionCompleted.event_type
        )
    ).all()
    completed = [parse_payload(PlanActionCompleted.event_type, p) for (p,) in rows]
    assert [(c.action_id, c.completed_on) for c in completed] == [  # type: ignore[attr-defined]
        (wanted.id, dt.date(2026, 5, 4))
    ]
