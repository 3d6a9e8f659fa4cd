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
    Conflict,
    Connection,
    First,
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
    at: dt.datetime = strawberry.field(description="When it happened.")
    actor: str = strawberry.field(description="The token subject who did it.")
    action: str = strawberry.field(
        description="What happened, `<thing>.<verb>`: e.g. `successor.nominated`, "
        "`readiness.assessed`, `potential.assessed`, `slate.read`, `report.read`, "
        "`key_roles.listed`, `diversity.set`, `access.granted`."
    )
    entity: str = strawberry.field(
        description="The kind of record, e.g. `nomination`, `key_role`, "
        "`potential_assessment`, `development_plan`, `employee`, `report`, `import`."
    )
    entity_id: str | None = strawberry.field(
        description="The record's id, or the report, grid or import kind read; null when a "
        "read covered a list (`key_roles.listed`)."
    )
    before: JSON | None = strawberry.field(
        description="The values before a change (JSON object); null for reads and creations."
    )
    after: JSON | None = strawberry.field(
        description="The values after a change, or what a read asked for or returned (JSON "
        "object); null when there is nothing to add (a revoked grant, a talent review read)."
    )

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
    @strawberry.field(
        description="The succession audit log, newest first (admin, hr_leader only; "
        "FORBIDDEN for anyone else)."
    )
    async def succession_audit_log(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        entity: Annotated[
            str | None,
            strawberry.argument(
                description="Only entries about this kind of record, e.g. `nomination`."
            ),
        ] = None,
        entity_id: Annotated[
            str | None,
            strawberry.argument(description="Only entries about this record (id as a string)."),
        ] = None,
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


@strawberry.input(description="Names an hr_coordinator.")
class SuccessionAccessInput:
    subject: str = strawberry.field(description="The hr_coordinator's token subject (employee id).")


@strawberry.type(description="An hr_coordinator's access after a grant or revocation.")
class AccessGrantPayload:
    subject: str = strawberry.field(description="The hr_coordinator's token subject.")
    granted: bool = strawberry.field(
        description="True after a grant (also when it existed), false after a revocation."
    )


AccessGrantResult = Annotated[
    AccessGrantPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("AccessGrantResult", description="The access now, or why it did not change."),
]


@strawberry.type
class AccessMutation:
    @strawberry.mutation(
        description="Let an hr_coordinator see and change succession data (admin only)."
    )
    async def grant_succession_access(
        self,
        info: Ctx,
        input: Annotated[
            SuccessionAccessInput,
            strawberry.argument(description="The hr_coordinator to grant access to."),
        ],
    ) -> AccessGrantResult:
        service = AccessService(info.context.session, info.context.principal)

        async def action() -> AccessGrantPayload:
            grant = await service.grant(input.subject.strip())
            return AccessGrantPayload(subject=grant.subject, granted=True)

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Withdraw an hr_coordinator's access (admin only).")
    async def revoke_succession_access(
        self,
        info: Ctx,
        input: Annotated[
            SuccessionAccessInput,
            strawberry.argument(description="The hr_coordinator whose access ends."),
        ],
    ) -> AccessGrantResult:
        service = AccessService(info.context.session, info.context.principal)

        async def action() -> AccessGrantPayload:
            await service.revoke(input.subject.strip())
            return AccessGrantPayload(subject=input.subject.strip(), granted=False)

        return await run_mutation(info.context, action)
