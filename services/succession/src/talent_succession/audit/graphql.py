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
    Conflict,
    Connection,
    Forbidden,
    NotFound,
    TalentContext,
    ValidationError,
    connection,
    page_request,
    run_mutation,
)
from talent_succession.audit.models import AuditEntry as AuditEntryModel
from talent_succession.audit.service import AccessService

Ctx = Info[TalentContext, None]


@strawberry.type(
    name="SuccessionAuditEntry", description="One audited read or change of succession data."
)
class AuditEntry:
    at: dt.datetime
    actor: str = strawberry.field(description="The token subject who did it.")
    action: str
    entity: str
    entity_id: str | None
    before: JSON | None
    after: JSON | None

    @classmethod
    def from_model(cls, m: AuditEntryModel) -> AuditEntry:
        return cls(
            at=m.at,
            actor=m.actor,
            action=m.action,
            entity=m.entity,
            entity_id=m.entity_id,
            before=cast(JSON, m.before),
            after=cast(JSON, m.after),
        )


class _AuditRepository(Repository[AuditEntryModel]):
    model = AuditEntryModel


@strawberry.type
class AuditQuery:
    @strawberry.field(description="The succession audit log, newest first (admin, hr_leader only).")
    async def succession_audit_log(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
        entity: str | None = None,
        entity_id: str | None = None,
    ) -> Connection[AuditEntry] | None:
        info.context.principal.require(Role.ADMIN, Role.HR_LEADER)
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        statement = select(AuditEntryModel)
        if entity:
            statement = statement.where(AuditEntryModel.entity == entity)
        if entity_id:
            statement = statement.where(AuditEntryModel.entity_id == entity_id)
        statement = statement.order_by(AuditEntryModel.at.desc(), AuditEntryModel.id)
        rows, total = await _AuditRepository(info.context.session).paginate(
            statement, offset=page.offset, limit=page.limit
        )
        return connection(rows, total=total, page=page, to_node=AuditEntry.from_model)


@strawberry.input
class SuccessionAccessInput:
    subject: str = strawberry.field(description="The hr_coordinator's token subject (employee id).")


@strawberry.type
class AccessGrantPayload:
    subject: str
    granted: bool


AccessGrantResult = Annotated[
    AccessGrantPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("AccessGrantResult"),
]


@strawberry.type
class AccessMutation:
    @strawberry.mutation(
        description="Let an hr_coordinator see and change succession data (admin only)."
    )
    async def grant_succession_access(
        self, info: Ctx, input: SuccessionAccessInput
    ) -> AccessGrantResult:
        service = AccessService(info.context.session, info.context.principal)

        async def action() -> AccessGrantPayload:
            grant = await service.grant(input.subject.strip())
            return AccessGrantPayload(subject=grant.subject, granted=True)

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Withdraw an hr_coordinator's access (admin only).")
    async def revoke_succession_access(
        self, info: Ctx, input: SuccessionAccessInput
    ) -> AccessGrantResult:
        service = AccessService(info.context.session, info.context.principal)

        async def action() -> AccessGrantPayload:
            await service.revoke(input.subject.strip())
            return AccessGrantPayload(subject=input.subject.strip(), granted=False)

        return await run_mutation(info.context, action)
