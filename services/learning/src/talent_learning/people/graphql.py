"""The people service's `Employee` entity, as learning extends it.

Only the key is declared here: people owns and resolves every other field.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from talent_learning.completions.certifications import certifications_of
from talent_learning.completions.graphql import Completion, completion_pages_loader
from talent_learning.courses.graphql import Course, course_by_id_loader
from talent_learning.enrollments.graphql import (
    NOT_VISIBLE,
    Enrollment,
    EnrollmentStatus,
    employee_enrollments,
)
from talent_learning.people.service import visible_employees
from talent_platform.errors import Forbidden as Refused
from talent_platform.graphql import (
    After,
    Connection,
    First,
    TalentContext,
    connection,
    enum_value,
    page_request,
)

Ctx = Info[TalentContext, None]


@strawberry.enum(description="Whether a certification is still valid today.")
class CertificationStatus(Enum):
    VALID = enum_value("valid", description="Valid beyond the expiring window (see EXPIRING).")
    EXPIRING = enum_value(
        "expiring",
        description="Still valid, but expires within CERTIFICATION_EXPIRING_DAYS (30 by default).",
    )
    EXPIRED = enum_value("expired", description="`validUntil` has passed.")


@strawberry.type(
    description="The latest completion of a course that must be renewed, and until when "
    "it is valid."
)
class Certification:
    completed_on: dt.date = strawberry.field(
        description="Day of the latest completion of the course (ISO date)."
    )
    valid_until: dt.date = strawberry.field(
        description="Last valid day (ISO date): completedOn + the course's recertifyMonths."
    )
    status: CertificationStatus = strawberry.field(
        description="EXPIRING within the configured certificationExpiringDays."
    )
    _course_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The course to renew.")
    async def course(self, info: Ctx) -> Course | None:
        return await course_by_id_loader(info).load(self._course_id)


async def _certifications(info: Ctx, keys: Sequence[uuid.UUID]) -> list[list[Certification] | None]:
    session = info.context.session
    visible = await visible_employees(session, info.context.principal, keys)
    found = await certifications_of(session, visible)
    settings = info.context.settings
    days = getattr(settings, "certification_expiring_days", 30)
    today = dt.datetime.now(dt.UTC).date()
    soon = today + dt.timedelta(days=days)

    def status(valid_until: dt.date) -> CertificationStatus:
        if valid_until < today:
            return CertificationStatus.EXPIRED
        return CertificationStatus.EXPIRING if valid_until <= soon else CertificationStatus.VALID

    return [
        [
            Certification(
                completed_on=c.completed_on,
                valid_until=c.valid_until,
                status=status(c.valid_until),
                _course_id=c.course_id,
            )
            for c in found.get(k, [])
        ]
        if k in visible
        else None
        for k in keys
    ]


@strawberry.federation.type(
    keys=["id"],
    description="A person (owned by the people service); learning adds their enrollments, "
    "completions and certifications.",
)
class Employee:
    id: strawberry.ID = strawberry.field(description="The employee's id (UUID), as in people.")

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Employee:
        return cls(id=id)

    @strawberry.field(
        description="Courses the employee completed, newest first. Visible to the employee, "
        "their management chain and HR; null with a FORBIDDEN error for anyone else."
    )
    async def completions(
        self, info: Ctx, first: First = None, after: After = None
    ) -> Connection[Completion] | None:
        try:
            employee_id = uuid.UUID(str(self.id))
        except ValueError:
            return None
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        found = await completion_pages_loader(info).load((employee_id, page.offset, page.limit))
        if found is None:
            raise Refused(NOT_VISIBLE)
        return connection(
            found.completions, total=found.total, page=page, to_node=Completion.from_model
        )

    @strawberry.field(
        description="The employee's enrollments (assignments), by due date. Visible to the "
        "employee, their management chain and HR; null with a FORBIDDEN error for anyone else."
    )
    async def enrollments(
        self,
        info: Ctx,
        statuses: Annotated[
            list[EnrollmentStatus] | None,
            strawberry.argument(description="Only these statuses; null or empty: all."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Enrollment] | None:
        try:
            employee_id = uuid.UUID(str(self.id))
        except ValueError:
            return None
        return await employee_enrollments(
            info, employee_id, statuses=statuses, first=first, after=after
        )

    @strawberry.field(
        description="Certifications (courses to renew), soonest expiry first; every earlier "
        "completion stays in `completions`. Same visibility as completions."
    )
    async def certifications(self, info: Ctx) -> list[Certification] | None:
        try:
            employee_id = uuid.UUID(str(self.id))
        except ValueError:
            return None
        loader: DataLoader[uuid.UUID, list[Certification] | None] = info.context.loader(
            "certifications", lambda keys: _certifications(info, keys)
        )
        certifications = await loader.load(employee_id)
        if certifications is None:
            raise Refused(NOT_VISIBLE)
        return certifications
