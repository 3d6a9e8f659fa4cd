"""The notifier service's own database: declarative base, outbox and inbox."""

from sqlalchemy.orm import DeclarativeBase

from talent_platform.db import new_metadata
from talent_platform.events import Outbox, messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


messaging = messaging_tables(Base.metadata)
outbox = Outbox(messaging.outbox, service="notifier")
