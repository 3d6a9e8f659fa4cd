"""Announcement templates: saved under a code by HR (audited, replaced by code), sent by
naming the code, a subject or body given with it replacing the template's; bad codes and
unknown templates are field errors; employees may not save or list them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_notifier.audit.models import AuditEntry
from talent_notifier.notifications.models import Delivery
from talent_platform.auth import Role

from ..factories import execute, principal_of, run
from .test_announcements import HR_LEADER, SALES_COORDINATOR, org

SAVE = """
mutation ($input: SaveAnnouncementTemplateInput!) {
  saveAnnouncementTemplate(input: $input) {
    __typename
    ... on SaveAnnouncementTemplatePayload { template { code subject body updatedBy } }
    ... on ValidationError { fields { field message } }
  }
}
"""
LIST = "query { announcementTemplates(first: 10) { totalCount nodes { code subject } } }"
SEND = """
mutation ($input: SendAnnouncementInput!) {
  sendAnnouncement(input: $input) {
    __typename
    ... on SendAnnouncementPayload { announcement { subject body recipientCount } }
    ... on ValidationError { fields { field message } }
  }
}
"""
NUDGE = {"code": "REVIEW-NUDGE", "subject": "Reviews close Friday", "body": "Please finish."}


async def save(session: AsyncSession, **input: Any) -> dict[str, Any]:
    data = await execute(session, SAVE, as_=HR_LEADER, variables={"input": {**NUDGE, **input}})
    return data["saveAnnouncementTemplate"]  # type: ignore[no-any-return]


async def send(session: AsyncSession, **input: Any) -> dict[str, Any]:
    values = {"audience": {"orgUnit": {"code": "Sales"}}, **input}
    data = await execute(session, SEND, as_=SALES_COORDINATOR, variables={"input": values})
    return data["sendAnnouncement"]  # type: ignore[no-any-return]


async def test_a_saved_template_is_sent_by_its_code_and_can_be_overridden(
    session: AsyncSession,
) -> None:
    await org(session)
    saved = await save(session)
    assert saved["template"] == {**NUDGE, "updatedBy": "hr-leader"}

    sent = await send(session, template="REVIEW-NUDGE")
    overridden = await send(session, template="REVIEW-NUDGE", subject="Last call: reviews")

    assert sent["announcement"] == {
        "subject": "Reviews close Friday",
        "body": "Please finish.",
        "recipientCount": 3,
    }
    assert overridden["announcement"]["subject"] == "Last call: reviews"
    assert overridden["announcement"]["body"] == "Please finish."
    rows = (await session.scalars(select(Delivery).where(Delivery.kind == "announcement"))).all()
    assert {r.data["subject"] for r in rows} == {"Reviews close Friday", "Last call: reviews"}


async def test_saving_the_same_code_replaces_it_and_is_audited_with_what_it_said(
    session: AsyncSession,
) -> None:
    await save(session)
    await save(session, subject="Reviews close Thursday")

    listed = await execute(session, LIST, as_=SALES_COORDINATOR)
    assert listed["announcementTemplates"] == {
        "totalCount": 1,
        "nodes": [{"code": "REVIEW-NUDGE", "subject": "Reviews close Thursday"}],
    }
    entries = (
        await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "announcement_template.saved")
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    ).all()
    assert [e.before for e in entries] == [
        None,
        {"subject": "Reviews close Friday", "body_length": len("Please finish.")},
    ]


async def test_bad_codes_unknown_templates_and_missing_text_name_their_field(
    session: AsyncSession,
) -> None:
    await org(session)
    bad = await save(session, code="review nudge", subject="two\nlines")
    unknown = await send(session, template="NO-SUCH")
    neither = await send(session)

    assert {f["field"] for f in bad["fields"]} == {"input.code", "input.subject"}
    assert [f["field"] for f in unknown["fields"]] == ["input.template"]
    assert {f["field"] for f in neither["fields"]} == {"input.subject", "input.body"}
    assert (await session.scalars(select(Delivery))).all() == []


async def test_employees_may_not_save_or_list_templates(session: AsyncSession) -> None:
    people = await org(session)
    employee = principal_of(people["ana"], Role.EMPLOYEE)

    refused = await execute(session, SAVE, as_=employee, variables={"input": NUDGE})
    data, errors = await run(session, LIST, as_=employee)

    assert refused["saveAnnouncementTemplate"]["__typename"] == "Forbidden"
    assert data == {"announcementTemplates": None}
    assert [e.extensions["code"] for e in errors] == ["FORBIDDEN"]
