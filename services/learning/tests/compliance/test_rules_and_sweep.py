"""Compliance rules, onboarding from the hire event, the scheduled sweep (overdue,
reminders, recertification) and development-plan actions from succession."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import uuid
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_contracts import EventPayload, parse_payload
from talent_contracts.learning import (
    CertificationExpiring,
    EnrollmentAssigned,
    EnrollmentDueSoon,
    EnrollmentOverdue,
)
from talent_contracts.people import (
    EmployeeHired,
    EmployeeTerminated,
    EmployeeTransferred,
    EmployeeUpdated,
)
from talent_contracts.succession import PlanActionCreated
from talent_learning.completions.models import Completion
from talent_learning.compliance.models import ComplianceRule
from talent_learning.compliance.sweep import sweep
from talent_learning.consumers import registry
from talent_learning.courses.models import Course
from talent_learning.db import messaging
from talent_learning.enrollments.models import Enrollment
from talent_learning.paths.models import LearningPath, LearningPathStep
from talent_learning.people.models import EmployeeHistory, EmployeeProjection
from talent_platform.events import Envelope

from ..factories import (
    HR,
    SETTINGS,
    execute,
    make_completion,
    make_course,
    make_employee,
    principal,
    published,
    refused,
)
from ..people.test_consumers import snapshot

TODAY = dt.date.today()
MINUTE = dt.timedelta(minutes=1)

CREATE_RULE = """
mutation($input: CreateComplianceRuleInput!) {
  createComplianceRule(input: $input) {
    __typename
    ... on ComplianceRulePayload { assignedCount rule { code withinDays startsOn course { code } } }
    ... on ValidationError { fields { field message } }
    ... on Forbidden { message }
  }
}
"""


def deliver(session: Session, payload: EventPayload) -> None:
    envelope = Envelope.for_payload(payload, service="people")
    registry.apply(session, [(payload, envelope)])


def events(session: Session, event_type: type[EventPayload]) -> list[EventPayload]:
    rows = session.execute(
        select(messaging.outbox.c.payload)
        .where(messaging.outbox.c.event_type == event_type.event_type)
        .order_by(messaging.outbox.c.id)
    )
    return [parse_payload(event_type.event_type, bytes(p)) for p in rows.scalars()]


def course(session: Session, code: str, *, recertify_months: int | None = None) -> Course:
    found = Course(
        code=code,
        title=code,
        description="",
        duration_hours=1,
        modality="e-learning",
        mandatory=True,
        recertify_months=recertify_months,
    )
    session.add(found)
    session.flush()
    return found


def enrollments(session: Session, employee_id: uuid.UUID) -> list[Enrollment]:
    return list(
        session.execute(
            select(Enrollment)
            .where(Enrollment.employee_id == employee_id)
            .order_by(Enrollment.created_at, Enrollment.id)
        ).scalars()
    )


async def test_a_rule_assigns_its_population_now_due_within_days_of_its_start(
    session: AsyncSession,
) -> None:
    await make_course(session, code="AML-1", recertify_months=12)
    old = await make_employee(
        session, number="E1", location="Lisbon", hire_date=dt.date(2019, 3, 1)
    )
    certified = await make_employee(
        session, number="E2", location="Lisbon", hire_date=dt.date(2019, 3, 1)
    )
    await make_employee(session, number="E3", location="Porto", hire_date=dt.date(2019, 3, 1))
    aml = (await session.execute(select(Course).where(Course.code == "AML-1"))).scalar_one()
    await make_completion(
        session, employee=certified, course=aml, completed_on=TODAY - dt.timedelta(days=30)
    )

    result = await execute(
        session,
        CREATE_RULE,
        as_=HR,
        variables={
            "input": {
                "code": "AML-LISBON",
                "courseCode": "AML-1",
                "population": {"location": "Lisbon"},
                "withinDays": 30,
            }
        },
    )
    forbidden = await execute(
        session,
        CREATE_RULE,
        as_=HR.__class__(subject="x", employee_id=old.employee_id, roles=frozenset()),
        variables={
            "input": {"code": "X", "courseCode": "AML-1", "population": {}, "withinDays": 30}
        },
    )

    payload = result["createComplianceRule"]
    assert payload["assignedCount"] == 1  # E2 holds a valid certificate, E3 is elsewhere
    assert payload["rule"] == {
        "code": "AML-LISBON",
        "withinDays": 30,
        "startsOn": TODAY.isoformat(),
        "course": {"code": "AML-1"},
    }
    (event,) = await published(session, EnrollmentAssigned)
    assert event.assigned_by is None  # a rule, not a person
    assert (event.employee_id, event.reason, event.rule_code, event.due_on) == (
        old.employee_id,
        "compliance",
        "AML-LISBON",
        TODAY + dt.timedelta(days=30),
    )
    assert forbidden["createComplianceRule"]["__typename"] == "Forbidden"


def test_a_hire_gets_the_matching_onboarding_path_and_rules(
    sync_session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    # At INFO, as the worker logs: a bad `extra` key (a LogRecord attribute) would raise.
    caplog.set_level(logging.INFO)
    s = sync_session
    intro, safety, desk = course(s, "INTRO"), course(s, "SAFETY"), course(s, "DESK")
    generic = LearningPath(code="ONB-ALL", title="Everyone", kind="onboarding", target_days=10)
    analysts = LearningPath(
        code="ONB-ANALYST-LIS",
        title="Analysts in Lisbon",
        kind="onboarding",
        job_profile_code="analyst",
        location="Lisbon",
        target_days=30,
    )
    s.add_all([generic, analysts])
    s.flush()
    s.add_all(
        [
            LearningPathStep(path_id=generic.id, position=1, course_id=intro.id),
            LearningPathStep(path_id=analysts.id, position=1, course_id=intro.id),
            LearningPathStep(path_id=analysts.id, position=2, course_id=desk.id, required=False),
        ]
    )
    s.add(
        ComplianceRule(
            code="SAFE-LIS",
            course_id=safety.id,
            location="Lisbon",
            within_days=14,
            starts_on=dt.date(2020, 1, 1),
        )
    )
    s.flush()
    hire_date = TODAY + dt.timedelta(days=7)
    ada = snapshot("H1", hire_date=hire_date)  # analyst in Lisbon
    bob = snapshot("H2", hire_date=hire_date, job_profile_code="engineer", location="Porto")

    deliver(s, EmployeeHired(employee_id=ada.employee_id, employee=ada))
    deliver(s, EmployeeHired(employee_id=bob.employee_id, employee=bob))
    deliver(s, EmployeeHired(employee_id=ada.employee_id, employee=ada))  # a redelivery

    codes = {c.id: c.code for c in (intro, safety, desk)}
    assert sorted(
        (codes[e.course_id], e.reason, e.due_on) for e in enrollments(s, ada.employee_id)
    ) == [
        ("DESK", "onboarding", hire_date + dt.timedelta(days=30)),
        ("INTRO", "onboarding", hire_date + dt.timedelta(days=30)),
        ("SAFETY", "compliance", hire_date + dt.timedelta(days=14)),
    ]
    assert [(codes[e.course_id], e.due_on) for e in enrollments(s, bob.employee_id)] == [
        ("INTRO", hire_date + dt.timedelta(days=10))
    ]
    assigned = events(s, EnrollmentAssigned)
    assert {(e.path_code, e.course_code) for e in assigned if e.employee_id == ada.employee_id} == {
        ("ONB-ANALYST-LIS", "INTRO"),
        ("ONB-ANALYST-LIS", "DESK"),
        (None, "SAFETY"),
    }


def test_a_transfer_into_a_rules_population_assigns_it(sync_session: Session) -> None:
    s = sync_session
    safety = course(s, "SAFETY")
    s.add(
        ComplianceRule(
            code="SAFE-POR",
            course_id=safety.id,
            location="Porto",
            within_days=14,
            starts_on=dt.date(2020, 1, 1),
        )
    )
    ada = snapshot("T1")  # Lisbon
    deliver(s, EmployeeHired(employee_id=ada.employee_id, employee=ada))
    assert enrollments(s, ada.employee_id) == []

    moved = snapshot("T1", location="Porto")
    deliver(
        s,
        EmployeeTransferred(
            employee_id=ada.employee_id,
            employee=moved,
            previous_manager_id=None,
            previous_job_profile_code="analyst",
            effective_on=TODAY,
        ),
    )

    assert [(e.course_id, e.reason) for e in enrollments(s, ada.employee_id)] == [
        (safety.id, "compliance")
    ]


def test_the_sweep_marks_overdue_and_reminds_once(sync_session: Session) -> None:
    s = sync_session
    safety = course(s, "SAFETY")
    ada = snapshot("S1")
    deliver(s, EmployeeHired(employee_id=ada.employee_id, employee=ada))
    late = Enrollment(
        employee_id=ada.employee_id,
        course_id=safety.id,
        reason="manager",
        due_on=TODAY - dt.timedelta(days=1),
    )
    soon_course = course(s, "SOON")
    soon = Enrollment(
        employee_id=ada.employee_id,
        course_id=soon_course.id,
        reason="manager",
        due_on=TODAY + dt.timedelta(days=3),
    )
    s.add_all([late, soon])
    s.flush()

    first = sweep(s, SETTINGS, today=TODAY)
    second = sweep(s, SETTINGS, today=TODAY)

    assert (first.overdue, first.due_soon) == (1, 1)
    assert (second.overdue, second.due_soon) == (0, 0)
    s.refresh(late)
    assert late.status == "overdue"
    (overdue,) = events(s, EnrollmentOverdue)
    (reminder,) = events(s, EnrollmentDueSoon)
    assert (overdue.enrollment_id, reminder.enrollment_id) == (late.id, soon.id)


def test_recertification_is_assigned_before_expiry_and_keeps_every_completion(
    sync_session: Session,
) -> None:
    s = sync_session
    fire = course(s, "FIRE", recertify_months=12)
    s.add(
        ComplianceRule(
            code="FIRE-ALL",
            course_id=fire.id,
            location="Lisbon",
            within_days=30,
            starts_on=dt.date(2020, 1, 1),
        )
    )
    ada = snapshot("C1")
    deliver(s, EmployeeHired(employee_id=ada.employee_id, employee=ada))
    (first,) = enrollments(s, ada.employee_id)
    earlier = Completion(
        employee_id=ada.employee_id,
        course_id=fire.id,
        completed_on=TODAY.replace(year=TODAY.year - 1) + dt.timedelta(days=20),
        score=80,
        source="import",
    )
    s.add(earlier)
    first.status, first.completion_id = "completed", None
    s.flush()
    expires_on = earlier.completed_on.replace(year=earlier.completed_on.year + 1)

    result = sweep(s, SETTINGS, today=TODAY)
    again = sweep(s, SETTINGS, today=TODAY)

    assert (result.assigned, result.expiring) == (1, 1)
    assert (again.assigned, again.expiring) == (0, 0)
    (renewal,) = [e for e in enrollments(s, ada.employee_id) if e.id != first.id]
    assert (renewal.status, renewal.reason, renewal.due_on) == (
        "assigned",
        "compliance",
        expires_on,
    )
    (expiring,) = events(s, CertificationExpiring)
    assert (expiring.completion_id, expiring.valid_until) == (earlier.id, expires_on)
    # Completing the renewal adds a completion; the earlier one stays.
    s.add(
        Completion(
            employee_id=ada.employee_id,
            course_id=fire.id,
            completed_on=TODAY,
            score=95,
            source="xapi",
        )
    )
    s.flush()
    history = (
        s.execute(
            select(Completion.completed_on)
            .where(Completion.employee_id == ada.employee_id)
            .order_by(Completion.completed_on)
        )
        .scalars()
        .all()
    )
    assert history == [earlier.completed_on, TODAY]
    assert sweep(s, SETTINGS, today=TODAY).assigned == 0


def test_a_course_plan_action_becomes_a_development_plan_assignment(sync_session: Session) -> None:
    s = sync_session
    lead = course(s, "LEAD")
    ada = snapshot("D1")
    deliver(s, EmployeeHired(employee_id=ada.employee_id, employee=ada))

    def action(course_code: str | None, kind: str = "course") -> PlanActionCreated:
        return PlanActionCreated(
            action_id=uuid.uuid4(),
            plan_id=uuid.uuid4(),
            employee_id=ada.employee_id,
            kind=kind,
            title="t",
            course_code=course_code,
            target_date=TODAY + dt.timedelta(days=90),
            created_by=None,
        )  # type: ignore[arg-type]

    known = action("LEAD")
    deliver(s, known)
    deliver(s, action("NO-SUCH-COURSE"))  # logged and skipped, no exception
    deliver(s, action(None, kind="mentoring"))

    (enrollment,) = enrollments(s, ada.employee_id)
    assert (
        enrollment.course_id,
        enrollment.reason,
        enrollment.plan_action_id,
        enrollment.due_on,
    ) == (lead.id, "development_plan", known.action_id, TODAY + dt.timedelta(days=90))
    (event,) = events(s, EnrollmentAssigned)
    assert event.plan_action_id == known.action_id


CERTIFICATIONS = """
query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Employee {
      certifications { course { code } completedOn validUntil status }
    }
  }
}
"""


async def test_certifications_come_from_the_latest_completion_and_keep_history(
    session: AsyncSession,
) -> None:
    fire = await make_course(session, code="FIRE-1", recertify_months=12)
    aid = await make_course(session, code="AID-1", recertify_months=24)
    await make_course(session, code="ONCE-1")
    ada = await make_employee(session, number="E1")
    stranger = await make_employee(session, number="X1")
    today = dt.date.today()
    await make_completion(
        session, employee=ada, course=fire, completed_on=today - dt.timedelta(days=800)
    )
    await make_completion(
        session, employee=ada, course=fire, completed_on=today - dt.timedelta(days=350)
    )
    await make_completion(
        session, employee=ada, course=aid, completed_on=today - dt.timedelta(days=800)
    )

    def variables() -> dict[str, Any]:  # strawberry pops __typename from representations
        return {"representations": [{"__typename": "Employee", "id": str(ada.employee_id)}]}

    data = await execute(session, CERTIFICATIONS, as_=principal(ada), variables=variables())
    hidden, errors = await refused(
        session, CERTIFICATIONS, as_=principal(stranger), variables=variables()
    )

    (entity,) = data["_entities"]
    assert [(c["course"]["code"], c["status"]) for c in entity["certifications"]] == [
        ("AID-1", "EXPIRED"),
        ("FIRE-1", "EXPIRING"),
    ]
    assert (
        entity["certifications"][1]["completedOn"] == (today - dt.timedelta(days=350)).isoformat()
    )
    assert dt.date.fromisoformat(entity["certifications"][1]["validUntil"]) > today
    stored = (
        (
            await session.execute(
                select(Completion.completed_on).where(Completion.course_id == fire.id)
            )
        )
        .scalars()
        .all()
    )
    assert len(stored) == 2  # the earlier FIRE-1 completion stays
    assert hidden["_entities"][0]["certifications"] is None
    assert errors == [(("_entities", 0, "certifications"), "FORBIDDEN")]


def learning_state(s: Session, people: list[uuid.UUID]) -> dict[str, Any]:
    """What people's events leave behind for these people, without generated ids."""
    s.expire_all()
    projection = s.execute(
        select(
            EmployeeProjection.employee_id,
            EmployeeProjection.status,
            EmployeeProjection.location,
            EmployeeProjection.job_profile_code,
            EmployeeProjection.manager_id,
            EmployeeProjection.updated_at,
        )
        .where(EmployeeProjection.employee_id.in_(people))
        .order_by(EmployeeProjection.employee_id)
    ).all()
    history = s.execute(
        select(
            EmployeeHistory.employee_id,
            EmployeeHistory.valid_from,
            EmployeeHistory.valid_to,
            EmployeeHistory.status,
            EmployeeHistory.location,
            EmployeeHistory.manager_id,
            EmployeeHistory.job_profile_code,
        )
        .where(EmployeeHistory.employee_id.in_(people))
        .order_by(EmployeeHistory.employee_id, EmployeeHistory.valid_from)
    ).all()
    assigned = sorted(
        (e.employee_id, e.course_code, e.reason, e.due_on, e.path_code, e.rule_code)
        for e in events(s, EnrollmentAssigned)
        if isinstance(e, EnrollmentAssigned) and e.employee_id in people
    )
    return {"projection": projection, "history": history, "assigned": assigned}


