"""Learning's completions complete open course actions of the same employee and course."""

from __future__ import annotations

from sqlalchemy.orm import Session

from talent_contracts import EventPayload
from talent_contracts.learning import EnrollmentCompleted
from talent_platform.events import Envelope, HandlerRegistry
from talent_succession.plans.completion import complete_actions, open_course_actions

LEARNING_EVENTS_ACTOR = "learning-events"


def complete_course_actions(session: Session, payload: EventPayload, envelope: Envelope) -> None:
    if not isinstance(payload, EnrollmentCompleted):
        raise TypeError(f"not a completion: {type(payload).__name__}")
    actions = open_course_actions(
        session, employee_id=payload.employee_id, course_code=payload.course_code
    )
    complete_actions(
        session,
        actions,
        on=payload.completed_on,
        by=LEARNING_EVENTS_ACTOR,
        completion_id=payload.completion_id,
    )


def register(registry: HandlerRegistry) -> None:
    registry.on(EnrollmentCompleted)(complete_course_actions)
