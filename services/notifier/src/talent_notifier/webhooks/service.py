"""Registering and deleting webhooks (admins only, audited): the URL is checked, the
secret is made here and shown once, in the answer to `createWebhook`."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from urllib.parse import urlsplit

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_notifier.audit.models import AuditEntry
from talent_notifier.notifications.categories import NotificationCategory
from talent_notifier.webhooks.models import Webhook
from talent_notifier.webhooks.signing import new_secret
from talent_platform.audit import record_audit
from talent_platform.auth import Principal
from talent_platform.db.repository import Repository
from talent_platform.errors import ErrorCollector, Forbidden, NotFound

ADMINS_ONLY = "webhooks are managed by admins only"
MAX_URL_LENGTH = 2000
MAX_ORG_UNIT_LENGTH = 200


class WebhookRepository(Repository[Webhook]):
    model = Webhook
    entity_name = "webhook"

    def active(self) -> Select[Webhook]:
        return (
            select(Webhook)
            .where(Webhook.deleted_at.is_(None))
            .order_by(Webhook.created_at.desc(), Webhook.id.desc())
        )

    async def active_one(self, webhook_id: uuid.UUID) -> Webhook | None:
        return await self.one_or_none(
            select(Webhook).where(Webhook.id == webhook_id, Webhook.deleted_at.is_(None))
        )


def url_problem(url: str) -> str | None:
    """Why `url` cannot be a webhook's address (None: it can)."""
    if len(url) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters"
    if url != url.strip() or any(c.isspace() or ord(c) < 32 for c in url):
        return "must not contain spaces or control characters"
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError on a port that is not a number
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in {"http", "https"}:
        return "must be an http or https URL"
    if not parts.hostname:
        return "must name a host"
    if parts.username is not None or parts.password is not None:
        return "must not carry credentials (the signature authenticates the sender)"
    if parts.fragment:
        return "must not have a fragment"
    return None


def audited(webhook: Webhook) -> dict[str, object]:
    """What the audit log keeps of a webhook (never its secret)."""
    return {
        "url": webhook.url,
        "org_unit_code": webhook.org_unit_code,
        "categories": list(webhook.categories),
    }


class WebhookService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.webhooks = WebhookRepository(session)

    def _admin(self) -> None:
        if not self.principal.is_admin:
            raise Forbidden(ADMINS_ONLY)

    async def create(
        self,
        *,
        url: str,
        org_unit_code: str | None,
        categories: Sequence[NotificationCategory],
    ) -> Webhook:
        self._admin()
        errors = ErrorCollector()
        problem = url_problem(url)
        if problem is not None:
            errors.add("input.url", problem)
        if org_unit_code is not None:
            org_unit_code = org_unit_code.strip()
            if not org_unit_code:
                errors.add("input.orgUnitCode", "must not be empty (leave it out for everyone)")
            elif len(org_unit_code) > MAX_ORG_UNIT_LENGTH:
                errors.add("input.orgUnitCode", f"must be at most {MAX_ORG_UNIT_LENGTH} characters")
        errors.raise_if_any()
        webhook = await self.webhooks.create(
            Webhook(
                id=uuid.uuid4(),
                url=url,
                secret=new_secret(),
                org_unit_code=org_unit_code,
                categories=sorted({c.value for c in categories}),
                created_by=self.principal.subject,
            )
        )
        await record_audit(
            self.session,
            AuditEntry,
            self.principal,
            "webhook.created",
            "webhook",
            webhook.id,
            after=audited(webhook),
        )
        return webhook

    async def delete(self, webhook_id: uuid.UUID) -> Webhook:
        """Delete a webhook: it receives nothing more (what it had pending is FAILED when
        its turn comes); kept for the ledger and the audit log."""
        self._admin()
        webhook = await self.webhooks.active_one(webhook_id)
        if webhook is None:
            raise NotFound("webhook", webhook_id)
        now = dt.datetime.now(dt.UTC)
        await self.webhooks.update(webhook, {"deleted_at": now, "updated_at": now})
        await record_audit(
            self.session,
            AuditEntry,
            self.principal,
            "webhook.deleted",
            "webhook",
            webhook.id,
            before=audited(webhook),
        )
        return webhook

    async def page(self, *, offset: int, limit: int) -> tuple[Sequence[Webhook], int]:
        self._admin()
        return await self.webhooks.paginate(self.webhooks.active(), offset=offset, limit=limit)

    async def by_ids(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Webhook]:
        """Webhooks by id, deleted ones too (the ledger names where a row went)."""
        if not ids:
            return {}
        found = await self.webhooks.list(select(Webhook).where(Webhook.id.in_(list(ids))))
        return {webhook.id: webhook for webhook in found}
