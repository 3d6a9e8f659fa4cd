"""Key roles: the positions whose succession is planned."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from talent_platform.db import Entity
from talent_succession.db import Base

LEVELS = ("low", "medium", "high")


class KeyRole(Entity, Base):
    __tablename__ = "key_role"
    __table_args__ = (
        CheckConstraint("criticality IN ('low', 'medium', 'high')", name="criticality"),
        CheckConstraint(
            "risk_of_loss IS NULL OR risk_of_loss IN ('low', 'medium', 'high')", name="risk_of_loss"
        ),
        CheckConstraint(
            "impact_of_loss IS NULL OR impact_of_loss IN ('low', 'medium', 'high')",
            name="impact_of_loss",
        ),
    )

    code: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    job_profile_code: Mapped[str | None] = mapped_column(String(100), default=None)
    # No foreign key: employees live in the people service (see people/models.py).
    incumbent_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    org_unit_code: Mapped[str | None] = mapped_column(String(200), default=None, index=True)
    criticality: Mapped[str] = mapped_column(String(10))
    risk_of_loss: Mapped[str | None] = mapped_column(String(10), default=None)
    impact_of_loss: Mapped[str | None] = mapped_column(String(10), default=None)
    expected_vacancy_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    # Set when the incumbent left (termination, transfer) or HR cleared it; null when filled.
    vacated_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
