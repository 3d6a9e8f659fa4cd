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


def digest_subject(frequency: Frequency, *, count: int) -> str:
    period = "daily" if frequency is Frequency.DAILY else "weekly"
    return f"Your {period} digest: {count} notification{'s' if count != 1 else ''}"


def manager_digest_subject(reports: int) -> str:
    return f"Your team's learning this week: {reports} report{'s' if reports != 1 else ''}"


def render_digest(
    kind: NotificationKind,
    data: Mapping[str, Any],
    *,
    recipient_name: str,
    preferences_url: str,
) -> Rendered:
    """A DIGEST lists its notices (each with the title it would have had alone); a
    MANAGER_DIGEST lists each report's overdue and due-soon courses; a SUCCESSION_DIGEST
    its uncovered key roles, stale records and counts of new successor suggestions."""
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
    elif kind is NotificationKind.SUCCESSION_DIGEST:
        for section in ("uncovered", "stale", "stale_more", "suggestions"):
            context[section] = data[section]
    else:
        context["reports"] = data["reports"]
    return Rendered(
        subject=subject,
        text=_environment.get_template(f"{kind.value}.txt").render(context),
        html=_environment.get_template(f"{kind.value}.html").render(context),
    )
