"""Onboarding subscribes to people's hires: a new hire gets their onboarding path's
courses (`assign_onboarding`) once the projection has them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from talent_contracts.people import EmployeeHired
from talent_learning.paths.onboarding import assign_onboarding
from talent_platform.events import BatchItem, HandlerRegistry

registry = HandlerRegistry()


@registry.on_batch(EmployeeHired)
def onboard_hires(session: Session, items: Sequence[BatchItem]) -> None:
    hires = [
        payload.employee
        for payload, _ in items
        if isinstance(payload, EmployeeHired) and payload.employee.status == "active"
    ]
    assign_onboarding(session, hires)
