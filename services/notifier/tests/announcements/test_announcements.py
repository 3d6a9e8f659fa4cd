"""Announcements through the subgraph: preview, send now or later, per-recipient status;
who may send to whom; what is refused; never to the terminated; a repeated send makes
nothing new."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_contracts.learning import EnrollmentCompleted
from talent_contracts.people import EmployeeHired, EmployeeSnapshot
from talent_notifier.announcements.models import Announcement
from talent_notifier.announcements.service import send, send_due
from talent_notifier.audit.models import AuditEntry
from talent_notifier.notifications.messages import render
from talent_notifier.notifications.models import Audience, Delivery, NotificationKind
from talent_notifier.preferences.models import Frequency, NotificationPreference
from talent_platform.auth import Principal, Role

from ..factories import ADMIN, deliver, execute, overdue, principal_of, run, snapshot, terminate
from ..reviews.factories import CYCLE_ID
from ..reviews.test_phases import assign, submit

PREVIEW = """
query ($audience: AnnouncementAudienceInput!) {
  announcementPreview(audience: $audience, first: 50) { count recipients { name employee { id } } }
}
"""
SEND = """
mutation ($input: SendAnnouncementInput!) {
  sendAnnouncement(input: $input) {
    __typename
    ... on SendAnnouncementPayload {
      announcement { id status recipientCount sendAt subject body
        recipients(first: 50) { totalCount nodes { name channel status employee { id } } } }
    }
    ... on ValidationError { fields { field message } }
    ... on Error { code }
  }
}
"""
ONE = """
query ($id: ID!) {
  announcement(id: $id) { status recipientCount
    recipients(first: 50) { totalCount nodes { name channel status } }
    sentOnly: recipients(first: 50, status: SENT) { totalCount } }
}
"""
LIST = "query { announcements(first: 10) { totalCount nodes { id subject status } } }"

HR_LEADER = Principal(subject="hr-leader", employee_id=None, roles=frozenset({Role.HR_LEADER}))
SALES_COORDINATOR = Principal(
    subject="coord-sales",
    employee_id=None,
    roles=frozenset({Role.HR_COORDINATOR}),
    org_units=frozenset({"Sales"}),
)


def hire_in(session: Session, name: str, **changes: Any) -> EmployeeSnapshot:
    employee = snapshot(name, **changes)
    deliver(
        session,
        EmployeeHired(employee_id=employee.employee_id, employee=employee),
        service="people",
    )
    return employee


async def org(session: AsyncSession) -> dict[str, EmployeeSnapshot]:
    def build(sync: Session) -> dict[str, EmployeeSnapshot]:
        people = {
            "boss": hire_in(sync, "Bea Boss", org_unit_code="Sales"),
            "ana": hire_in(sync, "Ana Lima", org_unit_code="Sales / Iberia"),
            "bo": hire_in(
                sync, "Bo Chen", org_unit_code="Sales / Iberia", job_profile_code="seller"
            ),
            "eng": hire_in(sync, "Eve Eng", org_unit_code="Engineering"),
            "eng_boss": hire_in(sync, "Ed Lead", org_unit_code="Engineering"),
            "gone": hire_in(sync, "Gil Gone", org_unit_code="Sales"),
        }
        terminate(sync, people["gone"])
        return people

    return await session.run_sync(build)


async def send_it(session: AsyncSession, as_: Principal, **input: Any) -> dict[str, Any]:
    values = {"subject": "Reviews close Friday", "body": "Please finish <b>today</b>.", **input}
    data = await execute(session, SEND, as_=as_, variables={"input": values})
    return data["sendAnnouncement"]  # type: ignore[no-any-return]


async def test_preview_then_send_to_an_org_unit_reaches_exactly_the_preview(
    session: AsyncSession,
) -> None:
    people = await org(session)
    audience = {"orgUnit": {"code": "Sales"}}

    preview = (await execute(session, PREVIEW, as_=HR_LEADER, variables={"audience": audience}))[
        "announcementPreview"
    ]
    sent = await send_it(session, HR_LEADER, audience=audience)

    assert preview["count"] == 3  # not Gil, terminated; not Engineering
    assert [r["name"] for r in preview["recipients"]] == ["Ana Lima", "Bea Boss", "Bo Chen"]
    announcement = sent["announcement"]
    assert (announcement["status"], announcement["recipientCount"]) == ("SENT", 3)
    recipients = announcement["recipients"]["nodes"]
    assert {r["employee"]["id"] for r in recipients} == {
        r["employee"]["id"] for r in preview["recipients"]
    }
    assert {(r["channel"], r["status"]) for r in recipients} == {
        ("IN_APP", "SENT"),
        ("EMAIL", "PENDING"),
    }
    assert str(people["gone"].employee_id) not in {r["employee"]["id"] for r in recipients}
    # Only the sub-unit:
    iberia = {"orgUnit": {"code": "Sales / Iberia", "includeSubUnits": False}}
    narrow = await execute(session, PREVIEW, as_=HR_LEADER, variables={"audience": iberia})
    assert narrow["announcementPreview"]["count"] == 2
    by_profile = await execute(
        session, PREVIEW, as_=HR_LEADER, variables={"audience": {"jobProfileCode": "seller"}}
    )
    assert by_profile["announcementPreview"]["count"] == 1


async def test_the_body_is_the_senders_text_escaped_in_html_and_the_send_is_audited(
    session: AsyncSession,
) -> None:
    await org(session)
    sent = await send_it(session, ADMIN, audience={"orgUnit": {"code": "Engineering"}})

    rows = (await session.scalars(select(Delivery).where(Delivery.kind == "announcement"))).all()
    mail = render(
        NotificationKind.ANNOUNCEMENT,
        rows[0].data,
        audience=Audience.EMPLOYEE,
        recipient_name="Eve Eng",
        about_name="Eve Eng",
        preferences_url="http://127.0.0.1:4000/preferences",
    )
    assert mail.subject == "Reviews close Friday"
    assert "Please finish <b>today</b>." in mail.text
    assert "&lt;b&gt;today&lt;/b&gt;" in mail.html and "<b>today" not in mail.html
    [entry] = (await session.scalars(select(AuditEntry))).all()
    assert (entry.action, entry.actor, str(entry.entity_id)) == (
        "announcement.created",
        "admin",
        sent["announcement"]["id"],
    )


async def test_an_hr_coordinator_reaches_only_inside_their_scope(session: AsyncSession) -> None:
    people = await org(session)

    outside = await send_it(
        session, SALES_COORDINATOR, audience={"orgUnit": {"code": "Engineering"}}
    )
    everyone_engineer = await send_it(
        session, SALES_COORDINATOR, audience={"jobProfileCode": "engineer"}
    )

    assert outside["__typename"] == "Forbidden"
    # A population across units is cut to the coordinator's: Sales' engineers only.
    names = {r["name"] for r in everyone_engineer["announcement"]["recipients"]["nodes"]}
    assert names == {"Bea Boss", "Ana Lima"}
    assert str(people["eng"].employee_id) not in {
        r["employee"]["id"] for r in everyone_engineer["announcement"]["recipients"]["nodes"]
    }
    # and they list their own announcements only
    await send_it(session, HR_LEADER, audience={"orgUnit": {"code": "Sales"}})
    mine = await execute(session, LIST, as_=SALES_COORDINATOR)
    everything = await execute(session, LIST, as_=HR_LEADER)
    assert mine["announcements"]["totalCount"] == 1
    assert everything["announcements"]["totalCount"] == 2


async def test_employees_and_managers_may_not_send_or_preview(session: AsyncSession) -> None:
    people = await org(session)
    employee = principal_of(people["ana"], Role.EMPLOYEE)

    refused = await send_it(session, employee, audience={"orgUnit": {"code": "Sales"}})
    data, errors = await run(
        session, PREVIEW, as_=employee, variables={"audience": {"orgUnit": {"code": "Sales"}}}
    )

    assert refused["__typename"] == "Forbidden"
    assert data == {"announcementPreview": None}
    assert [e.extensions["code"] for e in errors] == ["FORBIDDEN"]
    assert (await session.scalars(select(Announcement))).all() == []


async def test_bad_input_is_refused_naming_each_field(session: AsyncSession) -> None:
    two = await send_it(
        session, ADMIN, audience={"jobProfileCode": "x", "orgUnit": {"code": "Sales"}}
    )
    bad = await send_it(
        session,
        ADMIN,
        audience={"behind": {"cycleId": "nope", "phase": "MANAGER_REVIEW"}},
        subject="x" * 201,
        body="a\x00b",
    )
    empty = await send_it(session, ADMIN, audience={"jobProfileCode": " "}, subject=" ", body="")

    def fields(result: dict[str, Any]) -> set[str]:
        assert result["__typename"] == "ValidationError", result
        return {f["field"] for f in result["fields"]}

    assert fields(two) == {"input.audience"}
    assert fields(bad) == {"input.audience.behind.cycleId", "input.subject", "input.body"}
    assert fields(empty) == {"input.audience.jobProfileCode", "input.subject", "input.body"}
    assert (await session.scalars(select(Announcement))).all() == []


async def test_the_reviewers_behind_and_the_overdue_are_audiences(session: AsyncSession) -> None:
    people = await org(session)
    ana, bo, boss = people["ana"], people["bo"], people["boss"]

    def reviews(sync: Session) -> None:
        done = assign(ana, boss)
        for event in (done, assign(bo, people["eng_boss"]), assign(ana, ana, kind="self")):
            deliver(sync, event, service="performance")
        deliver(sync, submit(done), service="performance")
        first, second = overdue(ana, course="PRIV-200"), overdue(bo, course="PRIV-200")
        deliver(sync, first, service="learning")
        deliver(sync, second, service="learning")
        deliver(
            sync,
            EnrollmentCompleted(
                completion_id=uuid.uuid4(),
                employee_id=bo.employee_id,
                course_code="PRIV-200",
                completed_on=dt.date(2026, 2, 2),
                score=None,
                source="manual",
                enrollment_id=second.enrollment_id,
            ),
            service="learning",
        )

    await session.run_sync(reviews)
    behind = {"behind": {"cycleId": str(CYCLE_ID), "phase": "MANAGER_REVIEW"}}

    preview = await execute(session, PREVIEW, as_=HR_LEADER, variables={"audience": behind})
    late = await execute(
        session,
        PREVIEW,
        as_=HR_LEADER,
        variables={"audience": {"overdueEnrollments": {"courseCode": "PRIV-200"}}},
    )
    participants = await execute(
        session,
        PREVIEW,
        as_=HR_LEADER,
        variables={"audience": {"cycleParticipants": {"cycleId": str(CYCLE_ID)}}},
    )

    assert [r["name"] for r in preview["announcementPreview"]["recipients"]] == ["Ed Lead"]
    assert [r["name"] for r in late["announcementPreview"]["recipients"]] == ["Ana Lima"]
    assert participants["announcementPreview"]["count"] == 2  # Ana and Bo are reviewed


async def test_a_scheduled_announcement_waits_for_its_time_and_goes_once(
    session: AsyncSession,
) -> None:
    people = await org(session)

    def turn_off(sync: Session) -> None:
        # Bo turned announcements off by email: no email row, the inbox still.
        sync.add(
            NotificationPreference(
                employee_id=people["bo"].employee_id,
                category="announcements",
                channel="email",
                frequency=Frequency.OFF,
            )
        )

    await session.run_sync(turn_off)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    sent = await send_it(
        session, HR_LEADER, audience={"orgUnit": {"code": "Sales"}}, sendAt=later.isoformat()
    )
    announcement_id = uuid.UUID(sent["announcement"]["id"])
    assert sent["announcement"]["status"] == "SCHEDULED"
    assert sent["announcement"]["recipients"]["totalCount"] == 0

    now_sent = await session.run_sync(lambda s: send_due(s, now=dt.datetime.now(dt.UTC)))
    assert now_sent == 0
    at_time = await session.run_sync(lambda s: send_due(s, now=later + dt.timedelta(seconds=1)))
    again = await session.run_sync(lambda s: send(s, announcement_id, now=later))
    assert (at_time, again) == (1, 0)

    data = await execute(session, ONE, as_=HR_LEADER, variables={"id": str(announcement_id)})
    found = data["announcement"]
    assert (found["status"], found["recipientCount"]) == ("SENT", 3)
    assert found["recipients"]["totalCount"] == 5  # 3 in-app, 2 email (Bo's is OFF)
    assert found["sentOnly"]["totalCount"] == 3  # the in-app ones; the email job sends the rest
    rows = (await session.scalars(select(Delivery).where(Delivery.kind == "announcement"))).all()
    assert len(rows) == 5
    assert all(r.source_event_id == announcement_id for r in rows)
