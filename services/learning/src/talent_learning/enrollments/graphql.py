from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from talent_learning.courses.graphql import Course, course_by_id_loader
from talent_learning.enrollments.assign import Population
from talent_learning.enrollments.models import DueDateChange as DueDateChangeModel
from talent_learning.enrollments.models import Enrollment as EnrollmentModel
from talent_learning.enrollments.repository import EnrollmentPages
from talent_learning.enrollments.service import AssignInput, EnrollmentService
from talent_learning.paths.graphql import LearningPath, path_by_id_loader
from talent_platform.errors import FieldError, ValidationFailed
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
    enum_value,
    page_request,
    run_mutation,
)

if TYPE_CHECKING:
    from talent_learning.people.graphql import Employee

Ctx = Info[TalentContext, None]
# (employee id, statuses, offset, limit): one page of one employee's enrollments.
PageKey = tuple[uuid.UUID, tuple[str, ...], int, int]


NOT_VISIBLE = "only the employee, their management chain and HR see their learning records"


@strawberry.enum(
    description="Where an enrollment stands: ASSIGNED, IN_PROGRESS and OVERDUE are open, "
    "the others closed."
)
class EnrollmentStatus(Enum):
    ASSIGNED = enum_value("assigned", description="Open, not started yet.")
    IN_PROGRESS = enum_value("in_progress", description="Open and started (`startEnrollment`).")
    COMPLETED = enum_value("completed", description="Closed by a completion of the course.")
    FAILED = enum_value(
        "failed", description="Closed: the LMS reported a failed attempt (xAPI `failed`)."
    )
    OVERDUE = enum_value(
        "overdue",
        description="Still open past its due date (marked by the sweep); extending the due "
        "date reopens it.",
    )
    WAIVED = enum_value(
        "waived", description="Closed without taking it, with a reason (`statusReason`)."
    )
    CANCELLED = enum_value("cancelled", description="Closed: the assignment was withdrawn.")


@strawberry.enum(description="Why a course was assigned.")
class AssignmentReason(Enum):
    MANAGER = enum_value("manager", description="A manager or HR assigned it.")
    COMPLIANCE = enum_value(
        "compliance", description="A compliance rule (or a recertification) requires it."
    )
    ONBOARDING = enum_value("onboarding", description="A step of the new hire's onboarding path.")
    RECOMMENDATION = enum_value(
        "recommendation",
        description="Accepting a recommender suggestion (`recommendationId` is set).",
    )
    DEVELOPMENT_PLAN = enum_value(
        "development_plan",
        description="An action of a succession development plan (`planActionId` is set).",
    )
    SELF = enum_value("self", description="The employee enrolled themself (`enrollInCourse`).")


@strawberry.type(description="One extension of a due date.")
class DueDateChange:
    previous_due_on: dt.date | None = strawberry.field(
        description="The due date before this change (ISO date); null when there was none."
    )
    new_due_on: dt.date = strawberry.field(description="The due date it set (ISO date).")
    reason: str = strawberry.field(description="Why it was extended, as given.")
    changed_by: str = strawberry.field(description="Token subject of who extended it.")
    changed_at: dt.datetime = strawberry.field(description="When (ISO date-time with offset).")

    @classmethod
    def from_model(cls, m: DueDateChangeModel) -> DueDateChange:
        return cls(
            previous_due_on=m.previous_due_on,
            new_due_on=m.new_due_on,
            reason=m.reason,
            changed_by=m.changed_by,
            changed_at=m.created_at,
        )


async def _history(info: Ctx, keys: Sequence[uuid.UUID]) -> list[list[DueDateChange]]:
    service = EnrollmentService(info.context.session, info.context.principal)
    grouped = await service.enrollments.due_date_history(keys)
    return [[DueDateChange.from_model(c) for c in grouped.get(k, [])] for k in keys]


