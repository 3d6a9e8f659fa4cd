from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any, TypeVar

import strawberry
from sqlalchemy import func, select
from strawberry.types import Info

from talent_learning.enrollments.assign import Population
from talent_learning.enrollments.graphql import PopulationInput
from talent_learning.enrollments.service import today
from talent_learning.reports.service import Grouping, Report, ReportService
from talent_platform.graphql import (
    After,
    Connection,
    First,
    TalentContext,
    connection,
    enum_value,
    page_request,
    parse_id,
)

Ctx = Info[TalentContext, None]
T = TypeVar("T")


@strawberry.enum(description="What `completionRates` groups enrollments by.")
class ReportGrouping(Enum):
    ORG_UNIT = enum_value(
        "org_unit", description="The employee's org unit code (on asOf for a past day)."
    )
    LOCATION = enum_value(
        "location", description="The employee's location (on asOf for a past day)."
    )
    JOB_PROFILE = enum_value(
        "job_profile", description="The employee's job profile code (on asOf for a past day)."
    )
    COURSE = enum_value("course", description="The course code.")


@strawberry.type(description="Completion and overdue figures of one group.")
class CompletionRate:
    group: str = strawberry.field(
        description="Org unit, location, job profile or course code; empty when the "
        "employee has none."
    )
    assigned: int = strawberry.field(description="Enrollments, not counting waived or cancelled.")
    completed: int = strawberry.field(description="Of those, completed by the day asked.")
    overdue: int = strawberry.field(description="Open past their due date as of the day asked.")
    completion_rate: float | None = strawberry.field(
        description="Percent, one decimal: completed / assigned x 100; null when assigned is 0."
    )
    overdue_rate: float | None = strawberry.field(
        description="Percent, one decimal: overdue / assigned x 100; null when assigned is 0."
    )


@strawberry.type(description="One employee of the population: compliant or not, and why.")
class ComplianceEvidenceRow:
    employee_id: strawberry.ID = strawberry.field(description="Employee id (UUID).")
    employee_number: str = strawberry.field(description="Employee number (as of today).")
    name: str = strawberry.field(description="Name (as of today).")
    org_unit: str | None = strawberry.field(description="Org unit code on asOf; null when none.")
    location: str | None = strawberry.field(description="Location on asOf; null when none.")
    job_profile_code: str | None = strawberry.field(
        description="Job profile code on asOf; null when none."
    )
    completed_on: dt.date | None = strawberry.field(
        description="Latest completion on or before asOf."
    )
    score: float | None = strawberry.field(
        description="Score of that completion, 0-100; null when unscored or no completion."
    )
    valid_until: dt.date | None = strawberry.field(
        description="When that completion's certification expires (null: never)."
    )
    compliant: bool = strawberry.field(
        description="True when that completion exists and is still valid on asOf."
    )


@strawberry.type(description="Compliance evidence for one course on one day.")
class ComplianceEvidence:
    course_code: str = strawberry.field(description="The course asked for.")
    as_of: dt.date = strawberry.field(description="The day judged (ISO date).")
    total: int = strawberry.field(description="People in the population on that day.")
    compliant: int = strawberry.field(description="Of those, compliant on that day.")
    not_compliant: int = strawberry.field(description="Of those, not compliant on that day.")
    rows: Connection[ComplianceEvidenceRow] = strawberry.field(
        description="By employee number. The whole list as CSV: "
        "GET /reports/compliance-evidence.csv (docs/learning.md)."
    )


@strawberry.type(description="One member of a manager's reporting chain.")
class TeamMemberStatus:
    employee_id: strawberry.ID = strawberry.field(description="Employee id (UUID).")
    employee_number: str = strawberry.field(description="Employee number; the list's order.")
    name: str = strawberry.field(description="Full name.")
    depth: int = strawberry.field(description="1 for direct reports, 2 for theirs, ...")
    open: int = strawberry.field(
        description="Open enrollments (ASSIGNED, IN_PROGRESS or OVERDUE), now."
    )
    overdue: int = strawberry.field(
        description="Open enrollments that are OVERDUE or due before asOf."
    )
    completed: int = strawberry.field(description="Completed enrollments, all time.")
    next_due_on: dt.date | None = strawberry.field(
        description="Earliest due date of an open enrollment (ISO date); null when none."
    )


@strawberry.type(description="How far people get in one course.")
class CourseFunnel:
    course_code: str = strawberry.field(description="The course.")
    assigned: int = strawberry.field(
        description="Every enrollment in the course, waived and cancelled ones included."
    )
    started: int = strawberry.field(
        description="Enrollments started, or finished (completed or failed)."
    )
    completed: int = strawberry.field(description="Completed enrollments.")
    abandoned: int = strawberry.field(
        description="Started, then failed, cancelled, waived or overdue."
    )


async def _page(
    info: Ctx,
    service: ReportService,
    report: Report,
    to_node: Callable[[Any], T],
    first: int | None,
    after: str | None,
) -> Connection[T]:
    page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
    rows, total = await service.page(report, offset=page.offset, limit=page.limit)
    return connection(list(rows), total=total, page=page, to_node=to_node)


def _id(value: Any) -> strawberry.ID:
    return strawberry.ID(str(value))


