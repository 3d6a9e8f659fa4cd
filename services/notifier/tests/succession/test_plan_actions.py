"""Development-plan actions are succession's, confidential to HR leaders and admins, and
`plan_action.created` cannot say whether an action may be shown to the employee: so it
reaches no one (docs/notifier.md, Confidentiality), not even the succession recipients."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.orm import Session

from talent_contracts import service_topic
from talent_contracts.succession import PlanActionCreated
from talent_notifier.consumers import registry
from talent_notifier.worker import CONSUMES
from talent_platform.events import Envelope

from ..factories import hire


def test_a_plan_action_reaches_no_employee_and_no_manager(sync_session: Session) -> None:
    boss = hire(sync_session, "Bea Boss")
    ana = hire(sync_session, "Ana Lima", manager=boss)
    action = PlanActionCreated(
        action_id=uuid.uuid4(),
        plan_id=uuid.uuid4(),
        employee_id=ana.employee_id,
        kind="stretch_project",
        title="Lead the successor-readiness pilot",
        course_code=None,
        target_date=dt.date(2026, 9, 30),
        created_by=uuid.uuid4(),
    )
    # The worker consumes succession's topic (for HR leaders' notices), but no handler
    # takes a plan action: the consumer skips what the registry does not handle.
    assert service_topic("succession") in CONSUMES
    assert not registry.handles(Envelope.for_payload(action, service="succession").type)