def test_a_batch_of_peoples_events_does_what_they_do_one_by_one(sync_session: Session) -> None:
    s = sync_session
    intro, safety = course(s, "INTRO"), course(s, "SAFETY")
    path = LearningPath(code="ONB-LIS", title="Lisbon", kind="onboarding", location="Lisbon")
    s.add(path)
    s.flush()
    s.add(LearningPathStep(path_id=path.id, position=1, course_id=intro.id))
    s.add(
        ComplianceRule(
            code="SAFE-POR",
            course_id=safety.id,
            location="Porto",
            within_days=14,
            starts_on=dt.date(2020, 1, 1),
        )
    )
    s.flush()
    ada, bob, cy = snapshot("B1"), snapshot("B2", location="Porto"), snapshot("B3")
    moved = ada.model_copy(update={"location": "Porto", "job_profile_code": "lead"})
    base = dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC)
    payloads: list[EventPayload] = [
        EmployeeHired(employee_id=ada.employee_id, employee=ada),
        EmployeeHired(employee_id=bob.employee_id, employee=bob),
        EmployeeHired(employee_id=cy.employee_id, employee=cy),
        EmployeeUpdated(
            employee_id=ada.employee_id,
            employee=ada.model_copy(update={"name": "Ada L."}),
            changed_fields=("name",),
        ),
        EmployeeTransferred(
            employee_id=ada.employee_id,
            employee=moved,
            previous_manager_id=None,
            previous_job_profile_code="analyst",
            effective_on=dt.date(2025, 1, 1),  # backdated before the update
        ),
        EmployeeTerminated(
            employee_id=cy.employee_id,
            employee=cy.model_copy(update={"status": "terminated"}),
            terminated_on=dt.date(2025, 2, 1),
        ),
        EmployeeHired(employee_id=bob.employee_id, employee=bob),  # a replay
    ]
    items = [
        (p, dataclasses.replace(Envelope.for_payload(p, service="people"), time=base + i * MINUTE))
        for i, p in enumerate(payloads)
    ]

    one_by_one = s.begin_nested()
    for item in items:
        registry.apply(s, [item])
    people = [ada.employee_id, bob.employee_id, cy.employee_id]
    expected = learning_state(s, people)
    one_by_one.rollback()
    batch = s.begin_nested()
    registry.apply(s, items)
    got = learning_state(s, people)
    batch.rollback()

    assert got == expected
    assert len(expected["history"]) == 6
    assert {(a[1], a[2]) for a in expected["assigned"]} == {
        ("INTRO", "onboarding"),
        ("SAFETY", "compliance"),
    }


def test_rules_keep_assigning_once_their_statement_is_prepared(sync_session: Session) -> None:
    """psycopg prepares a statement run five times on one connection, and PostgreSQL may
    then plan it generically, with the values still parameters: the ON CONFLICT target
    (a partial unique index) must match all the same, or every hire after the first few
    fails."""
    s = sync_session
    s.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
    safety = course(s, "SAFETY")
    s.add(
        ComplianceRule(
            code="SAFE-LIS",
            course_id=safety.id,
            location="Lisbon",
            within_days=14,
            starts_on=dt.date(2020, 1, 1),
        )
    )
    s.flush()
    people = [snapshot(f"P{i}") for i in range(8)]

    for person in people:
        deliver(s, EmployeeHired(employee_id=person.employee_id, employee=person))

    assert [len(enrollments(s, p.employee_id)) for p in people] == [1] * len(people)
