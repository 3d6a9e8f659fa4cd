"""The notifier's projection of the people service's employees, built from its events.

What the notifier needs: email address and name (who to write to), status (never write
to the terminated) and the reporting line (the manager told about an overdue course).
Never written by anything but the people-event consumer.
"""

from __future__ import annotations

from talent_notifier.db import Base
from talent_platform.employees import EmployeeColumns


class EmployeeProjection(EmployeeColumns, Base):
    __tablename__ = "employee_projection"
