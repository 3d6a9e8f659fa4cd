"""Compliance subscribes to people's employee events: a hire, transfer or update applies
every active rule to the employees it names (`apply_rules`), so they get the
assignments of the population they now belong to. Terminations assign nothing."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence

from sqlalchemy.orm import Session

from talent_contracts.people import EmployeeTerminated
from talent_learning.compliance.rules import apply_rules
from talent_learning.config import LearningSettings
from talent_platform.employees import EMPLOYEE_EVENTS
from talent_platform.events import BatchItem, HandlerRegistry

registry = HandlerRegistry()


@registry.on_batch(*EMPLOYEE_EVENTS)
def apply_rules_to_employees(session: Session, items: Sequence[BatchItem]) -> None:
    active = list(
        dict.fromkeys(
            payload.employee_id  # type: ignore[attr-defined]
            for payload, _ in items
            if not isinstance(payload, EmployeeTerminated) and payload.employee.status == "active"  # type: ignore[attr-defined]
        )
    )
    if active:
        apply_rules(
            session,
            today=dt.datetime.now(dt.UTC).date(),
            lead_days=_lead_days(),
            employee_ids=active,
        )


@functools.cache
def _lead_days() -> int:
    return LearningSettings().recertify_lead_days
