"""Every model of the service, imported once so Alembic sees the whole MetaData."""

from talent_notifier.db import Base, messaging
from talent_notifier.notifications.models import Delivery
from talent_notifier.people.models import EmployeeProjection

__all__ = ["Base", "Delivery", "EmployeeProjection", "messaging"]
