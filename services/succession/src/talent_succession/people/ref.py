"""References to the `Employee` entity from succession's own types.

`people/graphql.py` defines Employee with succession's fields, which return types that
point back at Employee: those point through this lazy reference to break the cycle.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

import strawberry

if TYPE_CHECKING:
    from talent_succession.people.graphql import Employee

EmployeeType = Annotated["Employee", strawberry.lazy("talent_succession.people.graphql")]


def employee_ref(employee_id: uuid.UUID) -> Employee:
    from talent_succession.people.graphql import Employee

    return Employee(id=strawberry.ID(str(employee_id)))
