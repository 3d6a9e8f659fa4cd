from __future__ import annotations

import datetime as dt
from typing import Annotated, cast

import strawberry
from sqlalchemy import select
from strawberry.scalars import JSON
from strawberry.types import Info

from talent_platform.auth import Role
from talent_platform.db import Repository
from talent_platform.graphql import (
    After,
    Connection,
    First,
    TalentContext,
    connection,
    page_request,
    parse_id,
)
from talent_recommender.audit.models import AuditEntry as AuditEntryModel

Ctx = Info[TalentContext, None]


@strawberry.type(
    name="RecommenderAuditEntry",
    description="One audited read of successor suggestions or dismissal of one.",
)
class AuditEntry:
    at: dt.datetime = strawberry.field(description="When it happened (ISO date-time with offset).")
    actor: str = strawberry.field(description="The token subject who did it.")
    action: str = strawberry.field(
        description="`successor_suggestions.read` or `successor_suggestion.dismissed`."
    )
    entity: str = strawberry.field(description="`key_role`.")
    entity_id: str | None = strawberry.field(description="The key role's id.")
    after: JSON | None = strawberry.field(
        description="For a read: the employees suggested, in order, and how many candidates "
        "were ranked; for a dismissal: the employee, the suggestion's id and the reason."
    )

    @classmethod
    def from_model(cls, m: AuditEntryModel) -> AuditEntry:
        return cls(
            at=m.at,
            actor=m.actor,
            action=m.action,
            entity=m.entity,
            entity_id=m.entity_id,
            after=cast(JSON, m.after),
        )


class _AuditRepository(Repository[AuditEntryModel]):
    model = AuditEntryModel


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="The recommender's audit trail, newest first: who read successor "
        "suggestions and who dismissed one (admin, hr_leader only; FORBIDDEN otherwise)."
    )
    async def recommender_audit_log(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        key_role_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only entries about this key role (its UUID)."),
        ] = None,
    ) -> Connection[AuditEntry] | None:
        info.context.principal.require(Role.ADMIN, Role.HR_LEADER)
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        statement = select(AuditEntryModel)
        if key_role_id is not None:
            statement = statement.where(
                AuditEntryModel.entity == "key_role",
                AuditEntryModel.entity_id == str(parse_id(key_role_id, "keyRoleId", "key role id")),
            )
        statement = statement.order_by(AuditEntryModel.at.desc(), AuditEntryModel.id)
        rows, total = await _AuditRepository(info.context.session).paginate(
            statement, offset=page.offset, limit=page.limit
        )
        return connection(rows, total=total, page=page, to_node=AuditEntry.from_model)