@strawberry.type(description="A course assigned to (or chosen by) an employee.")
class Enrollment:
    id: strawberry.ID = strawberry.field(
        description="Enrollment id (UUID), for startEnrollment, waiveEnrollment and the like."
    )
    status: EnrollmentStatus = strawberry.field(description="Where it stands.")
    reason: AssignmentReason = strawberry.field(description="Why it was assigned.")
    due_on: dt.date | None = strawberry.field(
        description="Due date (ISO date); null when none was set."
    )
    assigned_at: dt.datetime = strawberry.field(
        description="When it was created (ISO date-time with offset)."
    )
    assigned_by: str | None = strawberry.field(
        description="Token subject of who assigned it, or `rule:<code>`, `path:<code>`, "
        "`plan:<id>` for automatic assignments."
    )
    started_at: dt.datetime | None = strawberry.field(
        description="When it was started (ISO date-time with offset); null until then."
    )
    closed_at: dt.datetime | None = strawberry.field(
        description="When it was completed, failed, waived or cancelled."
    )
    score: float | None = strawberry.field(
        description="0-100, from the completion or failed attempt that closed it; null while "
        "open or when unscored."
    )
    status_reason: str | None = strawberry.field(description="Why it was waived or cancelled.")
    recommendation_id: strawberry.ID | None = strawberry.field(
        description="The recommender's `CourseRecommendation.id` it accepted (reason "
        "RECOMMENDATION); null otherwise."
    )
    plan_action_id: strawberry.ID | None = strawberry.field(
        description="Succession's development plan action it carries out (reason "
        "DEVELOPMENT_PLAN); null otherwise."
    )
    _employee_id: strawberry.Private[uuid.UUID]
    _course_id: strawberry.Private[uuid.UUID]
    _path_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_model(cls, m: EnrollmentModel) -> Enrollment:
        return cls(
            id=strawberry.ID(str(m.id)),
            status=EnrollmentStatus(m.status),
            reason=AssignmentReason(m.reason),
            due_on=m.due_on,
            assigned_at=m.created_at,
            assigned_by=m.assigned_by,
            started_at=m.started_at,
            closed_at=m.closed_at,
            score=m.score,
            status_reason=m.status_reason,
            recommendation_id=strawberry.ID(str(m.recommendation_id))
            if m.recommendation_id
            else None,
            plan_action_id=strawberry.ID(str(m.plan_action_id)) if m.plan_action_id else None,
            _employee_id=m.employee_id,
            _course_id=m.course_id,
            _path_id=m.path_id,
        )

    @strawberry.field(description="Whose enrollment it is.")
    def employee(
        self,
    ) -> Annotated[Employee, strawberry.lazy("talent_learning.people.graphql")]:
        from talent_learning.people.graphql import Employee

        return Employee(id=strawberry.ID(str(self._employee_id)))

    @strawberry.field(description="The course to take.")
    async def course(self, info: Ctx) -> Course | None:
        return await course_by_id_loader(info).load(self._course_id)

    @strawberry.field(description="The path this step was assigned from, if any.")
    async def path(self, info: Ctx) -> LearningPath | None:
        if self._path_id is None:
            return None
        return await path_by_id_loader(info).load(self._path_id)

    @strawberry.field(description="Extensions of the due date, oldest first.")
    async def due_date_history(self, info: Ctx) -> list[DueDateChange]:
        loader: DataLoader[uuid.UUID, list[DueDateChange]] = info.context.loader(
            "enrollment.history", lambda keys: _history(info, keys)
        )
        result: list[DueDateChange] = await loader.load(uuid.UUID(self.id))
        return result


async def _pages(
    info: Ctx, keys: Sequence[PageKey]
) -> list[tuple[list[EnrollmentModel], int] | None]:
    service = EnrollmentService(info.context.session, info.context.principal)
    visible = await service.visible([k[0] for k in keys])
    by_window: dict[tuple[tuple[str, ...], int, int], list[uuid.UUID]] = defaultdict(list)
    for employee_id, statuses, offset, limit in keys:
        if employee_id in visible:
            by_window[(statuses, offset, limit)].append(employee_id)
    found: dict[PageKey, tuple[list[EnrollmentModel], int]] = {}
    pages = EnrollmentPages(service.enrollments)
    for (statuses, offset, limit), ids in by_window.items():
        loaded = await pages.load(ids, statuses=statuses or None, offset=offset, limit=limit)
        found.update({(e, statuses, offset, limit): page for e, page in loaded.items()})
    return [found.get(k) for k in keys]


async def employee_enrollments(
    info: Ctx,
    employee_id: uuid.UUID,
    *,
    statuses: list[EnrollmentStatus] | None,
    first: int | None,
    after: str | None,
) -> Connection[Enrollment] | None:
    page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
    key: PageKey = (
        employee_id,
        tuple(sorted(s.value for s in statuses or [])),
        page.offset,
        page.limit,
    )
    loader: DataLoader[PageKey, tuple[list[EnrollmentModel], int] | None] = info.context.loader(
        "enrollment.pages", lambda keys: _pages(info, keys)
    )
    found = await loader.load(key)
    if found is None:
        raise Refused(NOT_VISIBLE)
    rows, total = found
    return connection(rows, total=total, page=page, to_node=Enrollment.from_model)


@strawberry.input(description="Who: every given field must match (active employees only).")
class PopulationInput:
    org_unit_code: str | None = strawberry.field(
        default=None, description="Org unit code, exact; sub-units are not included."
    )
    location: str | None = strawberry.field(default=None, description="Location, exact.")
    job_profile_code: str | None = strawberry.field(
        default=None, description="Current job profile code, exact."
    )
    hired_from: dt.date | None = strawberry.field(
        default=None, description="Hired on or after this day (ISO date)."
    )
    hired_to: dt.date | None = strawberry.field(
        default=None, description="Hired on or before this day (ISO date)."
    )


