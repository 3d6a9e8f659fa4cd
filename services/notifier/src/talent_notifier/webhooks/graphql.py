"""Admins' webhooks: register (the secret is shown once), list, delete."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.types import Info

from talent_notifier.notifications.categories import NotificationCategory as Category
from talent_notifier.notifications.category_enum import NotificationCategory
from talent_notifier.webhooks import models
from talent_notifier.webhooks.service import WebhookService
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
    parse_id,
    run_mutation,
)

Ctx = Info[TalentContext, None]


@strawberry.type(
    name="Webhook",
    description="An HTTP endpoint that receives notifications as signed JSON (Standard "
    "Webhooks), for an org unit and some categories (admins only).",
)
class WebhookNode:
    id: strawberry.ID = strawberry.field(description="The webhook's id.")
    url: str = strawberry.field(description="Where the notifications are POSTed.")
    org_unit_code: str | None = strawberry.field(
        description="Only notifications about employees of this org unit or its sub-units; "
        "null: everyone."
    )
    categories: list[NotificationCategory] = strawberry.field(
        description="Only notifications of these categories; empty: every category."
    )
    created_at: dt.datetime = strawberry.field(description="When it was registered.")
    created_by: str = strawberry.field(description="Who registered it (token subject).")
    deleted_at: dt.datetime | None = strawberry.field(
        description="When it was deleted; null while it receives notifications."
    )

    @classmethod
    def from_model(cls, row: models.Webhook) -> WebhookNode:
        return cls(
            id=strawberry.ID(str(row.id)),
            url=row.url,
            org_unit_code=row.org_unit_code,
            categories=[NotificationCategory(c) for c in row.categories],
            created_at=row.created_at,
            created_by=row.created_by,
            deleted_at=row.deleted_at,
        )


@strawberry.input(description="A webhook to register.")
class CreateWebhookInput:
    url: str = strawberry.field(description="An http or https URL, without credentials.")
    org_unit_code: str | None = strawberry.field(
        default=None,
        description="Only notifications about employees of this org unit (code) or its "
        "sub-units; null: everyone.",
    )
    categories: list[NotificationCategory] | None = strawberry.field(
        default=None, description="Only these categories; null or empty: every category."
    )


@strawberry.type(description="The registered webhook and its signing secret.")
class CreateWebhookPayload:
    webhook: WebhookNode = strawberry.field(description="The webhook.")
    secret: str = strawberry.field(
        description="The signing secret (`whsec_...`): shown this once, never again. "
        "Receivers verify `webhook-signature` with it."
    )


@strawberry.input(description="The webhook to delete.")
class DeleteWebhookInput:
    id: strawberry.ID = strawberry.field(description="The webhook's id.")


@strawberry.type(description="The deleted webhook: it receives nothing more.")
class DeleteWebhookPayload:
    webhook: WebhookNode = strawberry.field(description="The webhook, with `deletedAt`.")


CreateWebhookResult = Annotated[
    CreateWebhookPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("CreateWebhookResult", description="The webhook, or why it was not made."),
]
DeleteWebhookResult = Annotated[
    DeleteWebhookPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "DeleteWebhookResult", description="The deleted webhook, or why it was not deleted."
    ),
]


@strawberry.type
class WebhookQuery:
    @strawberry.field(
        description="The registered webhooks, newest first (without their secrets): admins "
        "only (null with a FORBIDDEN error for anyone else)."
    )
    async def webhooks(
        self, info: Ctx, first: First = None, after: After = None
    ) -> Connection[WebhookNode] | None:
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        service = WebhookService(info.context.session, info.context.principal)
        rows, total = await service.page(offset=page.offset, limit=page.limit)
        return connection(rows, total=total, page=page, to_node=WebhookNode.from_model)


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        description="Register a webhook (admins only; audited). The answer carries its "
        "signing secret, shown this once."
    )
    async def create_webhook(
        self,
        info: Ctx,
        input: Annotated[CreateWebhookInput, strawberry.argument(description="The webhook.")],
    ) -> CreateWebhookResult:
        service = WebhookService(info.context.session, info.context.principal)

        async def action() -> CreateWebhookPayload:
            row = await service.create(
                url=input.url,
                org_unit_code=input.org_unit_code,
                categories=[Category(c.value) for c in input.categories or []],
            )
            return CreateWebhookPayload(webhook=WebhookNode.from_model(row), secret=row.secret)

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Delete a webhook (admins only; audited): it receives nothing more, and "
        "what it still had pending is FAILED."
    )
    async def delete_webhook(
        self,
        info: Ctx,
        input: Annotated[DeleteWebhookInput, strawberry.argument(description="The webhook.")],
    ) -> DeleteWebhookResult:
        service = WebhookService(info.context.session, info.context.principal)

        async def action() -> DeleteWebhookPayload:
            row = await service.delete(parse_id(input.id, "input.id", "webhook id"))
            return DeleteWebhookPayload(webhook=WebhookNode.from_model(row))

        return await run_mutation(info.context, action)
