"""Reports: each one a single aggregate SELECT over indexed tables, served as a GraphQL
connection (one page) or streamed whole as CSV (reports/http.py).

Org-wide reports are for hr_coordinator and admin (hr_leader may read them too); a
manager gets the team status of their own reporting chain. An hr_coordinator whose token
carries an org scope gets every report limited to the employees now in those org units
(and their sub-units).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    Integer,
    Numeric,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from talent_learning.completions.models import Completion
from talent_learning.courses.models import Course
from talent_learning.enrollments.assign import Population, add_months
from talent_learning.enrollments.models import Enrollment
from talent_learning.enrollments.service import today
from talent_learning.people.models import EmployeeHistory as History
from talent_learning.people.models import EmployeeProjection as Employee
from talent_platform.auth import Principal, Role
from talent_platform.employees import reports_of, scoped_to
from talent_platform.errors import FieldError, Forbidden, NotFound, ValidationFailed

ORG_REPORT_READERS = (Role.ADMIN, Role.HR_COORDINATOR, Role.HR_LEADER)


class Grouping(StrEnum):
    ORG_UNIT = "org_unit"
    LOCATION = "location"
    JOB_PROFILE = "job_profile"
    COURSE = "course"


@dataclass(frozen=True)
class Report:
    """A report query: its CSV columns (the labels of the SELECT) and the SELECT."""

    columns: tuple[str, ...]
    query: Select[Any]


def _report(columns: tuple[str, ...], query: Any) -> Report:
    return Report(columns, query)


def _rate(part: Any, whole: Any) -> Any:
    return func.round(cast(part, Numeric) * 100 / func.nullif(whole, 0), 1)


class ReportService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def _require_org_reader(self) -> None:
        self.principal.require(*ORG_REPORT_READERS)

    def _in_scope(self, employee_id: Any) -> list[ColumnElement[bool]]:
        """For an hr_coordinator with an org scope: the employee is inside it."""
        return scoped_to(employee_id, Employee, self.principal.org_scope)

    async def _course(self, code: str, field: str = "courseCode") -> Course:
        course = (
            await self.session.execute(select(Course).where(Course.code == code))
        ).scalar_one_or_none()
        if course is None:
            raise ValidationFailed([FieldError(field, f"unknown course {code!r}")])
        return course

    # -- completion and overdue rates ----------------------------------------------------
    async def completion_rates(
        self, group_by: Grouping, *, as_of: dt.date, course_code: str | None = None
    ) -> Report:
        """Per group: assignments (not waived or cancelled), completed, overdue as of the
        date, and the two rates in percent.

        For today (or later) from the enrollments' current status. For an earlier day as
        things stood then: enrollments assigned by that day and not waived or cancelled
        by it, completed if their completion was on or before it, overdue if still open
        then and due before it; employees grouped by their org unit, location or job
        profile on that day (employee history)."""
        self._require_org_reader()
        course_id = (await self._course(course_code)).id if course_code is not None else None
        if as_of < today():
            return self._completion_rates_then(group_by, as_of=as_of, course_id=course_id)
        # First per employee (or per course): one pass over the enrollment index
        # (employee_id, status) INCLUDE (due_on), streaming into a group aggregate; then a
        # join of at most one row per employee (or course) for the grouping key.
        by = Enrollment.course_id if group_by is Grouping.COURSE else Enrollment.employee_id
        counts = (
            select(
                by.label("by"),
                func.count().label("assigned"),
                func.count().filter(Enrollment.status == "completed").label("completed"),
                func.count()
                .filter(
                    or_(
                        Enrollment.status == "overdue",
                        and_(
                            Enrollment.status.in_(("assigned", "in_progress")),
                            Enrollment.due_on < as_of,
                        ),
                    )
                )
                .label("overdue"),
            )
            .where(Enrollment.status.not_in(("waived", "cancelled")))
            .group_by(by)
        )
        if course_id is not None:
            counts = counts.where(Enrollment.course_id == course_id)
        counts = counts.where(*self._in_scope(Enrollment.employee_id))
        return self._rates(group_by, counts.subquery("per"))

    def _completion_rates_then(
        self, group_by: Grouping, *, as_of: dt.date, course_id: uuid.UUID | None
    ) -> Report:
        # Timestamps before the start of the next day (UTC) happened on or before as_of.
        day_start = dt.datetime.combine(as_of, dt.time(), tzinfo=dt.UTC)
        next_day = day_start + dt.timedelta(days=1)
        closed_by = and_(Enrollment.closed_at.is_not(None), Enrollment.closed_at < next_day)
        # A completion recorded before the day began was completed by then (its date is
        # never later than the day it was recorded, UTC+14 at most); only those recorded
        # later look up their completion's date, by primary key: a few rows, not a join
        # of the whole completion table.
        completed_on = (
            select(Completion.completed_on)
            .where(Completion.id == Enrollment.completion_id)
            .scalar_subquery()
        )
        completed = and_(
            Enrollment.status == "completed",
            case(
                (Enrollment.closed_at < day_start, True),
                else_=func.coalesce(completed_on, cast(Enrollment.closed_at, Date)) <= as_of,
            ),
        )
        open_then = and_(
            ~completed,
            or_(Enrollment.closed_at.is_(None), Enrollment.closed_at >= next_day),
        )
        by = Enrollment.course_id if group_by is Grouping.COURSE else Enrollment.employee_id
        counts = (
            select(
                by.label("by"),
                func.count().label("assigned"),
                func.count().filter(completed).label("completed"),
                func.count().filter(open_then, Enrollment.due_on < as_of).label("overdue"),
            )
            .select_from(Enrollment)
            .where(
                Enrollment.created_at < next_day,
                ~and_(Enrollment.status.in_(("waived", "cancelled")), closed_by),
            )
            .group_by(by)
        )
        if course_id is not None:
            counts = counts.where(Enrollment.course_id == course_id)
        counts = counts.where(*self._in_scope(Enrollment.employee_id))
        return self._rates(group_by, counts.subquery("per"), as_of=as_of)

    def _rates(self, group_by: Grouping, per: Any, *, as_of: dt.date | None = None) -> Report:
        """Sum per-employee (or per-course) counts by the grouping key: the employee's
        current attribute, or (with `as_of`) the one of their history row valid then."""
        if group_by is Grouping.COURSE:
            key: Any = Course.code
            joined = per.join(Course, Course.id == per.c.by)
        elif as_of is not None:
            key = {
                Grouping.ORG_UNIT: History.org_unit_code,
                Grouping.LOCATION: History.location,
                Grouping.JOB_PROFILE: History.job_profile_code,
            }[group_by]
            joined = per.outerjoin(
                History,
                and_(
                    History.employee_id == per.c.by,
                    History.valid_from <= as_of,
                    or_(History.valid_to.is_(None), History.valid_to > as_of),
                ),
            )
        else:
            key = {
                Grouping.ORG_UNIT: Employee.org_unit_code,
                Grouping.LOCATION: Employee.location,
                Grouping.JOB_PROFILE: Employee.job_profile_code,
            }[group_by]
            joined = per.join(Employee, Employee.employee_id == per.c.by)
        assigned = func.sum(per.c.assigned)
        completed = func.sum(per.c.completed)
        overdue = func.sum(per.c.overdue)
        query = (
            select(
                func.coalesce(key, "").label("group"),
                cast(assigned, Integer).label("assigned"),
                cast(completed, Integer).label("completed"),
                cast(overdue, Integer).label("overdue"),
                _rate(completed, assigned).label("completion_rate"),
                _rate(overdue, assigned).label("overdue_rate"),
            )
            .select_from(joined)
            .group_by(key)
            .order_by(key.nulls_first())
        )
        return _report(
            ("group", "assigned", "completed", "overdue", "completion_rate", "overdue_rate"),
            query,
        )

    # -- compliance evidence -------------------------------------------------------------
    async def compliance_evidence(
        self, course_code: str, *, as_of: dt.date, population: Population
    ) -> Report:
        """Everyone of the population on `as_of` (active and hired by then) with their
        latest completion of the course on or before `as_of`, its score, until when it is
        valid and whether they were compliant on that day.

        For today (or later) the population is today's projection. For an earlier day it
        is who was active and matched the population on that day, from the employee
        history's intervals valid then: someone terminated, hired or moved since is
        judged by what was true on the day. Name and number are today's (identity)."""
        self._require_org_reader()
        course = await self._course(course_code)
        latest = (
            select(Completion.employee_id, Completion.completed_on, Completion.score)
            .where(Completion.course_id == course.id, Completion.completed_on <= as_of)
            .ext(distinct_on(Completion.employee_id))
            .order_by(Completion.employee_id, Completion.completed_on.desc())
            .subquery("latest")
        )
        valid_until = (
            add_months(latest.c.completed_on, course.recertify_months)
            if course.recertify_months
            else cast(literal(None), Date)
        )
        compliant: ColumnElement[bool] = latest.c.completed_on.is_not(None)
        if course.recertify_months:
            compliant = and_(compliant, valid_until >= as_of)
        historical = as_of < today()
        state: Any = History if historical else Employee
        query = (
            select(
                Employee.employee_id.label("employee_id"),
                Employee.employee_number.label("employee_number"),
                Employee.name.label("name"),
                state.org_unit_code.label("org_unit"),
                state.location.label("location"),
                state.job_profile_code.label("job_profile_code"),
                literal(course.code).label("course_code"),
                latest.c.completed_on.label("completed_on"),
                latest.c.score.label("score"),
                valid_until.label("valid_until"),
                case((compliant, True), else_=False).label("compliant"),
            )
            .select_from(Employee)
            .outerjoin(latest, latest.c.employee_id == Employee.employee_id)
            .order_by(Employee.employee_number)
        )
        if historical:
            query = query.join(History, History.employee_id == Employee.employee_id).where(
                *population_as_of(population, as_of)
            )
        else:
            query = query.where(
                *population.where(),
                or_(Employee.hire_date.is_(None), Employee.hire_date <= as_of),
            )
        query = query.where(*self._in_scope(Employee.employee_id))
        return _report(
            (
                "employee_id",
                "employee_number",
                "name",
                "org_unit",
                "location",
                "job_profile_code",
                "course_code",
                "completed_on",
                "score",
                "valid_until",
                "compliant",
            ),
            query,
        )

    # -- a manager's team ------------------------------------------------------------------
    async def team_status(self, manager_id: uuid.UUID | None, *, as_of: dt.date) -> Report:
        """Everyone in the manager's reporting chain with their open, overdue and completed
        enrollment counts. A manager sees their own chain; HR anyone's."""
        me = self.principal.employee_id
        manager = manager_id or me
        if manager is None:
            raise ValidationFailed([FieldError("managerId", "required for a service account")])
        if manager != me and not self.principal.has_role(*ORG_REPORT_READERS):
            raise Forbidden("a manager sees only their own team")
        if await self.session.get(Employee, manager) is None:
            raise NotFound("employee", manager)
        chain = reports_of(Employee, manager, name="team")
        open_ = Enrollment.status.in_(("assigned", "in_progress", "overdue"))
        overdue = or_(
            Enrollment.status == "overdue",
            and_(Enrollment.status.in_(("assigned", "in_progress")), Enrollment.due_on < as_of),
        )
        query = (
            select(
                Employee.employee_id.label("employee_id"),
                Employee.employee_number.label("employee_number"),
                Employee.name.label("name"),
                func.min(chain.c.depth).label("depth"),
                func.count(Enrollment.id).filter(open_).label("open"),
                func.count(Enrollment.id).filter(overdue).label("overdue"),
                func.count(Enrollment.id)
                .filter(Enrollment.status == "completed")
                .label("completed"),
                func.min(Enrollment.due_on).filter(open_).label("next_due_on"),
            )
            .select_from(chain)
            .join(Employee, Employee.employee_id == chain.c.employee_id)
            .outerjoin(Enrollment, Enrollment.employee_id == Employee.employee_id)
            .where(Employee.status == "active")
            .group_by(Employee.employee_id, Employee.employee_number, Employee.name)
            .order_by(Employee.employee_number)
        )
        return _report(
            (
                "employee_id",
                "employee_number",
                "name",
                "depth",
                "open",
                "overdue",
                "completed",
                "next_due_on",
            ),
            query,
        )

    # -- per-course funnel -------------------------------------------------------------------
    async def course_funnel(self, course_code: str | None = None) -> Report:
        """Per course: assigned (every enrollment), started, completed, and abandoned
        (started, then failed, cancelled, waived or overdue without completing)."""
        self._require_org_reader()
        started = or_(
            Enrollment.started_at.is_not(None),
            Enrollment.status.in_(("in_progress", "completed", "failed")),
        )
        abandoned = and_(
            started, Enrollment.status.in_(("failed", "cancelled", "waived", "overdue"))
        )
        query = (
            select(
                Course.code.label("course_code"),
                func.count().label("assigned"),
                func.count().filter(started).label("started"),
                func.count().filter(Enrollment.status == "completed").label("completed"),
                func.count().filter(abandoned).label("abandoned"),
            )
            .select_from(Enrollment)
            .join(Course, Course.id == Enrollment.course_id)
            .group_by(Course.code)
            .order_by(Course.code)
        )
        if course_code is not None:
            course = await self._course(course_code)
            query = query.where(Enrollment.course_id == course.id)
        query = query.where(*self._in_scope(Enrollment.employee_id))
        return _report(("course_code", "assigned", "started", "completed", "abandoned"), query)

    # -- running them ------------------------------------------------------------------------
    async def page(self, report: Report, *, offset: int, limit: int) -> tuple[Sequence[Any], int]:
        total = (
            await self.session.execute(
                select(func.count()).select_from(report.query.order_by(None).subquery())
            )
        ).scalar_one()
        rows = (await self.session.execute(report.query.offset(offset).limit(limit))).all()
        return rows, int(total)

    async def csv(self, report: Report) -> AsyncIterator[bytes]:
        """The whole report as CSV (header row first), formatted by PostgreSQL itself with
        `COPY (query) TO STDOUT`: no per-row Python work, however large the export.
        Booleans are written `true`/`false`, empty values as empty fields."""
        inner = report.query.subquery("report")
        columns = [
            case((c, "true"), else_="false").label(c.name) if isinstance(c.type, Boolean) else c
            for c in inner.c
        ]
        sql = select(*columns).compile(
            dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
            compile_kwargs={"literal_binds": True},
        )
        connection = await self.session.connection()
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)"
        async with driver.cursor() as cursor, cursor.copy(statement) as copy:
            async for data in copy:
                yield bytes(data)

    async def stream(self, report: Report) -> AsyncIterator[Sequence[Any]]:
        result = await self.session.stream(report.query.execution_options(yield_per=5000))
        async for partition in result.partitions():
            for row in partition:
                yield row


def population_as_of(population: Population, day: dt.date) -> list[ColumnElement[bool]]:
    """`Population.where()` over the employee history rows valid on `day`: active then,
    hired on or before it, and matching every given attribute as it was then."""
    clauses: list[ColumnElement[bool]] = [
        History.status == "active",
        History.valid_from <= day,
        or_(History.valid_to.is_(None), History.valid_to > day),
        or_(History.hire_date.is_(None), History.hire_date <= day),
    ]
    if population.employee_ids is not None:
        clauses.append(History.employee_id.in_(list(population.employee_ids)))
    if population.org_unit_code is not None:
        clauses.append(History.org_unit_code == population.org_unit_code)
    if population.location is not None:
        clauses.append(History.location == population.location)
    if population.job_profile_code is not None:
        clauses.append(History.job_profile_code == population.job_profile_code)
    if population.hired_from is not None:
        clauses.append(History.hire_date >= population.hired_from)
    if population.hired_to is not None:
        clauses.append(History.hire_date <= population.hired_to)
    return clauses
