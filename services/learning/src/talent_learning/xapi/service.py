"""xAPI statements from an LMS or LRS: completed, passed and failed.

Each statement names the employee by `actor.mbox` (`mailto:` their email) or
`actor.account.name` (their employee number), the course by `object.id` (the course code,
or an IRI whose last path segment is the code) and may carry `result.score` (`scaled`
-1..1, or `raw` with `min`/`max`, or `raw` alone on 0-100). A request is all or nothing:
every statement is validated first, and one bad statement rejects the request with one
error per bad statement. A statement id already stored (or repeated in the request) is
ignored, so an LRS may retry freely.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.learning import EnrollmentFailed
from talent_learning.completions.service import (
    CompletionInput,
    CompletionService,
    latest_allowed_day,
)
from talent_learning.courses.models import Course
from talent_learning.db import outbox
from talent_learning.enrollments.assign import open_status
from talent_learning.enrollments.models import Enrollment
from talent_learning.people.models import EmployeeProjection
from talent_learning.xapi.models import XapiStatement
from talent_platform.auth import Principal, Role
from talent_platform.errors import FieldError, ValidationFailed

VERBS = ("completed", "passed", "failed")


@dataclass(frozen=True)
class ParsedStatement:
    index: int
    statement_id: uuid.UUID
    verb: str
    mbox: str | None
    account: str | None
    course_ref: str
    score: float | None
    day: dt.date
    raw: dict[str, Any]


@dataclass(frozen=True)
class XapiResult:
    statement_ids: list[uuid.UUID]
    recorded: int
    duplicates: int


def _course_ref(object_id: str) -> str:
    return object_id.rstrip("/").rsplit("/", 1)[-1]


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _score(result: Any, field: str, errors: list[FieldError]) -> float | None:
    if not isinstance(result, dict) or "score" not in result:
        return None
    score = result["score"]
    if not isinstance(score, dict):
        errors.append(FieldError(field, "must be an object"))
        return None
    scaled, raw = score.get("scaled"), score.get("raw")
    low, high = score.get("min"), score.get("max")
    numbers = (scaled, raw, low, high)
    if any(v is not None and not isinstance(v, int | float) for v in numbers):
        errors.append(FieldError(field, "scaled, raw, min and max must be numbers"))
        return None
    if scaled is not None:
        if not -1 <= scaled <= 1:
            errors.append(FieldError(f"{field}.scaled", f"{scaled} is outside -1..1"))
            return None
        return round(float(max(scaled, 0)) * 100, 2)
    if raw is None:
        return None
    if low is not None and high is not None:
        if high <= low or not low <= raw <= high:
            errors.append(FieldError(f"{field}.raw", f"{raw} is not within {low}..{high}"))
            return None
        return round(float(raw - low) / float(high - low) * 100, 2)
    if not 0 <= raw <= 100:
        errors.append(FieldError(f"{field}.raw", f"{raw} is outside 0-100 (give min and max)"))
        return None
    return float(raw)


def parse_statement(index: int, raw: Any, errors: list[FieldError]) -> ParsedStatement | None:
    at = f"statements[{index}]"
    if not isinstance(raw, dict):
        errors.append(FieldError(at, "must be a JSON object"))
        return None
    before = len(errors)
    statement_id: uuid.UUID | None = None
    try:
        statement_id = uuid.UUID(str(raw.get("id")))
    except ValueError:
        errors.append(FieldError(f"{at}.id", "a statement UUID is required"))
    verb_id = _object(raw.get("verb")).get("id")
    verb = _course_ref(verb_id) if isinstance(verb_id, str) else None
    if verb not in VERBS:
        errors.append(FieldError(f"{at}.verb.id", f"{verb_id!r}: supported verbs are {VERBS}"))
    actor = _object(raw.get("actor"))
    mbox = actor.get("mbox")
    account = _object(actor.get("account")).get("name")
    if isinstance(mbox, str) and mbox.startswith("mailto:"):
        mbox = mbox.removeprefix("mailto:").strip().lower()
    else:
        mbox = None
    if not mbox and not isinstance(account, str):
        errors.append(FieldError(f"{at}.actor", "needs mbox (mailto:) or account.name"))
    object_id = _object(raw.get("object")).get("id")
    if not isinstance(object_id, str) or not object_id.strip():
        errors.append(FieldError(f"{at}.object.id", "the course's code or IRI is required"))
    score = _score(raw.get("result"), f"{at}.result.score", errors)
    day = dt.datetime.now(dt.UTC).date()
    stamp = raw.get("timestamp")
    if stamp is not None:
        try:
            moment = dt.datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
            if moment.tzinfo is None:
                raise ValueError("no time zone")
            day = moment.astimezone(dt.UTC).date()
        except ValueError:
            errors.append(
                FieldError(f"{at}.timestamp", f"{stamp!r} is not an ISO 8601 time with zone")
            )
        else:
            if day > latest_allowed_day():
                errors.append(FieldError(f"{at}.timestamp", f"{stamp} is in the future"))
    if len(errors) > before or statement_id is None or verb is None or object_id is None:
        return None
    return ParsedStatement(
        index=index,
        statement_id=statement_id,
        verb=verb,
        mbox=mbox,
        account=account if isinstance(account, str) else None,
        course_ref=object_id.strip(),
        score=score,
        day=day,
        raw=raw,
    )


class XapiService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    async def receive(self, body: Any) -> XapiResult:
        """Validate every statement, then apply those not stored yet (in order)."""
        self.principal.require(Role.ADMIN, Role.HR_COORDINATOR)
        items = body if isinstance(body, list) else [body]
        errors: list[FieldError] = []
        if not items:
            errors.append(FieldError("statements", "no statements"))
        parsed = [p for i, raw in enumerate(items) if (p := parse_statement(i, raw, errors))]
        employees = await self._employees(parsed)
        courses = await self._courses(parsed)
        for p in parsed:
            at = f"statements[{p.index}]"
            if self._employee(employees, p) is None:
                errors.append(FieldError(f"{at}.actor", "no employee with this email or number"))
            if self._course(courses, p) is None:
                errors.append(FieldError(f"{at}.object.id", f"no course {p.course_ref!r}"))
        if errors:
            raise ValidationFailed(errors)

        stored = set(
            (
                await self.session.execute(
                    select(XapiStatement.statement_id).where(
                        XapiStatement.statement_id.in_([p.statement_id for p in parsed])
                    )
                )
            ).scalars()
        )
        recorded = 0
        for p in parsed:
            if p.statement_id in stored:
                continue
            stored.add(p.statement_id)
            employee = self._employee(employees, p)
            course = self._course(courses, p)
            assert employee is not None and course is not None  # validated above
            await self._apply(p, employee, course)
            recorded += 1
        return XapiResult(
            statement_ids=[p.statement_id for p in parsed],
            recorded=recorded,
            duplicates=len(parsed) - recorded,
        )

    @staticmethod
    def _employee(
        employees: dict[tuple[str, str], EmployeeProjection], p: ParsedStatement
    ) -> EmployeeProjection | None:
        by_mail = employees.get(("mbox", p.mbox)) if p.mbox else None
        return by_mail or (employees.get(("account", p.account)) if p.account else None)

    @staticmethod
    def _course(courses: dict[str, Course], p: ParsedStatement) -> Course | None:
        return courses.get(p.course_ref) or courses.get(_course_ref(p.course_ref))

    async def _employees(
        self, parsed: list[ParsedStatement]
    ) -> dict[tuple[str, str], EmployeeProjection]:
        emails = {p.mbox for p in parsed if p.mbox}
        numbers = {p.account for p in parsed if p.account}
        if not emails and not numbers:
            return {}
        rows = await self.session.execute(
            select(EmployeeProjection).where(
                func.lower(EmployeeProjection.email).in_(emails)
                | EmployeeProjection.employee_number.in_(numbers)
            )
        )
        found: dict[tuple[str, str], EmployeeProjection] = {}
        for e in rows.scalars():
            found[("mbox", e.email.lower())] = e
            found[("account", e.employee_number)] = e
        return found

    async def _courses(self, parsed: list[ParsedStatement]) -> dict[str, Course]:
        codes = {p.course_ref for p in parsed} | {_course_ref(p.course_ref) for p in parsed}
        if not codes:
            return {}
        rows = await self.session.execute(select(Course).where(Course.code.in_(codes)))
        return {c.code: c for c in rows.scalars()}

    async def _apply(
        self, p: ParsedStatement, employee: EmployeeProjection, course: Course
    ) -> None:
        completion_id: uuid.UUID | None = None
        if p.verb in ("completed", "passed"):
            completion, _created = await CompletionService(self.session, self.principal).store(
                CompletionInput(
                    employee_id=employee.employee_id,
                    course_code=course.code,
                    completed_on=p.day,
                    score=p.score,
                ),
                course=course,
                source="xapi",
            )
            completion_id = completion.id
        else:
            failed = (
                await self.session.execute(
                    update(Enrollment)
                    .where(
                        Enrollment.employee_id == employee.employee_id,
                        Enrollment.course_id == course.id,
                        open_status(),
                    )
                    .values(
                        status="failed", score=p.score, closed_at=func.now(), updated_at=func.now()
                    )
                    .returning(Enrollment.id)
                )
            ).scalar_one_or_none()
            if failed is not None:
                await self.session.run_sync(
                    outbox.add,
                    EnrollmentFailed(
                        enrollment_id=failed,
                        employee_id=employee.employee_id,
                        course_code=course.code,
                        score=p.score,
                        source="xapi",
                    ),
                )
        await self.session.execute(
            insert(XapiStatement)
            .values(
                statement_id=p.statement_id,
                employee_id=employee.employee_id,
                course_id=course.id,
                verb=p.verb,
                score=p.score,
                completion_id=completion_id,
                statement=p.raw,
            )
            .on_conflict_do_nothing(index_elements=["statement_id"])
        )
