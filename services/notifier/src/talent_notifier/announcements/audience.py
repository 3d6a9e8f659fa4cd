"""Who an announcement reaches: the audience (exactly one of five populations), checked,
and turned into one statement selecting the active employees it names, inside the
sender's HR org scope. The same statement serves the preview (async, a request) and the
sending (sync, a request or the worker's job), so the preview counts whom a send reaches
at that moment."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Select, literal, select, union

from talent_notifier.announcements.models import OverdueEnrollment
from talent_notifier.notifications.recipients import TERMINATED
from talent_notifier.people.models import EmployeeProjection
from talent_notifier.reviews.models import CycleParticipant, ReviewTask
from talent_notifier.reviews.tasks import PENDING
from talent_platform.auth import Principal, unit_in_scope
from talent_platform.employees import in_org_scope
from talent_platform.errors import ErrorCollector, Forbidden

E = EmployeeProjection
MAX_CODE_LENGTH = 200
KINDS = ("orgUnit", "jobProfileCode", "cycleParticipants", "behind", "overdueEnrollments")


@dataclass(frozen=True)
class AudienceInput:
    """As the GraphQL input gives it (at most one should be set)."""

    org_unit_code: str | None = None
    include_sub_units: bool = True
    org_unit_given: bool = False
    job_profile_code: str | None = None
    cycle_participants: str | None = None
    behind_cycle: str | None = None
    behind_phase: str | None = None
    overdue_course: str | None = None


def _code(errors: ErrorCollector, field: str, value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        errors.add(field, "is required")
    elif len(value) > MAX_CODE_LENGTH or "\x00" in value:
        errors.add(field, f"must be at most {MAX_CODE_LENGTH} characters, without NUL")
    return value


def _uuid(errors: ErrorCollector, field: str, value: str | None) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        errors.add(field, f"{value!r} is not a valid cycle id")
        return ""


def checked(given: AudienceInput, errors: ErrorCollector, *, at: str) -> dict[str, Any]:
    """The audience as stored (JSON), or errors naming `at` and its fields."""
    chosen = [
        name
        for name, value in (
            ("orgUnit", given.org_unit_given),
            ("jobProfileCode", given.job_profile_code is not None),
            ("cycleParticipants", given.cycle_participants is not None),
            ("behind", given.behind_cycle is not None),
            ("overdueEnrollments", given.overdue_course is not None),
        )
        if value
    ]
    if len(chosen) != 1:
        errors.add(at, f"give exactly one of {', '.join(KINDS)}")
        return {}
    kind = chosen[0]
    if kind == "orgUnit":
        code = _code(errors, f"{at}.orgUnit.code", given.org_unit_code)
        return {"orgUnit": {"code": code, "includeSubUnits": given.include_sub_units}}
    if kind == "jobProfileCode":
        return {"jobProfileCode": _code(errors, f"{at}.jobProfileCode", given.job_profile_code)}
    if kind == "cycleParticipants":
        cycle = _uuid(errors, f"{at}.cycleParticipants.cycleId", given.cycle_participants)
        return {"cycleParticipants": {"cycleId": cycle}}
    if kind == "behind":
        cycle = _uuid(errors, f"{at}.behind.cycleId", given.behind_cycle)
        if given.behind_phase not in PENDING:
            errors.add(f"{at}.behind.phase", f"must be one of {', '.join(PENDING)}")
        return {"behind": {"cycleId": cycle, "phase": given.behind_phase}}
    code = _code(errors, f"{at}.overdueEnrollments.courseCode", given.overdue_course)
    return {"overdueEnrollments": {"courseCode": code}}


def check_reach(principal: Principal, audience: dict[str, Any]) -> None:
    """An hr_coordinator with an org scope may name an org unit only inside it (any other
    audience is cut to the scope when resolved)."""
    scope = principal.org_scope
    unit = audience.get("orgUnit")
    if scope is not None and unit is not None and not unit_in_scope(unit["code"], scope):
        raise Forbidden(
            f"an hr_coordinator for {', '.join(sorted(scope))} announces only inside those "
            "org units"
        )


def _members(audience: dict[str, Any]) -> Any:
    """The employee ids the audience names (a statement), or a condition on the
    projection's row."""
    if "orgUnit" in audience:
        code = audience["orgUnit"]["code"]
        if audience["orgUnit"]["includeSubUnits"]:
            return in_org_scope(E.org_unit_code, [code])
        return E.org_unit_code == code
    if "jobProfileCode" in audience:
        return E.job_profile_code == audience["jobProfileCode"]
    if "cycleParticipants" in audience:
        cycle = uuid.UUID(audience["cycleParticipants"]["cycleId"])
        return union(
            select(CycleParticipant.employee_id).where(CycleParticipant.cycle_id == cycle),
            select(ReviewTask.employee_id).where(
                ReviewTask.cycle_id == cycle, ReviewTask.status != "cancelled"
            ),
        )
    if "behind" in audience:
        cycle = uuid.UUID(audience["behind"]["cycleId"])
        kind, statuses = PENDING[audience["behind"]["phase"]]
        return select(ReviewTask.reviewer_id).where(
            ReviewTask.cycle_id == cycle,
            ReviewTask.kind == kind,
            ReviewTask.status.in_(statuses),
            ReviewTask.reviewer_id.is_not(None),
        )
    course = audience["overdueEnrollments"]["courseCode"]
    return select(OverdueEnrollment.employee_id).where(OverdueEnrollment.course_code == course)


def recipients(audience: dict[str, Any], scope: Collection[str] | None) -> Select[uuid.UUID, str]:
    """`SELECT employee_id, name` of the active employees the audience names, inside
    `scope` (None: everywhere), by name. Someone the people projection does not know (yet)
    is not reached: an announcement needs the address and the status now."""
    members = _members(audience)
    where: list[ColumnElement[bool]] = [E.status != TERMINATED]
    if isinstance(members, Select | CompoundSelect):
        where.append(E.employee_id.in_(members))
    else:
        where.append(members)
    if scope is not None:
        where.append(in_org_scope(E.org_unit_code, scope) if scope else literal(False))
    return select(E.employee_id, E.name).where(*where).order_by(E.name, E.employee_id)
