"""What a digest says: Jinja2 templates (templates/digest.* and manager_digest.*, which
extend the notices' layout; HTML autoescaped) rendered from what the digest's ledger row
recorded when it was made, so a retried send says the same thing."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from talent_notifier.notifications.messages import TEMPLATES as NOTICE_TEMPLATES
from talent_notifier.notifications.messages import Rendered, subject_of
from talent_notifier.notifications.models import Audience, NotificationKind
from talent_notifier.preferences.models import Frequency

TEMPLATES = Path(__file__).resolve().parent / "templates"

_environment = Environment(
    loader=ChoiceLoader([FileSystemLoader(TEMPLATES), FileSystemLoader(NOTICE_TEMPLATES)]),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def digest_subject(frequency: Frequency, *, count: int, recommendations: int = 0) -> str:
    period = "daily" if frequency is Frequency.DAILY else "weekly"
    parts = [_counted(count, "notification")] if count else []
    if recommendations:
        parts.append(_counted(recommendations, "recommended course"))
    return f"Your {period} digest: {' and '.join(parts)}"


def manager_digest_subject(reports: int) -> str:
    return f"Your team this week: {_counted(reports, 'report')}"


REPORT_SECTIONS: dict[str, Any] = {
    "top_action": None,
    "overdue": [],
    "due_soon": [],
    "certifications": [],
    "reviews": [],
}
"""Every section of a report in a manager's digest, empty when the row recorded none (a
digest recorded before a section existed is sent with what it recorded)."""


def render_digest(
    kind: NotificationKind,
    data: Mapping[str, Any],
    *,
    recipient_name: str,
    preferences_url: str,
) -> Rendered:
    """A DIGEST lists its notices (each with the title it would have had alone) and the
    recipient's new course recommendations; a MANAGER_DIGEST lists, per report, the top
    development action, overdue and due-soon courses, expiring certifications and
    reviews they are behind on; a SUCCESSION_DIGEST its uncovered key roles, stale
    records and counts of new successor suggestions."""
    subject = str(data["subject"])
    context: dict[str, Any] = {
        "recipient_name": recipient_name,
        "preferences_url": preferences_url,
        "subject": subject,
    }
    if kind is NotificationKind.DIGEST:
        context["items"] = [
            {
                **item,
                "title": subject_of(
                    NotificationKind(item["kind"]),
                    item,
                    audience=Audience(item["audience"]),
                    about_name=item["about_name"],
                ),
            }
            for item in data["items"]
        ]
        context["recommendations"] = data.get("recommendations", [])
    elif kind is NotificationKind.SUCCESSION_DIGEST:
        for section in ("uncovered", "stale", "stale_more", "suggestions"):
            context[section] = data[section]
    else:
        context["reports"] = [{**REPORT_SECTIONS, **report} for report in data["reports"]]
    return Rendered(
        subject=subject,
        text=_environment.get_template(f"{kind.value}.txt").render(context),
        html=_environment.get_template(f"{kind.value}.html").render(context),
    )
