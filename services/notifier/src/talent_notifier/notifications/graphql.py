"""The in-app inbox and the admins' view of the delivery ledger."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
import uuid
from collections.abc import AsyncGenerator
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from talent_notifier.config import NotifierSettings
from talent_notifier.notifications import models
from talent_notifier.notifications.live import HubFull, InboxHub
from talent_notifier.notifications.messages import subject_of
from talent_notifier.notifications.models import Audience, Delivery
from talent_notifier.notifications.repository import DeliveryRepository
from talent_notifier.notifications.service import ONLY_RECIPIENT, NotificationService
from talent_notifier.webhooks.graphql import WebhookNode
from talent_notifier.webhooks.service import WebhookService
from talent_platform.errors import DomainError
from talent_platform.errors import Forbidden as Refused
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
    enum_value,
    page_request,
    parse_id,
    run_mutation,
)

if TYPE_CHECKING:
    from talent_notifier.preferences.graphql import NotificationPreference, QuietHours

Ctx = Info[TalentContext, None]


@strawberry.enum(description="What a notification is about.")
class NotificationKind(Enum):
    ENROLLMENT_ASSIGNED = enum_value(
        "enrollment_assigned", description="A course was assigned to the recipient."
    )
    ENROLLMENT_DUE_SOON = enum_value(
        "enrollment_due_soon", description="One of the recipient's courses is due soon."
    )
    ENROLLMENT_OVERDUE = enum_value(
        "enrollment_overdue",
        description="A course of the recipient's, or of their direct report's, is overdue.",
    )
    CERTIFICATION_EXPIRING = enum_value(
        "certification_expiring", description="The recipient's certification expires soon."
    )
    REVIEW_DUE_SOON = enum_value(
        "review_due_soon",
        description="A review the recipient must write (self, manager or peer) is due soon.",
    )
    REVIEW_OVERDUE = enum_value(
        "review_overdue",
        description="A review the recipient must write is overdue, or one that someone in "
        "their reporting line must write (their direct report; past the escalation "
        "threshold, their report's report).",
    )
    REVIEW_RELEASED = enum_value(
        "review_released",
        description="The recipient's review of a cycle was released and can be read "
        "(the notice itself carries no rating).",
    )
    REVIEW_PHASE_OPENED = enum_value(
        "review_phase_opened",
        description="A review phase opened in which the recipient has reviews to write "
        "(one notice per cycle and phase, listing the employees).",
    )
    ANNOUNCEMENT = enum_value(
        "announcement",
        description="An announcement an HR coordinator, HR leader or admin sent to a "
        "population the recipient is in (`sendAnnouncement`).",
    )
    TEAM_RECOMMENDATIONS = enum_value(
        "team_recommendations",
        description="New recommended development actions (courses) for one of the "
        "recipient's direct reports: one notice per report and recommender batch.",
    )
    KEY_ROLE_UNCOVERED = enum_value(
        "key_role_uncovered",
        description="A key role has no ready-now successor (to succession recipients: the "
        "role, its criticality and how many successors are named, never who).",
    )
    SUCCESSION_RECORD_STALE = enum_value(
        "succession_record_stale",
        description="A potential assessment, readiness assessment or development plan was "
        "not reviewed by its review-by date (to succession recipients; never its value).",
    )
    DIGEST = enum_value(
        "digest", description="The recipient's held notices of a day or a week, in one email."
    )
    MANAGER_DIGEST = enum_value(
        "manager_digest",
        description="A manager's weekly email about their direct reports' learning.",
    )
    SUCCESSION_DIGEST = enum_value(
        "succession_digest",
        description="A succession recipient's weekly email: uncovered key roles, stale "
        "succession records, new successor suggestions for critical key roles.",
    )


@strawberry.enum(description="How a notification reaches its recipient.")
class NotificationChannel(Enum):
    IN_APP = enum_value("in_app", description="The in-app inbox (`Employee.notifications`).")
    EMAIL = enum_value("email", description="Email over SMTP.")
    WEBHOOK = enum_value(
        "webhook", description="A registered webhook (signed JSON over HTTP); see `webhooks`."
    )


@strawberry.enum(description="Where a delivery stands.")
class NotificationDeliveryStatus(Enum):
    PENDING = enum_value("pending", description="Not sent yet, or waiting for a retry.")
    SENT = enum_value("sent", description="Delivered (for in-app: in the inbox).")
    FAILED = enum_value("failed", description="Given up after the last retry.")
    DIGEST = enum_value(
        "digest",
        description="An email held for the recipient's daily or weekly digest (not sent "
        "on its own).",
    )


@strawberry.federation.type(
    keys=["id"],
    description="A person (owned by the people service); the notifier adds their in-app "
    "notifications.",
)
class Employee:
    id: strawberry.ID = strawberry.field(description="The employee's id (UUID), as in people.")

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Employee:
        return cls(id=id)

    @strawberry.field(
        description="The employee's in-app notifications, newest first. Visible to the "
        "employee only (`me { notifications }`); null with a FORBIDDEN error for anyone else."
    )
    async def notifications(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        unread_only: Annotated[
            bool, strawberry.argument(description="Only those not marked read yet.")
        ] = False,
    ) -> Connection[Notification] | None:
        try:
            employee_id = uuid.UUID(str(self.id))
        except ValueError:
            return None
        return await inbox(info, employee_id, unread_only=unread_only, first=first, after=after)

    @strawberry.field(
        description="How many of the employee's in-app notifications are unread. Visible to "
        "the employee only; null with a FORBIDDEN error for anyone else."
    )
    async def unread_notifications(self, info: Ctx) -> int | None:
        try:
            employee_id = uuid.UUID(str(self.id))
        except ValueError:
            return None
        service = NotificationService(info.context.session, info.context.principal)
        return await service.unread_count(employee_id)

    @strawberry.field(
        description="How each category of notifications reaches the employee on each "
        "channel. Visible to the employee only; null with a FORBIDDEN error for anyone else."
    )
    async def notification_preferences(
        self, info: Ctx
    ) -> (
        list[
            Annotated[
                NotificationPreference, strawberry.lazy("talent_notifier.preferences.graphql")
            ]
        ]
        | None
    ):
        from talent_notifier.preferences.graphql import preferences_of

        try:
            employee_id = uuid.UUID(str(self.id))
        except ValueError:
            return None
        return await preferences_of(info, employee_id)

    @strawberry.field(
        description="The employee's quiet hours (no email then); null when they have none. "
        "Visible to the employee only; null with a FORBIDDEN error for anyone else."
    )
    async def quiet_hours(
        self, info: Ctx
    ) -> Annotated[QuietHours, strawberry.lazy("talent_notifier.preferences.graphql")] | None:
        from talent_notifier.preferences.graphql import quiet_hours_of

        try:
            employee_id = uuid.UUID(str(self.id))
        except ValueError:
            return None
        return await quiet_hours_of(info, employee_id)


@strawberry.type(description="One notification in the recipient's in-app inbox.")
class Notification:
    id: strawberry.ID = strawberry.field(description="The notification's id.")
    kind: NotificationKind = strawberry.field(description="What it is about.")
    title: str = strawberry.field(description="One line, as the email's subject says it.")
    course_code: str | None = strawberry.field(description="The course it concerns.")
    due_on: dt.date | None = strawberry.field(
        description="The enrollment's due date (ISO date), when it has one."
    )
    valid_until: dt.date | None = strawberry.field(
        description="Last valid day of an expiring certification (ISO date)."
    )
    about: Employee = strawberry.field(
        description="The employee it is about: the recipient, or their direct report."
    )
    created_at: dt.datetime = strawberry.field(description="When it was made.")
    read_at: dt.datetime | None = strawberry.field(description="When it was read; null: unread.")

    @strawberry.field(description="True once it was marked read.")
    def read(self) -> bool:
        return self.read_at is not None

    @classmethod
    def from_model(cls, row: Delivery, *, about_name: str) -> Notification:
        kind = models.NotificationKind(row.kind)
        data = row.data
        return cls(
            id=strawberry.ID(str(row.id)),
            kind=NotificationKind(row.kind),
            title=subject_of(kind, data, audience=Audience(row.audience), about_name=about_name),
            course_code=data.get("course_code"),
            due_on=_date(data.get("due_on")),
            valid_until=_date(data.get("valid_until")),
            about=Employee(id=strawberry.ID(str(row.subject_employee_id))),
            created_at=row.created_at,
            read_at=row.read_at,
        )


def _date(value: object) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


@strawberry.type(
    description="One row of the delivery ledger: a notification to one recipient on one "
    "channel, with its attempts (admins only)."
)
class NotificationDelivery:
    id: strawberry.ID = strawberry.field(description="The ledger row's id.")
    source_event_id: strawberry.ID = strawberry.field(
        description="`ce_id` of the event the notification comes from."
    )
    kind: NotificationKind = strawberry.field(description="What it is about.")
    title: str = strawberry.field(description="What it says in one line (the email's subject).")
    channel: NotificationChannel = strawberry.field(description="How it is delivered.")
    status: NotificationDeliveryStatus = strawberry.field(description="Where it stands.")
    attempts: int = strawberry.field(description="Attempts made so far.")
    last_error: str | None = strawberry.field(
        description="Why the last attempt failed; null when it did not."
    )
    recipient: Employee | None = strawberry.field(
        description="Who it is for; null on the WEBHOOK channel (see `webhook`)."
    )
    webhook_id: strawberry.Private[uuid.UUID | None]
    created_at: dt.datetime = strawberry.field(description="When it was recorded.")
    sent_at: dt.datetime | None = strawberry.field(description="When it was delivered.")
    next_attempt_at: dt.datetime | None = strawberry.field(
        description="When a PENDING email or webhook delivery is tried next."
    )

    @strawberry.field(description="The webhook it is for, on the WEBHOOK channel; else null.")
    async def webhook(self, info: Ctx) -> WebhookNode | None:
        if self.webhook_id is None:
            return None
        return await info.context.loader("webhook.by_id", partial(_webhooks, info)).load(
            self.webhook_id
        )

    @classmethod
    def from_model(cls, row: Delivery, *, about_name: str) -> NotificationDelivery:
        on_webhook = row.channel == models.Channel.WEBHOOK
        return cls(
            id=strawberry.ID(str(row.id)),
            source_event_id=strawberry.ID(str(row.source_event_id)),
            kind=NotificationKind(row.kind),
            title=subject_of(
                models.NotificationKind(row.kind),
                row.data,
                audience=Audience(row.audience),
                about_name=about_name,
            ),
            channel=NotificationChannel(row.channel),
            status=NotificationDeliveryStatus(row.status),
            attempts=row.attempts,
            last_error=row.last_error,
            recipient=None if on_webhook else Employee(id=strawberry.ID(str(row.recipient_id))),
            webhook_id=row.recipient_id if on_webhook else None,
            created_at=row.created_at,
            sent_at=row.sent_at,
            next_attempt_at=row.next_attempt_at,
        )


async def _webhooks(info: Ctx, ids: list[uuid.UUID]) -> list[WebhookNode | None]:
    found = await WebhookService(info.context.session, info.context.principal).by_ids(ids)
    return [WebhookNode.from_model(found[i]) if i in found else None for i in ids]


async def inbox(
    info: Ctx, employee_id: uuid.UUID, *, unread_only: bool, first: int | None, after: str | None
) -> Connection[Notification]:
    page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
    service = NotificationService(info.context.session, info.context.principal)
    found = await service.inbox(
        employee_id, unread_only=unread_only, offset=page.offset, limit=page.limit
    )
    return connection(
        found.rows,
        total=found.total,
        page=page,
        to_node=lambda row: Notification.from_model(
            row, about_name=found.names.get(row.subject_employee_id, "your report")
        ),
    )


@strawberry.type
class NotificationQuery:
    @strawberry.field(
        description="The delivery ledger, newest first, with delivery errors: admins only "
        "(null with a FORBIDDEN error for anyone else)."
    )
    async def notification_deliveries(
        self,
        info: Ctx,
        status: Annotated[
            NotificationDeliveryStatus | None,
            strawberry.argument(description="Only rows with this status; null: all."),
        ] = None,
        kind: Annotated[
            NotificationKind | None,
            strawberry.argument(description="Only notifications of this kind; null: all."),
        ] = None,
        channel: Annotated[
            NotificationChannel | None,
            strawberry.argument(description="Only this channel; null: all."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[NotificationDelivery] | None:
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        service = NotificationService(info.context.session, info.context.principal)
        found = await service.ledger(
            status=models.DeliveryStatus(status.value) if status is not None else None,
            kind=models.NotificationKind(kind.value) if kind is not None else None,
            channel=models.Channel(channel.value) if channel is not None else None,
            offset=page.offset,
            limit=page.limit,
        )
        return connection(
            found.rows,
            total=found.total,
            page=page,
            to_node=lambda row: NotificationDelivery.from_model(
                row, about_name=found.names.get(row.subject_employee_id, "your report")
            ),
        )


@strawberry.input(description="The notification to mark read.")
class MarkNotificationReadInput:
    id: strawberry.ID = strawberry.field(description="One of the caller's notifications.")


@strawberry.type(description="The notification, now read.")
class MarkNotificationReadPayload:
    notification: Notification = strawberry.field(description="The notification.")
    unread_notifications: int = strawberry.field(description="The caller's unread count now.")


@strawberry.type(description="How many notifications were marked read.")
class MarkAllNotificationsReadPayload:
    marked: int = strawberry.field(description="Notifications that were unread until now.")
    unread_notifications: int = strawberry.field(description="The caller's unread count now (0).")


MarkNotificationReadResult = Annotated[
    MarkNotificationReadPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "MarkNotificationReadResult", description="The notification, or why it was not marked."
    ),
]
MarkAllNotificationsReadResult = Annotated[
    MarkAllNotificationsReadPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "MarkAllNotificationsReadResult", description="The count, or why nothing was marked."
    ),
]


@strawberry.type
class NotificationMutation:
    @strawberry.mutation(
        description="Mark one of the caller's in-app notifications read; NotFound for any "
        "other id (someone else's notifications are not revealed)."
    )
    async def mark_notification_read(
        self,
        info: Ctx,
        input: Annotated[
            MarkNotificationReadInput, strawberry.argument(description="The notification.")
        ],
    ) -> MarkNotificationReadResult:
        service = NotificationService(info.context.session, info.context.principal)

        async def action() -> MarkNotificationReadPayload:
            row = await service.mark_read(parse_id(input.id, "input.id", "notification id"))
            names = await service.deliveries.names({row.subject_employee_id})
            return MarkNotificationReadPayload(
                notification=Notification.from_model(
                    row, about_name=names.get(row.subject_employee_id, "your report")
                ),
                unread_notifications=await service.unread(),
            )

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Mark every in-app notification of the caller read.")
    async def mark_all_notifications_read(self, info: Ctx) -> MarkAllNotificationsReadResult:
        service = NotificationService(info.context.session, info.context.principal)

        async def action() -> MarkAllNotificationsReadPayload:
            marked = await service.mark_all_read()
            return MarkAllNotificationsReadPayload(marked=marked, unread_notifications=0)

        return await run_mutation(info.context, action)


class SubscriptionsUnavailable(DomainError):
    code = "SERVICE_UNAVAILABLE"


# A worker's transaction may commit this long after it stamped its rows' `created_at`
# (and worker and API clocks may differ by as much): a subscription reads back this far.
LATE_COMMIT = dt.timedelta(minutes=5)


def live_settings(info: Ctx) -> NotifierSettings:
    settings = info.context.settings
    return settings if isinstance(settings, NotifierSettings) else NotifierSettings()


def inbox_hub(info: Ctx) -> InboxHub:
    """The API process's hub (`app.state.inbox_hub`, made on first use)."""
    request = info.context.request
    if request is None:
        raise SubscriptionsUnavailable("live notifications are served over HTTP only")
    state = request.app.state
    hub = getattr(state, "inbox_hub", None)
    if not isinstance(hub, InboxHub):
        settings = live_settings(info)
        hub = InboxHub(
            settings.database_url,
            capacity=settings.subscription_capacity,
            reads=max(1, settings.database_pool_size - 2),
        )
        state.inbox_hub = hub
    return hub


