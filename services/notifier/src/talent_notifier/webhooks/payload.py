"""What a webhook receives: JSON that Slack's and Teams' incoming webhooks show as a
message (`text`), with the notification's fields for programs (`type`, `timestamp`,
`data`, as the Standard Webhooks spec suggests). It says no more than the notification
does: what happened, to which course, by when, and whom it is about."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from talent_notifier.notifications.messages import key_role_uncovered_text, stale_record_text
from talent_notifier.notifications.models import Delivery, NotificationKind

EVENT_TYPE_PREFIX = "talent.notification."


def slack_escaped(value: object) -> str:
    """Slack reads `&`, `<` and `>` as markup (links, mentions): a name or a course code
    must never become one."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text_of(kind: NotificationKind, data: Mapping[str, Any], *, about_name: str) -> str:
    who = slack_escaped(about_name)
    course = slack_escaped(data.get("course_code", ""))
    due_on = data.get("due_on")
    if kind is NotificationKind.ENROLLMENT_ASSIGNED:
        due = f", due on {due_on}" if due_on else ""
        return f"{who} was assigned the course {course}{due}."
    if kind is NotificationKind.ENROLLMENT_DUE_SOON:
        return f"{who}'s course {course} is due on {due_on}."
    if kind is NotificationKind.ENROLLMENT_OVERDUE:
        return f"{who} has not completed the course {course}, due on {due_on}."
    if kind in (NotificationKind.REVIEW_DUE_SOON, NotificationKind.REVIEW_OVERDUE):
        # `who` is the reviewer: the one whose review is due or late.
        review = slack_escaped(data.get("review_kind", ""))
        cycle = slack_escaped(data.get("cycle_code", ""))
        late = "has not submitted" if kind is NotificationKind.REVIEW_OVERDUE else "has"
        return f"{who} {late} a {review} review in {cycle}, due on {due_on}."
    if kind is NotificationKind.TEAM_RECOMMENDATIONS:
        courses = ", ".join(slack_escaped(code) for code in data.get("course_codes") or ())
        return f"New recommended development actions for {who}: {courses}."
    if kind is NotificationKind.REVIEW_PHASE_OPENED:
        review = slack_escaped(data.get("review_kind", ""))
        cycle = slack_escaped(data.get("cycle_code", ""))
        count = len(data.get("employees") or ())
        due = f", due on {due_on}" if due_on else ""
        return f"{who} has {count} {review} review(s) to write in {cycle}{due}."
    if kind is NotificationKind.ANNOUNCEMENT:
        return f"Announcement: {slack_escaped(data.get('subject', ''))}"
    if kind is NotificationKind.KEY_ROLE_UNCOVERED:
        return key_role_uncovered_text(data, escape=slack_escaped)
    if kind is NotificationKind.SUCCESSION_RECORD_STALE:
        return stale_record_text(data, about_name=who)
    if kind is NotificationKind.REVIEW_RELEASED:
        return f"{who}'s review in {slack_escaped(data.get('cycle_code', ''))} was released."
    return f"{who}'s certification {course} expires on {data.get('valid_until')}."


def payload_of(delivery: Delivery, *, about_name: str | None) -> dict[str, Any]:
    kind = NotificationKind(delivery.kind)
    data = delivery.data
    fields: dict[str, Any] = {
        "notificationId": str(delivery.id),
        "kind": kind.name,
        "employeeId": str(delivery.subject_employee_id),
        "courseCode": data.get("course_code"),
        "dueOn": data.get("due_on"),
        "validUntil": data.get("valid_until"),
    }
    if kind is NotificationKind.KEY_ROLE_UNCOVERED:
        # About a key role, not an employee.
        fields |= {"employeeId": None, "keyRoleId": data.get("key_role_id")}
    if kind is NotificationKind.SUCCESSION_RECORD_STALE:
        fields |= {"recordKind": data.get("record_kind"), "reviewBy": data.get("review_by")}
    return {
        "text": text_of(kind, data, about_name=about_name or "An employee"),
        "type": EVENT_TYPE_PREFIX + kind.value,
        "timestamp": delivery.created_at.isoformat(),
        "data": fields,
    }


def body_of(delivery: Delivery, *, about_name: str | None) -> bytes:
    """The request body, serialised once: exactly these bytes are signed and sent."""
    return json.dumps(
        payload_of(delivery, about_name=about_name), separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def message_id(delivery_id: uuid.UUID) -> str:
    return f"msg_{delivery_id.hex}"
