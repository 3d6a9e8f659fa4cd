"""HR's feedback on successor suggestions."""

from __future__ import annotations

import uuid

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from talent_platform.db import Entity
from talent_recommender.db import Base


class SuccessorDismissal(Entity, Base):
    """A successor suggestion HR dismissed: the employee is not suggested for this key
    role again (unless HR puts them on its slate)."""

    __tablename__ = "successor_dismissal"
    __table_args__ = (UniqueConstraint("key_role_id", "employee_id"),)

    key_role_id: Mapped[uuid.UUID] = mapped_column()
    employee_id: Mapped[uuid.UUID] = mapped_column()
    recommendation_id: Mapped[uuid.UUID] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)
    dismissed_by: Mapped[str] = mapped_column(String(200))
