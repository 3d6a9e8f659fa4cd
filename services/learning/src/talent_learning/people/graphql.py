"""The people service's `Employee` entity, as learning extends it.

Only the key is declared here: people owns and resolves every other field.
"""

from __future__ import annotations

import uuid

import strawberry
from strawberry.types import Info

from talent_learning.completions.graphql import Completion, completion_pages_loader
from talent_learning.enrollments.graphql import Enrollment, EnrollmentStatus, employee_enrollments
from talent_platform.graphql import Connection, TalentContext, connection, page_request

Ctx = Info[TalentContext, None]


@strawberry.federation.type(keys=["id"])
class Employee:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Employee:
        return cls(id=id)

    @strawberry.field(
        description="Courses the employee completed, newest first. Visible to the employee, "
        "their management chain and HR; null for anyone else."
    )
    async def completions(
        self, info: Ctx, first: int | None = None, after: str | None = None
    ) -> Connection[Completion] | None:
        try:
            employee_id = uuid.UUID(str(self.id))
        except ValueError:
            return None
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        found = await completion_pages_loader(info).load((employee_id, page.offset, page.limit))
        if found is None:
            return None
        return connection(
            found.completions, total=found.total, page=page, to_node=Completion.from_model
        )

    @strawberry.field(
        description="The employee's enrollments (assignments), by due date. Visible to the "
        "employee, their management chain and HR; null for anyone else."
    )
    async def enrollments(
        self,
        info: Ctx,
        statuses: list[EnrollmentStatus] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Enrollment] | None:
        try:
            employee_id = uuid.UUID(str(self.id))
        except ValueError:
            return None
        return await employee_enrollments(
            info, employee_id, statuses=statuses, first=first, after=after
        )
