"""`sendDigests`: an admin makes the digests that are due now, without waiting for the
worker's digest job (the same function, so the same periods and the same idempotency)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

import strawberry

from talent_notifier.config import NotifierSettings
from talent_notifier.digests.service import DigestRun, make_digests
from talent_notifier.notifications.graphql import Ctx
from talent_notifier.preferences.models import Frequency
from talent_platform.errors import Forbidden as ForbiddenError
from talent_platform.graphql import (
    Conflict,
    Forbidden,
    NotFound,
    ValidationError,
    enum_value,
    run_mutation,
)

ADMINS_ONLY = "digests are sent on demand by admins only"


@strawberry.enum(description="Which digests to make.")
class DigestFrequency(Enum):
    DAILY = enum_value("daily", description="The daily digests of held notices.")
    WEEKLY = enum_value(
        "weekly",
        description="The weekly digests of held notices, the managers' and the succession "
        "recipients' weekly digests.",
    )


@strawberry.input(description="Which digests to make now.")
class SendDigestsInput:
    frequency: DigestFrequency = strawberry.field(description="Daily or weekly.")


@strawberry.type(
    description="What was made: digest emails now waiting for the email delivery job. A "
    "period's digest is made once, so a second request in the same period makes none."
)
class SendDigestsPayload:
    digests: int = strawberry.field(description="Digest emails made, managers' included.")
    manager_digests: int = strawberry.field(description="Of those, managers' weekly digests.")
    succession_digests: int = strawberry.field(
        description="Of those, succession recipients' weekly digests."
    )


SendDigestsResult = Annotated[
    SendDigestsPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("SendDigestsResult", description="What was made, or why not."),
]


@strawberry.type
class DigestMutation:
    @strawberry.mutation(
        description="Make the digests of this frequency that are due now (admins only; "
        "Forbidden for anyone else). The email delivery job sends them."
    )
    async def send_digests(
        self,
        info: Ctx,
        input: Annotated[SendDigestsInput, strawberry.argument(description="Which digests.")],
    ) -> SendDigestsResult:
        context = info.context
        settings = context.settings
        hour = (
            settings.digest_hour
            if isinstance(settings, NotifierSettings)
            else NotifierSettings.model_fields["digest_hour"].default
        )
        frequency = Frequency(input.frequency.value)

        async def action() -> SendDigestsPayload:
            if not context.principal.is_admin:
                raise ForbiddenError(ADMINS_ONLY)
            now = dt.datetime.now(dt.UTC)
            run: DigestRun = await context.session.run_sync(
                lambda session: make_digests(session, frequency=frequency, now=now, hour=hour)
            )
            return SendDigestsPayload(
                digests=run.made,
                manager_digests=run.manager_digests,
                succession_digests=run.succession_digests,
            )

        return await run_mutation(context, action)
