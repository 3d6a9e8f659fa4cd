from __future__ import annotations

from talent_learning.people.models import EmployeeProjection
from talent_platform.employees import EmployeeRepository


class EmployeeProjectionRepository(EmployeeRepository[EmployeeProjection]):
    model = EmployeeProjection
