from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum

import strawberry
from strawberry.types import Info

from talent_platform.graphql import Connection, TalentContext, connection, page_request
from talent_succession.dates import today
from talent_succession.people.ref import EmployeeType, employee_ref
from talent_succession.staleness.service import StalenessService
from talent_succession.staleness.service import StaleRecord as StaleRecordData

Ctx = Info[TalentContext, None]


@strawberry.enum(description="What was not reviewed on schedule.")
class StaleKind(Enum):
    POTENTIAL = "potential"
    READINESS = "readiness"
    PLAN = "plan"


@strawberry.type(description="A record past its review-by date.")
class StaleRecord:
    kind: StaleKind
    record_id: strawberry.ID = strawberry.field(
        description="The potential assessment, nomination or development plan."
    )
    review_by: dt.date
    days_overdue: int
    _employee_id: strawberry.Private[uuid.UUID]

    @strawberry.field
    def employee(self) -> EmployeeType:
        return employee_ref(self._employee_id)


@strawberry.type
class StalenessQuery:
    @strawberry.field(
        description="Potential assessments, readiness and plans past their review-by date "
        "(default 12 months after the assessment), most overdue first (confidential). Key "
        "roles without a ready successor: `keyRoles(filter: {withoutReadySuccessor: true})`."
    )
    async def stale_records(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
        kinds: list[StaleKind] | None = None,
        as_of: dt.date | None = None,
    ) -> Connection[StaleRecord] | None:
        day = as_of or today()
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        service = StalenessService(info.context.session, info.context.principal)
        rows, total = await service.page(
            day,
            kinds=tuple(k.value for k in kinds) if kinds else ("potential", "readiness", "plan"),
            offset=page.offset,
            limit=page.limit,
        )

        def node(r: StaleRecordData) -> StaleRecord:
            return StaleRecord(
                kind=StaleKind(r.kind),
                record_id=strawberry.ID(str(r.record_id)),
                review_by=r.review_by,
                days_overdue=(day - r.review_by).days,
                _employee_id=r.employee_id,
            )

        return connection(rows, total=total, page=page, to_node=node)
