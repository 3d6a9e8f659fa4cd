"""Webhooks admins register: an HTTP endpoint that receives the notifications of an org
unit (with its sub-units) and of some categories, signed with the webhook's own secret.

A deleted webhook is kept (`deleted_at`), so its ledger rows and audit entries still say
where they went; it receives nothing more.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Index, String, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from talent_notifier.db import Base
from talent_platform.db import Entity


class Webhook(Entity, Base):
    __tablename__ = "webhook"
    __table_args__ = (
        # The active webhooks, matched against every notification the consumer makes.
        Index("ix_webhook_active", "created_at", postgresql_where=text("deleted_at IS NULL")),
    )

    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    """`whsec_` + base64 of the HMAC key (Standard Webhooks); shown once, at creation."""
    org_unit_code: Mapped[str | None] = mapped_column(String(200), default=None)
    """Only notifications about employees of this org unit or below; null: everyone."""
    categories: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    """Only notifications of these categories; empty: every category."""
    created_by: Mapped[str] = mapped_column(String(200))
    """The token subject of the admin who registered it."""
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