@strawberry.input(
    description="Assign a course or a path (exactly one) to employees and/or a population."
)
class AssignLearningInput:
    reason: AssignmentReason = strawberry.field(
        description="Why; not SELF (use enrollInCourse). Managers may give MANAGER, "
        "RECOMMENDATION or DEVELOPMENT_PLAN."
    )
    course_code: str | None = strawberry.field(
        default=None, description="An active course; give this or `pathCode`."
    )
    path_code: str | None = strawberry.field(
        default=None,
        description="An active learning path: each active course of its steps is assigned.",
    )
    employee_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Employees to assign (at most 10000; terminated ones are skipped). "
        "Managers: only people in their reporting chain.",
    )
    population: PopulationInput | None = strawberry.field(
        default=None,
        description="A population rule (HR only); with `employeeIds`, those of them who match.",
    )
    due_on: dt.date | None = strawberry.field(
        default=None,
        description="Due date (ISO date), not in the past; null: none, or for a path today "
        "+ the path's targetDays.",
    )
    recommendation_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required when the reason is RECOMMENDATION."
    )
    plan_action_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required when the reason is DEVELOPMENT_PLAN."
    )


@strawberry.type(description="What an assignment created.")
class AssignLearningPayload:
    assigned_count: int = strawberry.field(
        description="Enrollments created; people with an open enrollment are skipped."
    )
    enrollments: list[Enrollment] = strawberry.field(description="The first 100 created.")


AssignLearningResult = Annotated[
    AssignLearningPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("AssignLearningResult", description="What was assigned, or why nothing was."),
]


@strawberry.type(description="An enrollment as the mutation left it.")
class EnrollmentPayload:
    enrollment: Enrollment = strawberry.field(description="The enrollment after the change.")


EnrollmentResult = Annotated[
    EnrollmentPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "EnrollmentResult", description="The changed enrollment, or why nothing changed."
    ),
]


@strawberry.input(description="A course to enroll yourself in.")
class EnrollInCourseInput:
    course_code: str = strawberry.field(
        description="An active course with `selfEnrollment`; CONFLICT when you already have "
        "an open enrollment in it."
    )


@strawberry.input(description="One enrollment to act on.")
class EnrollmentIdInput:
    enrollment_id: strawberry.ID = strawberry.field(
        description="Id of an open enrollment (a closed one answers CONFLICT)."
    )


@strawberry.input(description="An open enrollment to waive, and why.")
class WaiveEnrollmentInput:
    enrollment_id: strawberry.ID = strawberry.field(description="Id of an open enrollment.")
    reason: str = strawberry.field(
        description="Why it is waived; required, kept in `statusReason`."
    )


@strawberry.input(description="An open enrollment to cancel.")
class CancelEnrollmentInput:
    enrollment_id: strawberry.ID = strawberry.field(description="Id of an open enrollment.")
    reason: str | None = strawberry.field(
        default=None, description="Why, optional; kept in `statusReason`."
    )


@strawberry.input(description="A later due date for an open enrollment, and why.")
class ExtendDueDateInput:
    enrollment_id: strawberry.ID = strawberry.field(description="Id of an open enrollment.")
    due_on: dt.date = strawberry.field(
        description="New due date (ISO date): after the current one and not in the past."
    )
    reason: str = strawberry.field(description="Why; required, kept in `dueDateHistory`.")


def _uuid(value: str | None, field: str) -> uuid.UUID | None:
    if value is None:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise ValidationFailed([FieldError(field, f"{value!r} is not an id")]) from exc


def _required_uuid(value: str, field: str) -> uuid.UUID:
    parsed = _uuid(value, field)
    assert parsed is not None
    return parsed


