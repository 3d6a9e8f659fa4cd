from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import strawberry
from strawberry.types import Info

from talent_learning.compliance.models import ComplianceRule as RuleModel
from talent_learning.compliance.service import ComplianceService, RuleInput
from talent_learning.config import LearningSettings
from talent_learning.courses.graphql import Course, course_by_id_loader
from talent_learning.enrollments.assign import Population
from talent_learning.enrollments.graphql import PopulationInput
from talent_platform.errors import Forbidden as Refused
from talent_platform.graphql import (
    After,
    Conflict,
    Connection,
    First,
    Forbidden,
    NotFound,
    TalentContext,
    ValidationError,
    connection,
    page_request,
    run_mutation,
)

Ctx = Info[TalentContext, None]


def _service(info: Ctx) -> ComplianceService:
    settings = info.context.settings
    if not isinstance(settings, LearningSettings):
        settings = LearningSettings(**settings.model_dump())
    return ComplianceService(info.context.session, info.context.principal, settings)


@strawberry.type(
    description="Everyone matching the population completes the course within `withinDays` "
    "of hire (or of `startsOn` for earlier hires), and again before each certification "
    "expires (the course's recertifyMonths)."
)
class ComplianceRule:
    id: strawberry.ID = strawberry.field(description="Rule id (UUID).")
    code: str = strawberry.field(description="Unique code, 1-100 characters.")
    org_unit_code: str | None = strawberry.field(
        description="Population: this org unit only (exact code); null: any."
    )
    location: str | None = strawberry.field(
        description="Population: this location only; null: any."
    )
    job_profile_code: str | None = strawberry.field(
        description="Population: this job profile only; null: any."
    )
    hired_from: dt.date | None = strawberry.field(
        description="Population: hired on or after this day (ISO date); null: no bound."
    )
    hired_to: dt.date | None = strawberry.field(
        description="Population: hired on or before this day (ISO date); null: no bound."
    )
    within_days: int = strawberry.field(
        description="Days after the hire date (or `startsOn`, for earlier hires) the course "
        "is due, 1-3650."
    )
    starts_on: dt.date = strawberry.field(
        description="Day the rule took effect (ISO date): people hired earlier count from it."
    )
    active: bool = strawberry.field(
        description="False once deactivated: no new assignments, existing ones stay."
    )
    _course_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, m: RuleModel) -> ComplianceRule:
        return cls(
            id=strawberry.ID(str(m.id)),
            code=m.code,
            org_unit_code=m.org_unit_code,
            location=m.location,
            job_profile_code=m.job_profile_code,
            hired_from=m.hired_from,
            hired_to=m.hired_to,
            within_days=m.within_days,
            starts_on=m.starts_on,
            active=m.active,
            _course_id=m.course_id,
        )

    @strawberry.field(description="The course the population must hold.")
    async def course(self, info: Ctx) -> Course | None:
        return await course_by_id_loader(info).load(self._course_id)


@strawberry.input(description="A new compliance rule.")
class CreateComplianceRuleInput:
    code: str = strawberry.field(description="Unique code, 1-100 characters.")
    course_code: str = strawberry.field(description="An active course.")
    population: PopulationInput = strawberry.field(
        description="Who it applies to (active employees); an empty population is everyone."
    )
    within_days: int = strawberry.field(
        description="Days after hire (or startsOn) it is due, 1-3650."
    )
    starts_on: dt.date | None = strawberry.field(
        default=None, description="Defaults to today: people hired earlier are due then."
    )


@strawberry.type(description="A rule as the mutation left it.")
class ComplianceRulePayload:
    rule: ComplianceRule = strawberry.field(description="The rule after the change.")
    assigned_count: int = strawberry.field(
        description="Enrollments the rule created now (0 for a deactivation)."
    )


ComplianceRuleResult = Annotated[
    ComplianceRulePayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("ComplianceRuleResult", description="The rule, or why nothing was changed."),
]


