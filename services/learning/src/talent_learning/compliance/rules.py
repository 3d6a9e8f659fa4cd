"""Compliance rules: the assignment each rule makes, and applying rules to people.

`apply_rules` runs in the people-event consumer (a hire, transfer or update applies
every active rule to that one employee) and in the scheduled sweep (every rule to its
whole population, which also assigns recertifications before certificates expire). Both
are one INSERT ... SELECT per rule.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from talent_learning.compliance.models import ComplianceRule
from talent_learning.courses.models import Course
from talent_learning.enrollments.assign import Assignment, Population, assign

log = logging.getLogger(__name__)


def rule_population(
    rule: ComplianceRule, employee_ids: Sequence[uuid.UUID] | None = None
) -> Population:
    return Population(
        employee_ids=employee_ids,
        org_unit_code=rule.org_unit_code,
        location=rule.location,
        job_profile_code=rule.job_profile_code,
        hired_from=rule.hired_from,
        hired_to=rule.hired_to,
    )


def rule_assignment(
    rule: ComplianceRule, course: Course, *, today: dt.date, lead_days: int
) -> Assignment:
    """Due `within_days` after the later of hire and the rule's start; for someone who
    holds an expiring certification, due when it expires. People certified beyond the
    lead window (or, for a course that never expires, certified at all) are skipped."""
    return Assignment(
        course_id=course.id,
        course_code=course.code,
        reason="compliance",
        due_days_after=rule.within_days,
        due_from=rule.starts_on,
        assigned_by=f"rule:{rule.code}",
        rule_id=rule.id,
        rule_code=rule.code,
        recertify_months=course.recertify_months,
        only_uncertified=True,
        valid_after=today + dt.timedelta(days=lead_days),
    )


def apply_rules(
    session: Session,
    *,
    today: dt.date,
    lead_days: int,
    employee_ids: Sequence[uuid.UUID] | None = None,
) -> int:
    """Apply every active rule (to these employees, or to everyone); returns how many
    enrollments were created."""
    rules = session.execute(
        select(ComplianceRule, Course)
        .join(Course, Course.id == ComplianceRule.course_id)
        .where(ComplianceRule.active, Course.active)
        .order_by(ComplianceRule.code)
    ).all()
    created = 0
    for rule, course in rules:
        assignment = rule_assignment(rule, course, today=today, lead_days=lead_days)
        created += len(assign(session, assignment, rule_population(rule, employee_ids)))
    if created:
        log.info("compliance assignments", extra={"enrollments": created})
    return created
