"""Webhooks through the subgraph: admins register (the secret shown once), list and
delete them, audited; everyone else is refused; the URL is checked; failed webhook
deliveries show in the admins' ledger."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_notifier.audit.models import AuditEntry
from talent_notifier.webhooks.delivery import deliver_webhooks
from talent_notifier.webhooks.models import Webhook
from talent_platform.auth import Principal, Role

from ..factories import ADMIN, SETTINGS, assigned, deliver, execute, hire, principal_of, run

CREATE = """
mutation ($input: CreateWebhookInput!) {
  createWebhook(input: $input) {
    __typename
    ... on CreateWebhookPayload { secret webhook { id url orgUnitCode categories createdBy } }
    ... on ValidationError { code fields { field message } }
    ... on Error { code }
  }
}
"""

DELETE = """
mutation ($id: ID!) {
  deleteWebhook(input: {id: $id}) {
    __typename
    ... on DeleteWebhookPayload { webhook { id deletedAt } }
    ... on Error { code }
  }
}
"""

LIST = """
query { webhooks(first: 10) { totalCount nodes { id url orgUnitCode categories } } }
"""

HR_LEADER = Principal(subject="hr", employee_id=None, roles=frozenset({Role.HR_LEADER}))


async def create(session: AsyncSession, as_: Principal = ADMIN, **input: Any) -> dict[str, Any]:
    data = await execute(session, CREATE, as_=as_, variables={"input": input})
    return data["createWebhook"]  # type: ignore[no-any-return]


async def test_an_admin_registers_lists_and_deletes_a_webhook_audited(
    session: AsyncSession,
) -> None:
    made = await create(
        session,
        url="https://hooks.example.com/services/T0/B0",
        orgUnitCode="Engineering",
        categories=["LEARNING"],
    )
    assert made["__typename"] == "CreateWebhookPayload"
    assert made["secret"].startswith("whsec_")
    webhook = made["webhook"]
    assert webhook["url"] == "https://hooks.example.com/services/T0/B0"
    assert (webhook["orgUnitCode"], webhook["categories"], webhook["createdBy"]) == (
        "Engineering",
        ["LEARNING"],
        "admin",
    )

    listed = (await execute(session, LIST, as_=ADMIN))["webhooks"]
    assert listed == {"totalCount": 1, "nodes": [{k: webhook[k] for k in listed["nodes"][0]}]}

    deleted = (await execute(session, DELETE, as_=ADMIN, variables={"id": webhook["id"]}))[
        "deleteWebhook"
    ]
    assert deleted["__typename"] == "DeleteWebhookPayload"
    assert deleted["webhook"]["deletedAt"] is not None
    assert (await execute(session, LIST, as_=ADMIN))["webhooks"]["totalCount"] == 0
    again = (await execute(session, DELETE, as_=ADMIN, variables={"id": webhook["id"]}))[
        "deleteWebhook"
    ]
    assert again == {"__typename": "NotFound", "code": "NOT_FOUND"}

    entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.at))).all()
    assert [(e.actor, e.action, e.entity_id) for e in entries] == [
        ("admin", "webhook.created", webhook["id"]),
        ("admin", "webhook.deleted", webhook["id"]),
    ]
    assert entries[0].after == {
        "url": "https://hooks.example.com/services/T0/B0",
        "org_unit_code": "Engineering",
        "categories": ["learning"],
    }
    assert all(made["secret"] not in str((e.before, e.after)) for e in entries)


async def test_the_secret_is_shown_once_and_is_not_part_of_a_listed_webhook(
    session: AsyncSession,
) -> None:
    await create(session, url="http://127.0.0.1:9000/hook")
    data, errors = await run(session, "query { webhooks { nodes { id secret } } }", as_=ADMIN)
    assert data is None
    assert [e.extensions["code"] for e in errors] == ["BAD_USER_INPUT"]


async def test_only_admins_manage_webhooks(session: AsyncSession) -> None:
    def build(sync: Any) -> Any:
        return hire(sync, "Ana Lima")

    ana = await session.run_sync(build)
    for who in (HR_LEADER, principal_of(ana), principal_of(ana, Role.HR_COORDINATOR)):
        refused = await create(session, as_=who, url="https://hooks.example.com/x")
        assert refused == {"__typename": "Forbidden", "code": "FORBIDDEN"}
        data, errors = await run(
            session, "{ webhooks { totalCount } notifier: __typename }", as_=who
        )
        assert data == {"webhooks": None, "notifier": "Query"}
        assert [(e.extensions["code"], e.path) for e in errors] == [("FORBIDDEN", ["webhooks"])]
    made = await create(session, url="https://hooks.example.com/x")
    refused = await execute(session, DELETE, as_=HR_LEADER, variables={"id": made["webhook"]["id"]})
    assert refused["deleteWebhook"] == {"__typename": "Forbidden", "code": "FORBIDDEN"}
    # Only the admin's webhook was made, and it is still there.
    assert [w.url for w in (await session.scalars(select(Webhook))).all()] == [
        "https://hooks.example.com/x"
    ]
    assert [e.action for e in (await session.scalars(select(AuditEntry))).all()] == [
        "webhook.created"
    ]


async def test_a_bad_url_is_refused_naming_the_field(session: AsyncSession) -> None:
    for url, message in [
        ("ftp://hooks.example.com/x", "must be an http or https URL"),
        ("hooks.example.com/x", "must be an http or https URL"),
        ("https:///x", "must name a host"),
        ("https://user:pw@hooks.example.com/x", "must not carry credentials"),
        ("https://hooks.example.com/a b", "must not contain spaces or control characters"),
        ("https://hooks.example.com:port/x", "is not a valid URL"),
    ]:
        refused = await create(session, url=url, orgUnitCode=" ")
        assert refused["__typename"] == "ValidationError", url
        assert refused["code"] == "VALIDATION_FAILED"
        fields = {f["field"]: f["message"] for f in refused["fields"]}
        assert fields["input.url"].startswith(message), url
        assert "input.orgUnitCode" in fields
    assert (await session.scalars(select(Webhook))).all() == []
    assert (await session.scalars(select(AuditEntry))).all() == []


async def test_failed_webhook_deliveries_show_in_the_admins_ledger(session: AsyncSession) -> None:
    made = await create(session, url="http://127.0.0.1:9/nothing-listens")

    def handle_and_try(sync: Any) -> None:
        deliver(sync, assigned(hire(sync, "Ana Lima")), service="learning")
        settings = SETTINGS.model_copy(update={"webhook_max_attempts": 1})
        run = deliver_webhooks(sync, settings, now=dt.datetime.now(dt.UTC))
        assert run.failed == 1

    await session.run_sync(handle_and_try)
    ledger = await execute(
        session,
        """{ notificationDeliveries(channel: WEBHOOK, status: FAILED) {
          totalCount nodes { channel status attempts lastError recipient { id } webhook { id url } }
        } }""",
        as_=ADMIN,
    )
    [row] = ledger["notificationDeliveries"]["nodes"]
    assert (row["channel"], row["status"], row["attempts"], row["recipient"]) == (
        "WEBHOOK",
        "FAILED",
        1,
        None,
    )
    assert row["webhook"] == {"id": made["webhook"]["id"], "url": made["webhook"]["url"]}
    assert row["lastError"].startswith("ConnectError")
