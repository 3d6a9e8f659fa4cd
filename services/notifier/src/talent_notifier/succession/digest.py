"""What a succession recipient's weekly digest lists (digests/service.py makes and
records it; templates/succession_digest.* say it):

- **uncovered key roles**: roles succession announced uncovered (`key_role.uncovered`)
  that no ready-now nomination the notifier has seen since covers, with their
  criticality and how many successors were named; never who or how ready;
- **stale records**: potential assessments, readiness assessments and plans announced
  overdue (`review.overdue`) and not shown reviewed by a later event, with whose they
  are and the review-by date; never a value. Succession publishes nothing when a plan
  is reviewed, so a plan is listed in the digest of the week it was announced only.
  Not the recipient's own records, not those of terminated employees, and with an org
  unit only its employees'. At most `MAX_STALE` lines (and how many more);
- **new successor suggestions for critical key roles**: how many suggestions the
  recommender issued in the week for each key role of criticality `high` (succession's
  highest level), counts only: no candidate is named in an email.

Recipients are few (the HR leaders admins named), so each digest is read on its own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from talent_notifier.notifications.messages import STALE_RECORD_NAMES
from talent_notifier.notifications.recipients import TERMINATED
from talent_notifier.people.models import EmployeeProjection
from talent_notifier.succession.models import (
    KeyRoleSummary,
    ReadySuccessor,
    StaleRecord,
    SuccessorSuggestion,
)
from talent_notifier.succession.recipients import Recipient

CRITICAL = ("high",)
"""Criticalities whose new successor suggestions a digest counts (succession's Level is
low, medium, high)."""
LEVEL_ORDER = {"high": 0, "medium": 1, "low": 2}
"""Most critical first."""
MAX_STALE = 50


def succession_digest_subject(*, uncovered: int, stale: int, suggestions: int) -> str:
    parts = []
    if uncovered:
        parts.append(f"{uncovered} uncovered key role{'s' if uncovered != 1 else ''}")
    if stale:
        parts.append(f"{stale} stale record{'s' if stale != 1 else ''}")
    if suggestions:
        parts.append(f"{suggestions} new successor suggestion{'s' if suggestions != 1 else ''}")
    return "Succession this week: " + ", ".join(parts)


def uncovered_roles(session: Session) -> list[dict[str, Any]]:
    covered = select(ReadySuccessor.nomination_id).where(
        ReadySuccessor.key_role_id == KeyRoleSummary.key_role_id
    )
    rows = session.execute(
        select(
            KeyRoleSummary.code,
            KeyRoleSummary.title,
            KeyRoleSummary.criticality,
            KeyRoleSummary.successors,
            KeyRoleSummary.uncovered_on,
        )
        .where(KeyRoleSummary.uncovered_on.is_not(None), ~covered.exists())
        .order_by(
            case(LEVEL_ORDER, value=KeyRoleSummary.criticality, else_=len(LEVEL_ORDER)),
            KeyRoleSummary.code,
        )
    )
    return [
        {
            "code": row.code,
            "title": row.title,
            "criticality": row.criticality.upper(),
            "successors": row.successors or 0,
            "since": row.uncovered_on.isoformat(),
        }
        for row in rows
    ]


def stale_records(
    session: Session, recipient: Recipient, *, since: dt.datetime, until: dt.datetime
) -> tuple[list[dict[str, Any]], int]:
    """The recipient's stale records (at most MAX_STALE) and how many there are."""
    rows = session.execute(
        select(
            StaleRecord.record_kind,
            StaleRecord.review_by,
            StaleRecord.employee_id,
            EmployeeProjection.name,
            EmployeeProjection.org_unit_code,
        )
        .join(EmployeeProjection, EmployeeProjection.employee_id == StaleRecord.employee_id)
        .where(
            StaleRecord.reviewed_at.is_(None),
            StaleRecord.flagged_at < until,
            or_(StaleRecord.record_kind != "plan", StaleRecord.flagged_at >= since),
            EmployeeProjection.status != TERMINATED,
            StaleRecord.employee_id != recipient.employee_id,
        )
        .order_by(StaleRecord.review_by, EmployeeProjection.name, StaleRecord.record_kind)
    )
    found = [
        {
            "record": STALE_RECORD_NAMES.get(row.record_kind, "succession record"),
            "name": row.name,
            "review_by": row.review_by.isoformat(),
        }
        for row in rows
        if recipient.hears_about(row.employee_id, org_unit_code=row.org_unit_code)
    ]
    return found[:MAX_STALE], len(found)


def new_suggestions(
    session: Session, *, since: dt.datetime, until: dt.datetime
) -> list[dict[str, Any]]:
    rows = session.execute(
        select(
            KeyRoleSummary.code,
            KeyRoleSummary.title,
            func.count(SuccessorSuggestion.recommendation_id).label("count"),
        )
        .join(KeyRoleSummary, KeyRoleSummary.key_role_id == SuccessorSuggestion.key_role_id)
        .where(
            KeyRoleSummary.criticality.in_(CRITICAL),
            SuccessorSuggestion.received_at >= since,
            SuccessorSuggestion.received_at < until,
        )
        .group_by(KeyRoleSummary.code, KeyRoleSummary.title)
        .order_by(KeyRoleSummary.code)
    )
    return [{"code": row.code, "title": row.title, "count": row.count} for row in rows]


def succession_digest(
    session: Session, recipient: Recipient, *, since: dt.datetime, until: dt.datetime
) -> dict[str, Any] | None:
    """What the recipient's digest for the week [since, until) records, or None when it
    would be empty."""
    uncovered = uncovered_roles(session)
    stale, stale_total = stale_records(session, recipient, since=since, until=until)
    suggestions = new_suggestions(session, since=since, until=until)
    if not (uncovered or stale or suggestions):
        return None
    return {
        "subject": succession_digest_subject(
            uncovered=len(uncovered),
            stale=stale_total,
            suggestions=sum(s["count"] for s in suggestions),
        ),
        "uncovered": uncovered,
        "stale": stale,
        "stale_more": stale_total - len(stale),
        "suggestions": suggestions,
    }