@strawberry.input(description="The rule to deactivate.")
class DeactivateComplianceRuleInput:
    code: str = strawberry.field(description="The rule's code.")


@strawberry.input(description="Options of a sweep run on demand.")
class RunComplianceSweepInput:
    as_of: dt.date | None = strawberry.field(
        default=None, description="The day to sweep as (defaults to today)."
    )


@strawberry.type(description="What one sweep did.")
class ComplianceSweepPayload:
    assigned: int = strawberry.field(description="Compliance enrollments created.")
    overdue: int = strawberry.field(description="Enrollments that became overdue.")
    due_soon: int = strawberry.field(description="due_soon reminders published.")
    expiring: int = strawberry.field(description="certification.expiring reminders published.")


ComplianceSweepResult = Annotated[
    ComplianceSweepPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "ComplianceSweepResult", description="What the sweep did, or why it did not run."
    ),
]


@strawberry.type
class ComplianceQuery:
    @strawberry.field(
        description="Compliance rules by code (admin, hr_coordinator, hr_leader; null for others)."
    )
    async def compliance_rules(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        include_inactive: Annotated[
            bool,
            strawberry.argument(description="Also list deactivated rules (default false)."),
        ] = False,
    ) -> Connection[ComplianceRule] | None:
        if not info.context.principal.is_hr:
            raise Refused("compliance rules are for HR")
        service = _service(info)
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        rows, total = await service.rules.paginate(
            service.query(include_inactive=include_inactive), offset=page.offset, limit=page.limit
        )
        return connection(
            rows,
            total=total,
            page=page,
            to_node=ComplianceRule.from_model,
        )


@strawberry.type
class ComplianceMutation:
    @strawberry.mutation(
        description="Create a compliance rule (admin, hr_coordinator) and assign the course "
        "to its population now; new hires and transfers are assigned from people's events, "
        "everyone else (and recertifications) by the worker's scheduled sweep."
    )
    async def create_compliance_rule(
        self,
        info: Ctx,
        input: Annotated[
            CreateComplianceRuleInput, strawberry.argument(description="The new rule.")
        ],
    ) -> ComplianceRuleResult:
        service = _service(info)

        async def action() -> ComplianceRulePayload:
            pop = input.population
            rule, created = await service.create(
                RuleInput(
                    code=input.code,
                    course_code=input.course_code,
                    population=Population(
                        org_unit_code=pop.org_unit_code,
                        location=pop.location,
                        job_profile_code=pop.job_profile_code,
                        hired_from=pop.hired_from,
                        hired_to=pop.hired_to,
                    ),
                    within_days=input.within_days,
                    starts_on=input.starts_on,
                )
            )
            return ComplianceRulePayload(
                rule=ComplianceRule.from_model(rule), assigned_count=created
            )

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Stop a rule making new assignments (admin, hr_coordinator).")
    async def deactivate_compliance_rule(
        self,
        info: Ctx,
        input: Annotated[
            DeactivateComplianceRuleInput, strawberry.argument(description="The rule.")
        ],
    ) -> ComplianceRuleResult:
        service = _service(info)

        async def action() -> ComplianceRulePayload:
            rule = await service.deactivate(input.code)
            return ComplianceRulePayload(rule=ComplianceRule.from_model(rule), assigned_count=0)

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Run the worker's scheduled sweep now (admin, hr_coordinator): compliance "
        "assignments and recertifications, overdue marking, due-soon and expiring reminders, "
        "each published once."
    )
    async def run_compliance_sweep(
        self,
        info: Ctx,
        input: Annotated[
            RunComplianceSweepInput, strawberry.argument(description="Options of the run.")
        ],
    ) -> ComplianceSweepResult:
        service = _service(info)

        async def action() -> ComplianceSweepPayload:
            result = await service.sweep_now(as_of=input.as_of)
            return ComplianceSweepPayload(
                assigned=result.assigned,
                overdue=result.overdue,
                due_soon=result.due_soon,
                expiring=result.expiring,
            )

        return await run_mutation(info.context, action)
