"""Helpers for the digest tests: when held rows were recorded, and what was mailed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.orm import Session

from talent_notifier.notifications.models import Delivery


def recorded_at(session: Session, at: dt.datetime, *, course: str | None = None) -> None:
    """Date the ledger rows (those about `course`, else all) as recorded at `at`."""
    statement = update(Delivery).values(created_at=at)
    if course is not None:
        statement = statement.where(Delivery.data["course_code"].astext == course)
    session.execute(statement)
    session.expire_all()
