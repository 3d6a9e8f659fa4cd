"""The people service's `Employee` entity, as performance references it.

Only the key is declared here: people owns and resolves every other field, so a review's
`employee { name }` is answered by people through the gateway.
"""

from __future__ import annotations

import uuid

import strawberry


@strawberry.federation.type(
    keys=["id"],
    description="A person in the organisation (owned by the people service).",
)
class Employee:
    id: strawberry.ID = strawberry.field(description="The employee's id (UUID).")

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Employee:
        return cls(id=id)

    @classmethod
    def of(cls, employee_id: uuid.UUID | None) -> Employee | None:
        return None if employee_id is None else cls(id=strawberry.ID(str(employee_id)))
