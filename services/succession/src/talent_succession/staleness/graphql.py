from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from talent_platform.graphql import (
    After,
    Connection,
    First,
    TalentContext,
    connection,
    page_request,
)
from talent_succession.dates import today
from talent_succession.people.ref import EmployeeType, employee_ref
from talent_succession.staleness.service import StalenessService
from talent_succession.staleness.service import StaleRecord as StaleRecordData

Ctx = Info[TalentContext, None]


@strawberry.enum(description="What was not reviewed on schedule.")
class StaleKind(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    POTENTIAL = strawberry.enum_value(
        "potential",
        description="An active employee's latest potential assessment past its reviewBy.",
    )
    READINESS = strawberry.enum_value(
        "readiness", description="A current nomination whose readiness is past its reviewBy."
    )
    PLAN = strawberry.enum_value(
        "plan", description="A development plan with open actions past its reviewBy."
    )


@strawberry.type(description="A record past its review-by date.")
class StaleRecord:
    kind: StaleKind = strawberry.field(description="What was not reviewed.")
    record_id: strawberry.ID = strawberry.field(
        description="The potential assessment, nomination or development plan."
    )
    review_by: dt.date = strawberry.field(description="The date it was due (ISO date).")
    days_overdue: int = strawberry.field(description="Days from reviewBy to `asOf`, at least 1.")
    _employee_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The employee the record is about.")
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
        first: First = None,
        after: After = None,
        kinds: Annotated[
            list[StaleKind] | None,
            strawberry.argument(description="Only these kinds; omit (or []) for all."),
        ] = None,
        as_of: Annotated[
            dt.date | None,
            strawberry.argument(
                description="Overdue on this day: reviewBy before it (ISO date); default today."
            ),
        ] = None,
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
