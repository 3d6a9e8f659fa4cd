"""Enrollments subscribe to succession's development-plan actions: a `course` action
becomes an assignment (enrollments/plan_actions.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from talent_contracts import EventPayload
from talent_contracts.succession import PlanActionCreated
from talent_learning.enrollments.plan_actions import assign_plan_action
from talent_platform.events import Envelope, HandlerRegistry

registry = HandlerRegistry()


@registry.on(PlanActionCreated)
def on_plan_action(session: Session, payload: EventPayload, envelope: Envelope) -> None:
    if not isinstance(payload, PlanActionCreated):
        raise TypeError(f"not a plan action: {type(payload).__name__}")
    assign_plan_action(session, payload)
