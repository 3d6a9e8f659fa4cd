"""Admins' list of succession-notice recipients: add, remove, list (audited)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from talent_notifier.notifications.graphql import Ctx, Employee
from talent_notifier.succession import models
from talent_notifier.succession.recipients import SuccessionRecipientService
from talent_platform.graphql import (
    After,
    Conflict,
    Connection,
    First,
    Forbidden,
    NotFound,
    ValidationError,
    connection,
    page_request,
    parse_id,
    run_mutation,
)


@strawberry.type(
    description="An employee who receives succession notices (uncovered key roles, stale "
    "succession records) and the weekly succession digest (admins only)."
)
class SuccessionRecipient:
    id: strawberry.ID = strawberry.field(description="The recipient entry's id.")
    employee: Employee = strawberry.field(description="The employee who receives them.")
    org_unit_code: str | None = strawberry.field(
        description="Only notices about employees of this org unit or its sub-units (stale "
        "records); key-role notices reach every recipient. Null: everyone."
    )
    created_at: dt.datetime = strawberry.field(description="When they were added.")
    created_by: str = strawberry.field(description="Who added them (token subject).")
    removed_at: dt.datetime | None = strawberry.field(
        description="When they were removed; null while they receive succession notices."
    )

    @classmethod
    def from_model(cls, row: models.SuccessionRecipient) -> SuccessionRecipient:
        return cls(
            id=strawberry.ID(str(row.id)),
            employee=Employee(id=strawberry.ID(str(row.employee_id))),
            org_unit_code=row.org_unit_code,
            created_at=row.created_at,
            created_by=row.created_by,
            removed_at=row.removed_at,
        )


@strawberry.input(description="An employee to receive succession notices.")
class AddSuccessionRecipientInput:
    employee_id: strawberry.ID = strawberry.field(
        description="The employee's id (an active employee the notifier knows)."
    )
    org_unit_code: str | None = strawberry.field(
        default=None,
        description="Only notices about employees of this org unit (code) or its sub-units; "
        "null: everyone.",
    )


@strawberry.type(description="The new recipient.")
class AddSuccessionRecipientPayload:
    recipient: SuccessionRecipient = strawberry.field(description="The recipient.")


@strawberry.input(description="The employee to stop sending succession notices to.")
class RemoveSuccessionRecipientInput:
    employee_id: strawberry.ID = strawberry.field(description="The employee's id.")


@strawberry.type(description="The removed recipient: they hear about succession no more.")
class RemoveSuccessionRecipientPayload:
    recipient: SuccessionRecipient = strawberry.field(
        description="The recipient, with `removedAt`."
    )


AddSuccessionRecipientResult = Annotated[
    AddSuccessionRecipientPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "AddSuccessionRecipientResult", description="The recipient, or why they were not added."
    ),
]
RemoveSuccessionRecipientResult = Annotated[
    RemoveSuccessionRecipientPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "RemoveSuccessionRecipientResult",
        description="The removed recipient, or why they were not removed.",
    ),
]


@strawberry.type
class SuccessionRecipientQuery:
    @strawberry.field(
        description="The employees who receive succession notices, newest first: admins "
        "only (null with a FORBIDDEN error for anyone else)."
    )
    async def succession_recipients(
        self, info: Ctx, first: First = None, after: After = None
    ) -> Connection[SuccessionRecipient] | None:
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        service = SuccessionRecipientService(info.context.session, info.context.principal)
        rows, total = await service.page(offset=page.offset, limit=page.limit)
        return connection(rows, total=total, page=page, to_node=SuccessionRecipient.from_model)


@strawberry.type
class SuccessionRecipientMutation:
    @strawberry.mutation(
        description="Send succession notices and the weekly succession digest to an employee "
        "(admins only; audited). Conflict when they already receive them."
    )
    async def add_succession_recipient(
        self,
        info: Ctx,
        input: Annotated[
            AddSuccessionRecipientInput, strawberry.argument(description="The recipient.")
        ],
    ) -> AddSuccessionRecipientResult:
        service = SuccessionRecipientService(info.context.session, info.context.principal)

        async def action() -> AddSuccessionRecipientPayload:
            row = await service.add(
                employee_id=parse_id(input.employee_id, "input.employeeId", "employee id"),
                org_unit_code=input.org_unit_code,
            )
            return AddSuccessionRecipientPayload(recipient=SuccessionRecipient.from_model(row))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Stop sending succession notices to an employee (admins only; audited)."
    )
    async def remove_succession_recipient(
        self,
        info: Ctx,
        input: Annotated[
            RemoveSuccessionRecipientInput, strawberry.argument(description="The recipient.")
        ],
    ) -> RemoveSuccessionRecipientResult:
        service = SuccessionRecipientService(info.context.session, info.context.principal)

        async def action() -> RemoveSuccessionRecipientPayload:
            row = await service.remove(
                parse_id(input.employee_id, "input.employeeId", "employee id")
            )
            return RemoveSuccessionRecipientPayload(recipient=SuccessionRecipient.from_model(row))

        return await run_mutation(info.context, action)
