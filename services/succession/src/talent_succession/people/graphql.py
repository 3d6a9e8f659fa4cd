"""The people service's `Employee` entity, as succession extends it.

Only the key is declared here: people owns and resolves every other field. The
succession fields are confidential: null unless the caller is hr_leader, admin or a
granted hr_coordinator, and null for the caller's own record.
"""

from __future__ import annotations

import uuid

import strawberry


@strawberry.federation.type(keys=["id"])
class Employee:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Employee:
        return cls(id=id)

    @classmethod
    def of(cls, employee_id: uuid.UUID) -> Employee:
        return cls(id=strawberry.ID(str(employee_id)))

    def uuid_or_none(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(str(self.id))
        except ValueError:
            return None
