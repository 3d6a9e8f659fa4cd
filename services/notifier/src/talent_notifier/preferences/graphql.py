"""Notification preferences in the API: an employee's settings and quiet hours (on
`Employee`, the employee only), HR's defaults (hr_leader and admin)."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum
from typing import Annotated

import strawberry

from talent_notifier.notifications import models as notification_models
from talent_notifier.notifications.category_enum import NotificationCategory
from talent_notifier.notifications.graphql import Ctx, NotificationChannel
from talent_notifier.preferences import models
from talent_notifier.preferences.models import ORG_WIDE
from talent_notifier.preferences.service import Preference, PreferenceService
from talent_platform.graphql import (
    After,
    Conflict,
    Connection,
    First,
    Forbidden,
    NotFound,
    ValidationError,
    connection,
    enum_value,
    page_request,
    run_mutation,
)


@strawberry.enum(description="How often notifications of a category reach a channel.")
class NotificationFrequency(Enum):
    IMMEDIATELY = enum_value("immediately", description="Each one as it happens.")
    DAILY = enum_value(
        "daily", description="Email held for a daily digest (the in-app inbox gets each one)."
    )
    WEEKLY = enum_value(
        "weekly", description="Email held for a weekly digest (the in-app inbox gets each one)."
    )
    OFF = enum_value(
        "off", description="None on this channel, except mandatory compliance notices."
    )


@strawberry.type(
    description="How one category of notifications reaches the employee on one channel."
)
class NotificationPreference:
    category: NotificationCategory = strawberry.field(description="What it is about.")
    channel: NotificationChannel = strawberry.field(description="How it is delivered.")
    frequency: NotificationFrequency = strawberry.field(
        description="What applies: the employee's own choice, else HR's default for their org "
        "unit (the nearest up the unit's path), else the org-wide default, else IMMEDIATELY."
    )
    own: bool = strawberry.field(
        description="True when the employee chose it; false when a default applies."
    )
    mandatory: bool = strawberry.field(
        description="True when some notices of this category are mandatory (compliance "
        "courses, expiring certifications): those are sent at once on every channel "
        "whatever the frequency, OFF included. Setting OFF is allowed and silences the rest."
    )

    @classmethod
    def from_preference(cls, found: Preference) -> NotificationPreference:
        return cls(
            category=NotificationCategory(found.category.value),
            channel=NotificationChannel(found.channel.value),
            frequency=NotificationFrequency(found.frequency.value),
            own=found.own,
            mandatory=found.mandatory,
        )


@strawberry.type(
    description="When the employee gets no email: from start to end, local time in their "
    "time zone (a start after the end runs over midnight). An email due then waits until "
    "the end; the in-app inbox is not affected."
)
class QuietHours:
    start: dt.time = strawberry.field(description="Local time the quiet hours begin.")
    end: dt.time = strawberry.field(description="Local time they end (email goes out then).")
    time_zone: str = strawberry.field(description="IANA time zone name, e.g. Europe/Lisbon.")

    @classmethod
    def from_model(cls, row: models.QuietHours) -> QuietHours:
        return cls(start=row.start, end=row.end, time_zone=row.time_zone)


@strawberry.type(
    description="HR's default for a category on a channel, org-wide or for an org unit and "
    "its sub-units; an employee's own choice overrides it."
)
class NotificationDefault:
    category: NotificationCategory = strawberry.field(description="What it is about.")
    channel: NotificationChannel = strawberry.field(description="How it is delivered.")
    frequency: NotificationFrequency = strawberry.field(description="The default frequency.")
    org_unit_code: str | None = strawberry.field(
        description="The org unit it applies to (with its sub-units); null: the whole organisation."
    )
    updated_at: dt.datetime = strawberry.field(description="When it was last set.")

    @classmethod
    def from_model(cls, row: models.NotificationDefault) -> NotificationDefault:
        return cls(
            category=NotificationCategory(row.category),
            channel=NotificationChannel(row.channel),
            frequency=NotificationFrequency(row.frequency),
            org_unit_code=row.org_unit_code if row.org_unit_code != ORG_WIDE else None,
            updated_at=row.updated_at,
        )


async def preferences_of(info: Ctx, employee_id: uuid.UUID) -> list[NotificationPreference]:
    service = PreferenceService(info.context.session, info.context.principal)
    return [
        NotificationPreference.from_preference(p) for p in await service.preferences(employee_id)
    ]


async def quiet_hours_of(info: Ctx, employee_id: uuid.UUID) -> QuietHours | None:
    service = PreferenceService(info.context.session, info.context.principal)
    found = await service.quiet_hours(employee_id)
    return QuietHours.from_model(found) if found is not None else None


def _domain(
    category: NotificationCategory, channel: NotificationChannel, frequency: NotificationFrequency
) -> tuple[models.Category, notification_models.Channel, models.Frequency]:
    return (
        models.Category(category.value),
        notification_models.Channel(channel.value),
        models.Frequency(frequency.value),
    )


@strawberry.input(description="The caller's own frequency for a category on a channel.")
class SetNotificationPreferenceInput:
    category: NotificationCategory = strawberry.field(description="What it is about.")
    channel: NotificationChannel = strawberry.field(description="How it is delivered.")
    frequency: NotificationFrequency = strawberry.field(
        description="How often; OFF does not stop mandatory compliance notices."
    )


@strawberry.type(description="The caller's preference, as it now applies.")
class SetNotificationPreferencePayload:
    preference: NotificationPreference = strawberry.field(description="The preference.")


@strawberry.input(
    description="The caller's quiet hours: start, end and timeZone together, or clear: true."
)
class SetQuietHoursInput:
    start: dt.time | None = strawberry.field(
        default=None, description="Local time the quiet hours begin (e.g. 22:00:00)."
    )
    end: dt.time | None = strawberry.field(
        default=None, description="Local time they end (e.g. 07:00:00); differs from start."
    )
    time_zone: str | None = strawberry.field(
        default=None, description="IANA time zone name, e.g. Europe/Lisbon."
    )
    clear: bool = strawberry.field(
        default=False, description="True: remove the quiet hours (give nothing else)."
    )


@strawberry.type(description="The caller's quiet hours now.")
class SetQuietHoursPayload:
    quiet_hours: QuietHours | None = strawberry.field(
        description="The quiet hours; null once cleared."
    )


@strawberry.input(description="HR's default for a category on a channel.")
class SetNotificationDefaultInput:
    category: NotificationCategory = strawberry.field(description="What it is about.")
    channel: NotificationChannel = strawberry.field(description="How it is delivered.")
    frequency: NotificationFrequency = strawberry.field(description="The default frequency.")
    org_unit_code: str | None = strawberry.field(
        default=None,
        description="An org unit code (its sub-units follow it unless they have their own); "
        "null: the whole organisation.",
    )


@strawberry.type(description="The default as it is now set.")
class SetNotificationDefaultPayload:
    notification_default: NotificationDefault = strawberry.field(description="The default.")


SetNotificationPreferenceResult = Annotated[
    SetNotificationPreferencePayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "SetNotificationPreferenceResult", description="The preference, or why it was not set."
    ),
]
SetQuietHoursResult = Annotated[
    SetQuietHoursPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("SetQuietHoursResult", description="The quiet hours, or why not set."),
]
SetNotificationDefaultResult = Annotated[
    SetNotificationDefaultPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "SetNotificationDefaultResult", description="The default, or why it was not set."
    ),
]


@strawberry.type
class PreferenceQuery:
    @strawberry.field(
        description="HR's notification defaults, by org unit (org-wide first), category and "
        "channel: hr_leader and admin only (null with a FORBIDDEN error for anyone else)."
    )
    async def notification_defaults(
        self, info: Ctx, first: First = None, after: After = None
    ) -> Connection[NotificationDefault] | None:
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        service = PreferenceService(info.context.session, info.context.principal)
        rows, total = await service.defaults(offset=page.offset, limit=page.limit)
        return connection(rows, total=total, page=page, to_node=NotificationDefault.from_model)


@strawberry.type
class PreferenceMutation:
    @strawberry.mutation(
        description="Set how often the caller hears about a category on a channel (their "
        "own choice overrides HR's defaults)."
    )
    async def set_notification_preference(
        self,
        info: Ctx,
        input: Annotated[
            SetNotificationPreferenceInput, strawberry.argument(description="The preference.")
        ],
    ) -> SetNotificationPreferenceResult:
        service = PreferenceService(info.context.session, info.context.principal)

        async def action() -> SetNotificationPreferencePayload:
            category, channel, frequency = _domain(input.category, input.channel, input.frequency)
            found = await service.set_preference(
                category=category, channel=channel, frequency=frequency
            )
            return SetNotificationPreferencePayload(
                preference=NotificationPreference.from_preference(found)
            )

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Set or clear the caller's quiet hours (email waits until they end). A "
        "time zone that is not an IANA name is a ValidationError naming input.timeZone."
    )
    async def set_quiet_hours(
        self,
        info: Ctx,
        input: Annotated[SetQuietHoursInput, strawberry.argument(description="The quiet hours.")],
    ) -> SetQuietHoursResult:
        service = PreferenceService(info.context.session, info.context.principal)

        async def action() -> SetQuietHoursPayload:
            found = await service.set_quiet_hours(
                start=input.start, end=input.end, time_zone=input.time_zone, clear=input.clear
            )
            return SetQuietHoursPayload(
                quiet_hours=QuietHours.from_model(found) if found is not None else None
            )

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Set HR's default for a category on a channel, org-wide or for an org "
        "unit and its sub-units: hr_leader and admin only; audited."
    )
    async def set_notification_default(
        self,
        info: Ctx,
        input: Annotated[
            SetNotificationDefaultInput, strawberry.argument(description="The default.")
        ],
    ) -> SetNotificationDefaultResult:
        service = PreferenceService(info.context.session, info.context.principal)

        async def action() -> SetNotificationDefaultPayload:
            category, channel, frequency = _domain(input.category, input.channel, input.frequency)
            saved = await service.set_default(
                category=category,
                channel=channel,
                frequency=frequency,
                org_unit_code=input.org_unit_code,
            )
            return SetNotificationDefaultPayload(
                notification_default=NotificationDefault.from_model(saved)
            )

        return await run_mutation(info.context, action)