@strawberry.type
class ReportQuery:
    @strawberry.field(
        description="Completion and overdue rates by org unit, location, job profile or "
        "course (admin, hr_coordinator, hr_leader; null for others). asOf (default today): "
        "a past day counts the enrollments as they stood then, grouped by each employee's "
        "org unit, location or job profile on that day."
    )
    async def completion_rates(
        self,
        info: Ctx,
        group_by: Annotated[ReportGrouping, strawberry.argument(description="What to group by.")],
        as_of: Annotated[
            dt.date | None,
            strawberry.argument(description="The day counted (ISO date); today when omitted."),
        ] = None,
        course_code: Annotated[
            str | None,
            strawberry.argument(
                description="Only this course; an unknown code is refused (BAD_USER_INPUT)."
            ),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[CompletionRate] | None:
        service = ReportService(info.context.session, info.context.principal)
        report = await service.completion_rates(
            Grouping(group_by.value), as_of=as_of or today(), course_code=course_code
        )
        return await _page(
            info,
            service,
            report,
            lambda r: CompletionRate(
                group=r.group,
                assigned=r.assigned,
                completed=r.completed,
                overdue=r.overdue,
                completion_rate=float(r.completion_rate) if r.completion_rate is not None else None,
                overdue_rate=float(r.overdue_rate) if r.overdue_rate is not None else None,
            ),
            first,
            after,
        )

    @strawberry.field(
        description="Compliance evidence for a course as of a day: everyone of the "
        "population on that day (active and hired by then, matching the population as they "
        "were then) with their latest completion, score and validity "
        "(admin, hr_coordinator, hr_leader; null for others)."
    )
    async def compliance_evidence(
        self,
        info: Ctx,
        course_code: Annotated[
            str,
            strawberry.argument(
                description="The course; an unknown code is refused (BAD_USER_INPUT)."
            ),
        ],
        as_of: Annotated[
            dt.date | None,
            strawberry.argument(description="The day judged (ISO date); today when omitted."),
        ] = None,
        population: Annotated[
            PopulationInput | None,
            strawberry.argument(description="Who is judged; null: every active employee."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> ComplianceEvidence | None:
        service = ReportService(info.context.session, info.context.principal)
        pop = population or PopulationInput()
        day = as_of or today()
        report = await service.compliance_evidence(
            course_code,
            as_of=day,
            population=Population(
                org_unit_code=pop.org_unit_code,
                location=pop.location,
                job_profile_code=pop.job_profile_code,
                hired_from=pop.hired_from,
                hired_to=pop.hired_to,
            ),
        )
        inner = report.query.order_by(None).subquery()
        total, compliant = (
            await info.context.session.execute(
                select(func.count(), func.count().filter(inner.c.compliant))
            )
        ).one()
        rows = await _page(
            info,
            service,
            report,
            lambda r: ComplianceEvidenceRow(
                employee_id=_id(r.employee_id),
                employee_number=r.employee_number,
                name=r.name,
                org_unit=r.org_unit,
                location=r.location,
                job_profile_code=r.job_profile_code,
                completed_on=r.completed_on,
                score=r.score,
                valid_until=r.valid_until,
                compliant=r.compliant,
            ),
            first,
            after,
        )
        return ComplianceEvidence(
            course_code=course_code,
            as_of=day,
            total=total,
            compliant=compliant,
            not_compliant=total - compliant,
            rows=rows,
        )

    @strawberry.field(
        description="Learning status of everyone in a manager's reporting chain (the caller's "
        "own team by default; HR may name any manager). Null when not allowed."
    )
    async def team_learning_status(
        self,
        info: Ctx,
        manager_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Whose reporting chain; yours when omitted (a service account "
                "must give one). Another manager's: HR roles only."
            ),
        ] = None,
        as_of: Annotated[
            dt.date | None,
            strawberry.argument(
                description="The day `overdue` is judged on (ISO date); today when omitted."
            ),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[TeamMemberStatus] | None:
        service = ReportService(info.context.session, info.context.principal)
        manager = parse_id(manager_id, "managerId") if manager_id else None
        report = await service.team_status(manager, as_of=as_of or today())
        return await _page(
            info,
            service,
            report,
            lambda r: TeamMemberStatus(
                employee_id=_id(r.employee_id),
                employee_number=r.employee_number,
                name=r.name,
                depth=r.depth,
                open=r.open,
                overdue=r.overdue,
                completed=r.completed,
                next_due_on=r.next_due_on,
            ),
            first,
            after,
        )

    @strawberry.field(
        description="Per-course funnel: assigned, started, completed, abandoned (admin, "
        "hr_coordinator, hr_leader; null for others)."
    )
    async def course_funnels(
        self,
        info: Ctx,
        course_code: Annotated[
            str | None,
            strawberry.argument(
                description="Only this course; null: every course with enrollments. An "
                "unknown code is refused (BAD_USER_INPUT)."
            ),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[CourseFunnel] | None:
        service = ReportService(info.context.session, info.context.principal)
        report = await service.course_funnel(course_code)
        return await _page(
            info,
            service,
            report,
            lambda r: CourseFunnel(
                course_code=r.course_code,
                assigned=r.assigned,
                started=r.started,
                completed=r.completed,
                abandoned=r.abandoned,
            ),
            first,
            after,
        )
