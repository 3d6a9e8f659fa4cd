"""Keeps the projection of people's data current, and adjusts running cycles.

After each wave of employee events, every running cycle is adjusted for the employees
whose row changed (`cycles/population.py`): a hire or a transfer into the population
creates their reviews, a transfer out or a termination cancels the drafts, a new manager
takes over the draft manager review. A job profile's new requirements join its holders'
draft reviews.

The employee projection itself is the platform's (`talent_platform.employees`): employee
events come as a batch's run, applied in waves in which each employee occurs once, one
upsert and one adjustment of the running cycles per wave. Job profiles and competencies
are performance's own (`people/projection.py`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from talent_contracts import EventPayload
from talent_contracts.people import CompetencyUpdated, JobProfileUpdated
from talent_performance.cycles.population import add_required_competencies, adjust_running_cycles
from talent_performance.people.models import EmployeeProjection
from talent_performance.people.projection import (
    active_holders,
    upsert_competency,
    upsert_job_profile,
)
from talent_platform.employees import EMPLOYEE_EVENTS, EmployeeItem, employee_handler
from talent_platform.events import Envelope, HandlerRegistry

registry = HandlerRegistry()


def on_employees(session: Session, wave: Sequence[EmployeeItem], applied: set[uuid.UUID]) -> None:
    """After the projection's upsert: adjust the running cycles for the employees whose
    row changed (not a stale re-delivery's)."""
    if applied:
        adjust_running_cycles(session, applied)


registry.on_batch(*EMPLOYEE_EVENTS)(employee_handler(EmployeeProjection, then=on_employees))


@registry.on(JobProfileUpdated)
def project_job_profile(session: Session, payload: EventPayload, envelope: Envelope) -> None:
    assert isinstance(payload, JobProfileUpdated)
    if upsert_job_profile(session, payload, envelope.time):
        add_required_competencies(session, active_holders(session, payload.code))


@registry.on(CompetencyUpdated)
def project_competency(session: Session, payload: EventPayload, envelope: Envelope) -> None:
    assert isinstance(payload, CompetencyUpdated)
    upsert_competency(session, payload, envelope.time)
