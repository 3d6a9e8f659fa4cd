"""What a notification says: subject, plain text and HTML from Jinja2 templates
(templates/<kind>.txt and .html; the HTML autoescaped, so a course code or a name never
becomes markup), and the email that carries it, with a preferences link and a
List-Unsubscribe header."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from talent_notifier.notifications.models import Audience, NotificationKind

TEMPLATES = Path(__file__).resolve().parent / "templates"

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def subject_of(
    kind: NotificationKind, data: Mapping[str, Any], *, audience: Audience, about_name: str
) -> str:
    if kind is NotificationKind.TEAM_RECOMMENDATIONS:
        count = len(data.get("recommendation_ids") or ())
        actions = "development action" if count == 1 else "development actions"
        return f"{count} recommended {actions} for {about_name}"
    if kind is NotificationKind.ANNOUNCEMENT:
        return str(data.get("subject", "Announcement"))
    if kind in REVIEW_KINDS:
        return review_subject(kind, data, audience=audience, about_name=about_name)
    if kind is NotificationKind.KEY_ROLE_UNCOVERED:
        return key_role_uncovered_text(data)
    if kind is NotificationKind.SUCCESSION_RECORD_STALE:
        return stale_record_text(data, about_name=about_name)
    if kind in DIGEST_KINDS:
        # Written when the digest is made (digests/messages.py).
        return str(data.get("subject", "Your digest"))
    course = data.get("course_code", "")
    if kind is NotificationKind.ENROLLMENT_ASSIGNED:
        return f"New course assigned: {course}"
    if kind is NotificationKind.ENROLLMENT_DUE_SOON:
        return f"Due on {data.get('due_on')}: {course}"
    if kind is NotificationKind.ENROLLMENT_OVERDUE:
        if audience in (Audience.MANAGER, Audience.ESCALATION):
            return f"Overdue for {about_name}: {course}"
        return f"Overdue: {course}"
    return f"Certification expiring on {data.get('valid_until')}: {course}"


DIGEST_KINDS = frozenset(
    {
        NotificationKind.DIGEST,
        NotificationKind.MANAGER_DIGEST,
        NotificationKind.SUCCESSION_DIGEST,
    }
)

STALE_RECORD_NAMES = {
    "potential": "potential assessment",
    "readiness": "readiness assessment",
    "plan": "development plan",
}


def successors_named(count: int) -> str:
    if count == 0:
        return "no successor named"
    return f"{count} successor{'s' if count != 1 else ''} named"


def key_role_uncovered_text(data: Mapping[str, Any], *, escape: Any = str) -> str:
    """ "Key role CFO (criticality HIGH) has no ready-now successor; 1 successor named":
    the role, its criticality and how many successors its slate has; never who they are
    or how ready."""
    code = escape(data.get("key_role_code", ""))
    criticality = str(data.get("criticality", "")).upper()
    named = successors_named(int(data.get("successors") or 0))
    return f"Key role {code} (criticality {criticality}) has no ready-now successor; {named}"


def stale_record_text(data: Mapping[str, Any], *, about_name: str) -> str:
    """ "The potential assessment of Ana Lima was due for review on 2026-05-01": which
    kind of record, whose, and the date; never its value (potential, readiness)."""
    record = STALE_RECORD_NAMES.get(str(data.get("record_kind")), "succession record")
    return f"The {record} of {about_name} was due for review on {data.get('review_by')}"


REVIEW_KINDS = frozenset(
    {
        NotificationKind.REVIEW_DUE_SOON,
        NotificationKind.REVIEW_OVERDUE,
        NotificationKind.REVIEW_RELEASED,
        NotificationKind.REVIEW_PHASE_OPENED,
    }
)

PHASE_NAMES = {
    "self_review": "self review",
    "peer_feedback": "peer feedback",
    "manager_review": "manager review",
    "sign_off": "sign-off",
}

REVIEW_KIND_NAMES = {"self": "self review", "manager": "manager review", "peer": "peer review"}


def review_subject(
    kind: NotificationKind, data: Mapping[str, Any], *, audience: Audience, about_name: str
) -> str:
    """A review notice's subject: the cycle, the kind of review and the date; never a
    rating (no review notice carries one)."""
    cycle = data.get("cycle_code", "")
    if kind is NotificationKind.REVIEW_RELEASED:
        return f"Your review for {cycle} is available"
    review = REVIEW_KIND_NAMES.get(str(data.get("review_kind")), "review")
    if kind is NotificationKind.REVIEW_PHASE_OPENED:
        due = f", due {data['due_on']}" if data.get("due_on") else ""
        if data.get("phase") == "sign_off":
            return f"Sign-off of your manager reviews for {cycle} is open{due}"
        return f"Your {review} for {cycle} is open{due}"
    if kind is NotificationKind.REVIEW_DUE_SOON:
        return f"Due on {data.get('due_on')}: your {review} ({cycle})"
    if audience in (Audience.MANAGER, Audience.ESCALATION):
        return f"Overdue for {about_name}: a {review} ({cycle})"
    return f"Overdue: your {review} ({cycle})"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(
    kind: NotificationKind,
    data: Mapping[str, Any],
    *,
    audience: Audience,
    recipient_name: str,
    about_name: str,
    preferences_url: str,
) -> Rendered:
    subject = subject_of(kind, data, audience=audience, about_name=about_name)
    context = {
        "course_code": data.get("course_code"),
        "due_on": data.get("due_on"),
        "valid_until": data.get("valid_until"),
        "reason": data.get("reason"),
        "assigned_by_name": data.get("assigned_by_name"),
        "cycle_code": data.get("cycle_code"),
        "review": REVIEW_KIND_NAMES.get(str(data.get("review_kind")), "review"),
        "review_kind": data.get("review_kind"),
        "released_on": data.get("released_on"),
        "course_codes": list(data.get("course_codes") or ()),
        "phase": data.get("phase"),
        "employees": list(data.get("employees") or ()),
        "body": data.get("body"),
        "sender": data.get("sender"),
        "key_role_code": data.get("key_role_code"),
        "key_role_title": data.get("key_role_title"),
        "criticality": str(data.get("criticality", "")).upper(),
        "successors_named": successors_named(int(data.get("successors") or 0)).capitalize(),
        "record": STALE_RECORD_NAMES.get(str(data.get("record_kind")), "succession record"),
        "review_by": data.get("review_by"),
        "audience": audience.value,
        "recipient_name": recipient_name,
        "about_name": about_name,
        "preferences_url": preferences_url,
        "subject": subject,
    }
    return Rendered(
        subject=subject,
        text=_environment.get_template(f"{kind.value}.txt").render(context),
        html=_environment.get_template(f"{kind.value}.html").render(context),
    )


def email_message(
    rendered: Rendered,
    *,
    delivery_id: uuid.UUID,
    to_name: str,
    to_address: str,
    mail_from: str,
    preferences_url: str,
    unsubscribe_mailto: str,
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = mail_from
    message["To"] = formataddr((to_name, to_address))
    # One Message-ID per ledger row: a resend after an unconfirmed send is recognisable.
    message["Message-ID"] = f"<{delivery_id}@talent-notifier>"
    message["List-Unsubscribe"] = f"<mailto:{unsubscribe_mailto}>, <{preferences_url}>"
    message["X-Talent-Delivery"] = str(delivery_id)
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message
