"""Records not reviewed by their review-by date, as one SQL statement usable from the
API (async) and the worker's sweep (sync).

- potential: an employee's latest assessment (earlier ones are superseded) whose
  review-by date has passed, for active employees;
- readiness: a current nomination whose review-by date has passed;
- plan: a development plan with open actions whose review-by date has passed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, exists, literal, select, union_all
from sqlalchemy.dialects.postgresql import distinct_on

from talent_succession.people.models import EmployeeProjection
from talent_succession.plans.models import DevelopmentPlan, PlanAction
from talent_succession.potential.models import PotentialAssessment
from talent_succession.slates.models import Nomination

KINDS = ("potential", "readiness", "plan")


def stale_records(as_of: dt.date, kinds: tuple[str, ...] = KINDS) -> Any:
    """A selectable of (kind, record_id, employee_id, review_by) overdue on `as_of`."""
    parts = []
    active = select(EmployeeProjection.employee_id).where(EmployeeProjection.status == "active")
    if "potential" in kinds:
        latest = (
            select(
                PotentialAssessment.id,
                PotentialAssessment.employee_id,
                PotentialAssessment.review_by,
            )
            .ext(distinct_on(PotentialAssessment.employee_id))
            .order_by(
                PotentialAssessment.employee_id,
                PotentialAssessment.assessed_on.desc(),
                PotentialAssessment.created_at.desc(),
            )
            .subquery()
        )
        parts.append(
            select(
                literal("potential").label("kind"),
                latest.c.id.label("record_id"),
                latest.c.employee_id,
                latest.c.review_by,
            ).where(latest.c.review_by < as_of, latest.c.employee_id.in_(active))
        )
    if "readiness" in kinds:
        parts.append(
            select(
                literal("readiness").label("kind"),
                Nomination.id.label("record_id"),
                Nomination.employee_id,
                Nomination.review_by,
            ).where(Nomination.removed_on.is_(None), Nomination.review_by < as_of)
        )
    if "plan" in kinds:
        open_action = exists().where(
            and_(PlanAction.plan_id == DevelopmentPlan.id, PlanAction.status == "open")
        )
        parts.append(
            select(
                literal("plan").label("kind"),
                DevelopmentPlan.id.label("record_id"),
                DevelopmentPlan.employee_id,
                DevelopmentPlan.review_by,
            ).where(DevelopmentPlan.review_by < as_of, open_action)
        )
    return union_all(*parts).subquery("stale")
