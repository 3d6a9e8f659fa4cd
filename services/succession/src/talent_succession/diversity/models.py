"""Diversity attributes HR supplies per employee (never inferred, never published)."""

from __future__ import annotations

import uuid

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from talent_platform.db import Entity
from talent_succession.db import Base


class DiversityAttribute(Entity, Base):
    """One attribute value of an employee as the customer supplied it (e.g. gender:
    female). Only hr_leader and admin write these; they feed the slate-diversity report
    and nothing else (no event, no ranking)."""

    __tablename__ = "diversity_attribute"
    __table_args__ = (UniqueConstraint("employee_id", "name"),)

    employee_id: Mapped[uuid.UUID] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(String(200))
    supplied_by: Mapped[str] = mapped_column(String(200))
