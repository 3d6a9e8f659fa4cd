"""xAPI statements received, kept so a statement id posted twice changes nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import DateTime, ForeignKey, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from talent_learning.db import Base


class XapiStatement(Base):
    __tablename__ = "xapi_statement"

    statement_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    employee_id: Mapped[uuid.UUID]
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("course.id"))
    verb: Mapped[str] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(default=None)
    completion_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("completion.id"), default=None
    )
    statement: Mapped[dict[str, Any]] = mapped_column(JSONB)
    stored_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )
