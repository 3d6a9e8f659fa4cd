"""The recommender's own database: declarative base, outbox, inbox and consumer lag."""

from sqlalchemy.orm import DeclarativeBase

from talent_platform.db import new_metadata
from talent_platform.events import Outbox, messaging_tables
from talent_platform.events.lag import consumer_lag_table


class Base(DeclarativeBase):
    metadata = new_metadata()


messaging = messaging_tables(Base.metadata)
outbox = Outbox(messaging.outbox, service="recommender")
consumer_lag = consumer_lag_table(Base.metadata)
