"""Learning's completions complete open course actions of the same employee and course."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from talent_contracts import EventPayload
from talent_contracts.learning import EnrollmentCompleted
from talent_platform.events import Envelope, HandlerRegistry
from talent_succession.audit.models import AuditEntry
from talent_succession.db import outbox
from talent_succession.plans.events import plan_action_completed
from talent_succession.plans.models import PlanAction

LEARNING_EVENTS_ACTOR = "learning-events"


def complete_course_actions(session: Session, payload: EventPayload, envelope: Envelope) -> None:
    if not isinstance(payload, EnrollmentCompleted):
        raise TypeError(f"not a completion: {type(payload).__name__}")
    actions = session.scalars(
        select(PlanAction)
        .where(
            PlanAction.employee_id == payload.employee_id,
            PlanAction.course_code == payload.course_code,
            PlanAction.kind == "course",
            PlanAction.status == "open",
        )
        .with_for_update()
    ).all()
    for action in actions:
        action.status, action.completed_on = "completed", payload.completed_on
        session.add(
            AuditEntry(
                actor=LEARNING_EVENTS_ACTOR,
                action="plan_action.completed",
                entity="plan_action",
                entity_id=str(action.id),
                before={"status": "open"},
                after={
                    "status": "completed",
                    "completed_on": payload.completed_on.isoformat(),
                    "completion_id": str(payload.completion_id),
                },
            )
        )
    session.flush()
    outbox.add(session, *(plan_action_completed(a) for a in actions))


def register(registry: HandlerRegistry) -> None:
    registry.on(EnrollmentCompleted)(complete_course_actions)
