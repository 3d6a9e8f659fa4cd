"""The inbox through the subgraph: `Employee.notifications` (what `me { notifications }`
resolves through the gateway), the unread count, marking read, and the admins' ledger."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.people import EmployeeSnapshot
from talent_platform.auth import Role

from ..factories import ADMIN, assigned, deliver, execute, hire, overdue, principal_of, run

INBOX = """
query ($id: ID!, $unreadOnly: Boolean!, $first: Int) {
  _entities(representations: [{__typename: "Employee", id: $id}]) {
    ... on Employee {
      unreadNotifications
      notifications(unreadOnly: $unreadOnly, first: $first) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { id kind title courseCode dueOn read about { id } }
      }
    }
  }
}
"""

MARK = """
mutation ($id: ID!) {
  markNotificationRead(input: {id: $id}) {
    __typename
    ... on MarkNotificationReadPayload { unreadNotifications notification { id read } }
    ... on Error { code }
  }
}
"""

MARK_ALL = """
mutation {
  markAllNotificationsRead {
    __typename
    ... on MarkAllNotificationsReadPayload { marked unreadNotifications }
    ... on Error { code }
  }
}
"""

LEDGER = """
query ($status: NotificationDeliveryStatus, $kind: NotificationKind, $channel: NotificationChannel) {
  notificationDeliveries(status: $status, kind: $kind, channel: $channel) {
    totalCount
    nodes { channel status attempts lastError kind title recipient { id } }
  }
}
"""


async def team(session: AsyncSession) -> tuple[EmployeeSnapshot, EmployeeSnapshot]:
    """A manager and their report with one assignment and one overdue course."""

    def build(sync: Any) -> tuple[EmployeeSnapshot, EmployeeSnapshot]:
        boss = hire(sync, "Bea Boss")
        ana = hire(sync, "Ana Lima", manager=boss)
        deliver(sync, assigned(ana, course="SEC-101"), service="learning")
        deliver(sync, overdue(ana, course="PRIV-200"), service="learning")
        return boss, ana

    return await session.run_sync(build)  # type: ignore[no-any-return]


async def inbox(
    session: AsyncSession, who: EmployeeSnapshot, *, unread_only: bool = False, as_: Any = None
) -> tuple[dict[str, Any] | None, list[Any]]:
    return await run(
        session,
        INBOX,
        as_=as_ or principal_of(who),
        variables={"id": str(who.employee_id), "unreadOnly": unread_only, "first": 10},
    )


async def test_each_person_reads_their_own_inbox(session: AsyncSession) -> None:
    boss, ana = await team(session)

    data, errors = await inbox(session, ana)
    assert not errors
    assert data is not None
    mine = data["_entities"][0]
    assert mine["unreadNotifications"] == 2
    assert mine["notifications"]["totalCount"] == 2
    assert {(n["kind"], n["courseCode"], n["read"]) for n in mine["notifications"]["nodes"]} == {
        ("ENROLLMENT_ASSIGNED", "SEC-101", False),
        ("ENROLLMENT_OVERDUE", "PRIV-200", False),
    }

    data, errors = await inbox(session, boss)
    assert not errors
    assert data is not None
    [told] = data["_entities"][0]["notifications"]["nodes"]
    assert told["kind"] == "ENROLLMENT_OVERDUE"
    assert told["title"] == "Overdue for Ana Lima: PRIV-200"
    assert told["about"] == {"id": str(ana.employee_id)}


async def test_someone_elses_inbox_is_refused_even_to_their_manager(session: AsyncSession) -> None:
    boss, ana = await team(session)
    data, errors = await inbox(session, ana, as_=principal_of(boss, Role.MANAGER))
    assert data is not None
    assert data["_entities"][0] == {"unreadNotifications": None, "notifications": None}
    assert {e.extensions["code"] for e in errors} == {"FORBIDDEN"}


async def test_marking_read_one_then_all(session: AsyncSession) -> None:
    boss, ana = await team(session)
    data, _ = await inbox(session, ana)
    assert data is not None
    first = data["_entities"][0]["notifications"]["nodes"][0]["id"]

    # Someone else cannot mark it, and learns nothing about it.
    refused = await execute(session, MARK, as_=principal_of(boss), variables={"id": first})
    assert refused["markNotificationRead"] == {"__typename": "NotFound", "code": "NOT_FOUND"}

    marked = await execute(session, MARK, as_=principal_of(ana), variables={"id": first})
    assert marked["markNotificationRead"]["notification"] == {"id": first, "read": True}
    assert marked["markNotificationRead"]["unreadNotifications"] == 1

    data, _ = await inbox(session, ana, unread_only=True)
    assert data is not None
    assert [n["id"] for n in data["_entities"][0]["notifications"]["nodes"]] != [first]
    assert data["_entities"][0]["notifications"]["totalCount"] == 1

    everything = await execute(session, MARK_ALL, as_=principal_of(ana))
    assert everything["markAllNotificationsRead"] == {
        "__typename": "MarkAllNotificationsReadPayload",
        "marked": 1,
        "unreadNotifications": 0,
    }
    data, _ = await inbox(session, ana)
    assert data is not None
    assert data["_entities"][0]["unreadNotifications"] == 0


async def test_a_malformed_notification_id_is_a_validation_error(session: AsyncSession) -> None:
    _, ana = await team(session)
    result = await execute(session, MARK, as_=principal_of(ana), variables={"id": "nope"})
    assert result["markNotificationRead"] == {
        "__typename": "ValidationError",
        "code": "VALIDATION_FAILED",
    }


async def test_the_delivery_ledger_is_for_admins_only(session: AsyncSession) -> None:
    boss, ana = await team(session)

    data = await execute(session, LEDGER, as_=ADMIN, variables={"status": "PENDING"})
    pending = data["notificationDeliveries"]
    # One email per recipient and event: Ana twice (assigned, overdue), her manager once.
    assert pending["totalCount"] == 3
    assert {n["channel"] for n in pending["nodes"]} == {"EMAIL"}
    assert {n["recipient"]["id"] for n in pending["nodes"]} == {
        str(ana.employee_id),
        str(boss.employee_id),
    }

    data = await execute(
        session, LEDGER, as_=ADMIN, variables={"kind": "ENROLLMENT_OVERDUE", "channel": "IN_APP"}
    )
    told = data["notificationDeliveries"]
    assert told["totalCount"] == 2
    assert {(n["status"], n["recipient"]["id"], n["title"]) for n in told["nodes"]} == {
        ("SENT", str(ana.employee_id), "Overdue: PRIV-200"),
        ("SENT", str(boss.employee_id), "Overdue for Ana Lima: PRIV-200"),
    }

    for who in (principal_of(ana), principal_of(boss, Role.MANAGER, Role.HR_LEADER)):
        data_or_none, errors = await run(session, LEDGER, as_=who, variables={"status": None})
        assert data_or_none == {"notificationDeliveries": None}
        assert [e.extensions["code"] for e in errors] == ["FORBIDDEN"]