class _NewRows:
    """A subscription's reads of its recipient's inbox: each read gives the in-app rows
    committed since the previous one (rows that existed when it started are never given)."""

    def __init__(self, info: Ctx, recipient_id: uuid.UUID, hub: InboxHub) -> None:
        self.info = info
        self.recipient_id = recipient_id
        self.hub = hub
        self.seen: dict[uuid.UUID, dt.datetime] = {}

    async def read(self) -> list[Notification]:
        since = dt.datetime.now(dt.UTC) - LATE_COMMIT
        async with self.hub.reads, self.info.context.sessions() as session:
            deliveries = DeliveryRepository(session)
            rows = list(
                await session.scalars(
                    deliveries.inbox(self.recipient_id, unread_only=False)
                    .where(Delivery.created_at >= since)
                    .order_by(None)
                    .order_by(Delivery.created_at, Delivery.id)
                )
            )
            new = [row for row in rows if row.id not in self.seen]
            names = await deliveries.names({row.subject_employee_id for row in new})
        self.seen = {row.id: row.created_at for row in rows}
        return [
            Notification.from_model(
                row, about_name=names.get(row.subject_employee_id, "your report")
            )
            for row in new
        ]


@strawberry.type
class NotificationSubscription:
    @strawberry.subscription(
        description="The caller's new in-app notifications, pushed as they are made "
        "(GraphQL over Server-Sent Events through the gateway; see docs/api.md). Only "
        "notifications made after the subscription started: on (re)connecting, query "
        "`me { notifications(unreadOnly: true) }` to catch up. The server completes the "
        "subscription after an hour (TALENT_NOTIFIER_SUBSCRIPTION_MAX_S): reconnect. "
        "FORBIDDEN for a token that names no employee; SERVICE_UNAVAILABLE when the "
        "service holds as many subscriptions as it may (retry later, or poll)."
    )
    async def notification_added(self, info: Ctx) -> AsyncGenerator[Notification, None]:
        me = info.context.principal.employee_id
        if me is None:
            raise Refused(ONLY_RECIPIENT)
        settings = live_settings(info)
        ends = time.monotonic() + settings.subscription_max_s
        hub = inbox_hub(info)
        reads = _NewRows(info, me, hub)
        await reads.read()  # what exists now is not new
        async with contextlib.AsyncExitStack() as stack:
            try:
                wake = await stack.enter_async_context(hub.subscribe(me))
            except (HubFull, TimeoutError):
                raise SubscriptionsUnavailable(
                    "live notifications are unavailable right now; query notifications instead"
                ) from None
            # Listening now; a read right away gives what was committed in between.
            while True:
                wake.clear()
                for notification in await reads.read():
                    yield notification
                left = ends - time.monotonic()
                if left <= 0:
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), min(left, settings.subscription_poll_s))
