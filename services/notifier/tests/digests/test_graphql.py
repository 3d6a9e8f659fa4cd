"""`sendDigests` through the subgraph: admins only; it makes the digests due now, once
per period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_notifier.notifications.models import Delivery, NotificationKind
from talent_notifier.preferences.models import Frequency
from talent_platform.auth import Principal, Role

from ..factories import ADMIN, deliver, execute, principal_of
from ..preferences.factories import assigned_for, choose, hire_in
from .factories import recorded_at

SEND = """
mutation ($frequency: DigestFrequency!) {
  sendDigests(input: {frequency: $frequency}) {
    __typename
    ... on SendDigestsPayload { digests managerDigests }
    ... on Error { code }
  }
}
"""

HR_LEADER = Principal(subject="hr", employee_id=None, roles=frozenset({Role.HR_LEADER}))


async def send(session: AsyncSession, as_: Principal, frequency: str = "WEEKLY") -> Any:
    data = await execute(session, SEND, as_=as_, variables={"frequency": frequency})
    return data["sendDigests"]


async def digest_rows(session: AsyncSession) -> list[Delivery]:
    return list(
        (
            await session.scalars(select(Delivery).where(Delivery.kind == NotificationKind.DIGEST))
        ).all()
    )


async def test_only_admins_send_digests_on_demand_once_per_period(session: AsyncSession) -> None:
    def build(sync: Any) -> Any:
        ana = hire_in(sync, "Ana Lima")
        choose(sync, ana, Frequency.WEEKLY)
        deliver(sync, assigned_for(ana, "manager"), service="learning")
        # Held well before this week's period began, whatever today is.
        recorded_at(sync, dt.datetime.now(dt.UTC) - dt.timedelta(days=30))
        return ana

    ana = await session.run_sync(build)
    for who in (HR_LEADER, principal_of(ana), principal_of(ana, Role.HR_COORDINATOR)):
        assert await send(session, who) == {"__typename": "Forbidden", "code": "FORBIDDEN"}
    assert await digest_rows(session) == []

    assert await send(session, ADMIN, "DAILY") == {
        "__typename": "SendDigestsPayload",
        "digests": 0,
        "managerDigests": 0,
    }
    assert await send(session, ADMIN) == {
        "__typename": "SendDigestsPayload",
        "digests": 1,
        "managerDigests": 0,
    }
    assert await send(session, ADMIN) == {
        "__typename": "SendDigestsPayload",
        "digests": 0,
        "managerDigests": 0,
    }
    [row] = await digest_rows(session)
    assert (row.recipient_id, row.status) == (ana.employee_id, "pending")
