"""Managing compliance rules (admin, hr_coordinator) and running the sweep on demand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_learning.compliance.models import ComplianceRule
from talent_learning.compliance.rules import rule_assignment, rule_population
from talent_learning.compliance.sweep import SweepResult, sweep
from talent_learning.config import LearningSettings
from talent_learning.courses.repository import CourseRepository
from talent_learning.enrollments.assign import Population
from talent_learning.enrollments.service import EnrollmentService, today
from talent_platform.auth import Principal, Role
from talent_platform.db import Repository
from talent_platform.errors import Conflict, ErrorCollector

RULE_MANAGERS = (Role.ADMIN, Role.HR_COORDINATOR)


class RuleRepository(Repository[ComplianceRule]):
    model = ComplianceRule
    entity_name = "compliance rule"

    async def by_code(self, code: str) -> ComplianceRule | None:
        return await self.one_or_none(select(ComplianceRule).where(ComplianceRule.code == code))


@dataclass(frozen=True)
class RuleInput:
    code: str
    course_code: str
    population: Population
    within_days: int
    starts_on: dt.date | None = None


class ComplianceService:
    def __init__(
        self, session: AsyncSession, principal: Principal, settings: LearningSettings
    ) -> None:
        self.session = session
        self.principal = principal
        self.settings = settings
        self.rules = RuleRepository(session)

    def query(self, *, include_inactive: bool) -> Select[ComplianceRule]:
        stmt = select(ComplianceRule)
        if not include_inactive:
            stmt = stmt.where(ComplianceRule.active)
        return stmt.order_by(ComplianceRule.code)

    async def create(self, data: RuleInput) -> tuple[ComplianceRule, int]:
        """Store the rule and assign the course to its population at once (one INSERT ...
        SELECT); returns the rule and how many enrollments it created."""
        self.principal.require(*RULE_MANAGERS)
        errors = ErrorCollector()
        if not 0 < len(data.code.strip()) <= 100:
            errors.add("input.code", "1-100 characters")
        if not 0 < data.within_days <= 3650:
            errors.add("input.withinDays", "1-3650 days")
        pop = data.population
        if pop.hired_from and pop.hired_to and pop.hired_from > pop.hired_to:
            errors.add("input.population.hiredTo", "before hiredFrom")
        course = await CourseRepository(self.session).by_code(data.course_code)
        if course is None:
            errors.add("input.courseCode", f"unknown course {data.course_code!r}")
        elif not course.active:
            errors.add("input.courseCode", f"course {course.code} is retired")
        errors.raise_if_any()
        assert course is not None
        if await self.rules.by_code(data.code) is not None:
            raise Conflict(f"compliance rule {data.code} exists")
        rule = await self.rules.create(
            ComplianceRule(
                code=data.code,
                course_id=course.id,
                org_unit_code=pop.org_unit_code,
                location=pop.location,
                job_profile_code=pop.job_profile_code,
                hired_from=pop.hired_from,
                hired_to=pop.hired_to,
                within_days=data.within_days,
                starts_on=data.starts_on or today(),
                active=True,
            )
        )
        assignment = rule_assignment(
            rule, course, today=today(), lead_days=self.settings.recertify_lead_days
        )
        created = await EnrollmentService(self.session, self.principal).run(
            assignment, rule_population(rule)
        )
        return rule, len(created)

    async def deactivate(self, code: str) -> ComplianceRule:
        """Stops new assignments; enrollments already made stay."""
        self.principal.require(*RULE_MANAGERS)
        rule = await self.rules.by_code(code)
        if rule is None:
            errors = ErrorCollector()
            errors.add("input.code", f"unknown rule {code!r}")
            errors.raise_if_any()
        assert rule is not None
        rule.active = False
        await self.session.flush()
        return rule

    async def sweep_now(self, *, as_of: dt.date | None) -> SweepResult:
        """What the worker does on schedule, now (admin, hr_coordinator)."""
        self.principal.require(*RULE_MANAGERS)
        day = as_of or today()
        return await self.session.run_sync(lambda s: sweep(s, self.settings, today=day))
