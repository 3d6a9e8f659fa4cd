"""The webhook channel's writes and reads of the delivery ledger (synchronous sessions:
the consumer and the delivery job run them): which webhooks a notification goes to, and
the due deliveries with their webhook."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from talent_notifier.db import among
from talent_notifier.notifications.categories import CONFIDENTIAL_CATEGORIES, category_of
from talent_notifier.notifications.models import (
    Audience,
    Channel,
    Delivery,
    DeliveryStatus,
    NotificationKind,
)
from talent_notifier.people.models import EmployeeProjection
from talent_notifier.webhooks.models import Webhook
from talent_platform.auth import unit_in_scope


@dataclass(frozen=True)
class Notice:
    """A notification that was made for an event (someone hears about it)."""

    source_event_id: uuid.UUID
    kind: NotificationKind
    employee_id: uuid.UUID
    data: dict[str, Any]


@dataclass(frozen=True)
class Subscription:
    webhook_id: uuid.UUID
    org_unit_code: str | None
    categories: frozenset[str]

    def matches(self, notice: Notice, *, org_unit_code: str | None) -> bool:
        """Its categories (none: all but the confidential ones) hold the notice's, and
        the employee it is about is in its org unit or below (none: anywhere; an employee
        the projection does not know yet, or a key role, is in no org unit)."""
        category = category_of(notice.kind)
        if category in CONFIDENTIAL_CATEGORIES and category.value not in self.categories:
            return False
        if self.categories and category.value not in self.categories:
            return False
        return self.org_unit_code is None or unit_in_scope(org_unit_code, {self.org_unit_code})


def subscriptions(session: Session) -> list[Subscription]:
    rows = session.execute(
        select(Webhook.id, Webhook.org_unit_code, Webhook.categories).where(
            Webhook.deleted_at.is_(None)
        )
    )
    return [Subscription(row.id, row.org_unit_code, frozenset(row.categories)) for row in rows]


def org_units_of(session: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str | None]:
    if not ids:
        return {}
    rows = session.execute(
        select(EmployeeProjection.employee_id, EmployeeProjection.org_unit_code).where(
            among(EmployeeProjection.employee_id, ids)
        )
    )
    return {row.employee_id: row.org_unit_code for row in rows}


def webhook_deliveries(
    session: Session, notices: Sequence[Notice], *, now: dt.datetime
) -> list[dict[str, Any]]:
    """Ledger rows (PENDING, due now) for the webhooks each notice matches: one per
    (source event, webhook), the webhook's id standing as the recipient, so the ledger's
    unique key makes a redelivered event create nothing new."""
    if not notices:
        return []
    hooks = subscriptions(session)
    if not hooks:
        return []
    units = org_units_of(session, {notice.employee_id for notice in notices})
    rows: list[dict[str, Any]] = []
    for notice in notices:
        unit = units.get(notice.employee_id)
        for hook in hooks:
            if not hook.matches(notice, org_unit_code=unit):
                continue
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "source_event_id": notice.source_event_id,
                    "recipient_id": hook.webhook_id,
                    "channel": Channel.WEBHOOK.value,
                    "kind": notice.kind.value,
                    "audience": Audience.WEBHOOK.value,
                    "subject_employee_id": notice.employee_id,
                    "data": notice.data,
                    "status": DeliveryStatus.PENDING.value,
                    "attempts": 0,
                    "sent_at": None,
                    "next_attempt_at": now,
                    "digest": None,
                }
            )
    return rows


@dataclass(frozen=True)
class DueWebhook:
    delivery: Delivery
    webhook: Webhook | None
    about_name: str | None
    """The name of the employee it is about, as the projection knows it now."""


def due_webhooks(session: Session, *, now: dt.datetime, limit: int) -> list[DueWebhook]:
    """Pending webhook deliveries whose next attempt is due, oldest first, locked for
    this transaction (rows another replica's run holds are skipped), with their webhook."""
    found = session.execute(
        select(Delivery, Webhook)
        .outerjoin(Webhook, Webhook.id == Delivery.recipient_id)
        .where(
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.channel == Channel.WEBHOOK,
            Delivery.next_attempt_at <= now,
        )
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Delivery)
    ).all()
    ids = {delivery.subject_employee_id for delivery, _ in found}
    names: dict[uuid.UUID, str] = {}
    if ids:
        names = {
            row.employee_id: row.name
            for row in session.execute(
                select(EmployeeProjection.employee_id, EmployeeProjection.name).where(
                    among(EmployeeProjection.employee_id, ids)
                )
            )
        }
    return [
        DueWebhook(delivery, webhook, names.get(delivery.subject_employee_id))
        for delivery, webhook in found
    ]
