"""Succession's projection of the people service's employees, built from its events.

What succession needs: status (no terminated successor; high-potential retention),
reporting lines and org units (9-box grids), job profiles (incumbency follows
transfers). Never written by anything but the people-event consumer.
"""

from __future__ import annotations

from talent_platform.employees import EmployeeColumns
from talent_succession.db import Base


class EmployeeProjection(EmployeeColumns, Base):
    __tablename__ = "employee_projection"
