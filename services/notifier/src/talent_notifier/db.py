"""The notifier service's own database: declarative base, outbox and inbox."""

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import Uuid, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase

from talent_platform.db import new_metadata
from talent_platform.events import Outbox, messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


messaging = messaging_tables(Base.metadata)
outbox = Outbox(messaging.outbox, service="notifier")


def among(column: Any, ids: Collection[uuid.UUID]) -> Any:
    """`column IN (SELECT unnest(:ids))`: one array parameter however many ids. An IN
    list binds a parameter per id, and a whole organisation's ids (a digest run) pass the
    driver's limit of 65,535; `= ANY(:ids)` compares each row with the whole array, where
    the subquery is hashed (a semi-join)."""
    return column.in_(select(func.unnest(bindparam(None, list(ids), type_=ARRAY(Uuid())))))
