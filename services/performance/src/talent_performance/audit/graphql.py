from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import strawberry
from strawberry.types import Info

from talent_performance.audit.models import AuditEntry as AuditModel
from talent_performance.audit.service import AuditLog
from talent_platform.errors import Forbidden
from talent_platform.graphql import (
    After,
    Connection,
    First,
    TalentContext,
    connection,
    page_request,
    parse_id,
)

Ctx = Info[TalentContext, None]


@strawberry.type(
    name="PerformanceAuditEntry",
    description="A change to a rating, a review's state or a cycle's release.",
)
class AuditEntry:
    id: strawberry.ID = strawberry.field(description="The entry's id (UUID).")
    at: dt.datetime = strawberry.field(description="When it happened.")
    actor: str = strawberry.field(description="The token subject who made the change.")
    action: str = strawberry.field(
        description="What happened: `rating.calibrated`, `review.reopened`, "
        "`review.resubmitted`, `cycle.released` or `ratings.read` (someone read ratings of "
        "reviews about others that they did not write)."
    )
    entity: str = strawberry.field(description="The kind of record: `review` or `review_cycle`.")
    entity_id: strawberry.ID = strawberry.field(
        description="Its id (for `ratings.read`, the first review read)."
    )
    employee_id: strawberry.ID | None = strawberry.field(
        description="The employee concerned; null when a read covered several employees "
        "(or for a cycle)."
    )
    old: str | None = strawberry.field(
        description="JSON of the values before; null when there were none."
    )
    new: str | None = strawberry.field(
        description="JSON of the values after (for `ratings.read`, the reviews read)."
    )
    reason: str | None = strawberry.field(
        description="The reason given (reopens, calibration adjustments); null otherwise."
    )

    @classmethod
    def from_model(cls, m: AuditModel) -> AuditEntry:
        return cls(
            id=strawberry.ID(str(m.id)),
            at=m.at,
            actor=m.actor,
            action=m.action,
            entity=m.entity,
            entity_id=strawberry.ID(str(m.entity_id)),
            employee_id=strawberry.ID(str(m.employee_id)) if m.employee_id else None,
            old=json.dumps(m.old, sort_keys=True) if m.old is not None else None,
            new=json.dumps(m.new, sort_keys=True) if m.new is not None else None,
            reason=m.reason,
        )


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="The performance audit log, newest first (HR; null for anyone else)."
    )
    async def performance_audit_log(
        self,
        info: Ctx,
        entity_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only entries about this review or cycle."),
        ] = None,
        employee_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only entries concerning this employee."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[AuditEntry] | None:
        if not info.context.principal.is_hr:
            raise Forbidden("the audit log is for hr_coordinator, hr_leader and admin")
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        rows, total = await AuditLog(info.context.session).page(
            entity_id=None if entity_id is None else parse_id(entity_id, "entityId"),
            employee_id=None if employee_id is None else parse_id(employee_id, "employeeId"),
            offset=page.offset,
            limit=page.limit,
        )
        return connection(rows, total=total, page=page, to_node=AuditEntry.from_model)