@strawberry.type
class EnrollmentQuery:
    @strawberry.field(
        description="Enrollments, by due date. HR sees everyone's; others see their own and "
        "(with employeeId) those of their reporting chain; null when not allowed."
    )
    async def enrollments(
        self,
        info: Ctx,
        employee_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Whose enrollments; yours when omitted. Someone else's needs HR or "
                "them being in your reporting chain, else null with a FORBIDDEN error."
            ),
        ] = None,
        statuses: Annotated[
            list[EnrollmentStatus] | None,
            strawberry.argument(description="Only these statuses; null or empty: all."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Enrollment] | None:
        principal = info.context.principal
        target = _uuid(employee_id, "employeeId") if employee_id else principal.employee_id
        if target is None:
            raise Refused("a token without an employee must name the employeeId")
        return await employee_enrollments(info, target, statuses=statuses, first=first, after=after)


@strawberry.type
class EnrollmentMutation:
    @strawberry.mutation(
        description="Assign a course or path. HR (admin, hr_coordinator): anyone, a list or a "
        "population rule (one set-based insert). Managers: people in their reporting chain, "
        "reasons MANAGER, RECOMMENDATION or DEVELOPMENT_PLAN. People with an open enrollment "
        "in the course are skipped. Publishes enrollment.assigned per enrollment."
    )
    async def assign_learning(
        self,
        info: Ctx,
        input: Annotated[
            AssignLearningInput,
            strawberry.argument(description="What to assign, to whom, why and by when."),
        ],
    ) -> AssignLearningResult:
        service = EnrollmentService(info.context.session, info.context.principal)

        async def action() -> AssignLearningPayload:
            ids = (
                [
                    _required_uuid(e, f"input.employeeIds[{i}]")
                    for i, e in enumerate(input.employee_ids)
                ]
                if input.employee_ids is not None
                else None
            )
            pop = input.population or PopulationInput()
            result = await service.assign(
                AssignInput(
                    population=Population(
                        employee_ids=ids,
                        org_unit_code=pop.org_unit_code,
                        location=pop.location,
                        job_profile_code=pop.job_profile_code,
                        hired_from=pop.hired_from,
                        hired_to=pop.hired_to,
                    ),
                    reason=input.reason.value,
                    course_code=input.course_code,
                    path_code=input.path_code,
                    due_on=input.due_on,
                    recommendation_id=_uuid(input.recommendation_id, "input.recommendationId"),
                    plan_action_id=_uuid(input.plan_action_id, "input.planActionId"),
                )
            )
            first = await service.enrollments.by_ids(result.created[:100])
            return AssignLearningPayload(
                assigned_count=result.count,
                enrollments=[Enrollment.from_model(e) for e in first],
            )

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Enroll yourself in a course that allows it.")
    async def enroll_in_course(
        self,
        info: Ctx,
        input: Annotated[EnrollInCourseInput, strawberry.argument(description="The course.")],
    ) -> EnrollmentResult:
        service = EnrollmentService(info.context.session, info.context.principal)

        async def action() -> EnrollmentPayload:
            enrollment = await service.enroll_self(input.course_code)
            return EnrollmentPayload(enrollment=Enrollment.from_model(enrollment))

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Mark your enrollment as started (or HR for anyone).")
    async def start_enrollment(
        self,
        info: Ctx,
        input: Annotated[
            EnrollmentIdInput, strawberry.argument(description="The enrollment to start.")
        ],
    ) -> EnrollmentResult:
        service = EnrollmentService(info.context.session, info.context.principal)

        async def action() -> EnrollmentPayload:
            enrollment = await service.start(
                _required_uuid(input.enrollment_id, "input.enrollmentId")
            )
            return EnrollmentPayload(enrollment=Enrollment.from_model(enrollment))

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Waive an open enrollment, with a reason (HR, manager).")
    async def waive_enrollment(
        self,
        info: Ctx,
        input: Annotated[
            WaiveEnrollmentInput, strawberry.argument(description="The enrollment and why.")
        ],
    ) -> EnrollmentResult:
        service = EnrollmentService(info.context.session, info.context.principal)

        async def action() -> EnrollmentPayload:
            enrollment = await service.waive(
                _required_uuid(input.enrollment_id, "input.enrollmentId"), reason=input.reason
            )
            return EnrollmentPayload(enrollment=Enrollment.from_model(enrollment))

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Cancel an open enrollment (HR, manager).")
    async def cancel_enrollment(
        self,
        info: Ctx,
        input: Annotated[
            CancelEnrollmentInput, strawberry.argument(description="The enrollment to cancel.")
        ],
    ) -> EnrollmentResult:
        service = EnrollmentService(info.context.session, info.context.principal)

        async def action() -> EnrollmentPayload:
            enrollment = await service.cancel(
                _required_uuid(input.enrollment_id, "input.enrollmentId"), reason=input.reason
            )
            return EnrollmentPayload(enrollment=Enrollment.from_model(enrollment))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Move an open enrollment's due date later, with a reason (HR, manager); "
        "kept in dueDateHistory. An overdue enrollment becomes open again."
    )
    async def extend_enrollment_due_date(
        self,
        info: Ctx,
        input: Annotated[
            ExtendDueDateInput,
            strawberry.argument(description="The enrollment, its new due date and why."),
        ],
    ) -> EnrollmentResult:
        service = EnrollmentService(info.context.session, info.context.principal)

        async def action() -> EnrollmentPayload:
            enrollment = await service.extend(
                _required_uuid(input.enrollment_id, "input.enrollmentId"),
                due_on=input.due_on,
                reason=input.reason,
            )
            return EnrollmentPayload(enrollment=Enrollment.from_model(enrollment))

        return await run_mutation(info.context, action)
