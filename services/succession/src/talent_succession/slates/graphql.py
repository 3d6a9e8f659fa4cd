from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from talent_platform.graphql import (
    Conflict,
    Forbidden,
    NotFound,
    TalentContext,
    ValidationError,
    run_mutation,
)
from talent_succession.enums import Readiness
from talent_succession.people.ref import EmployeeType, employee_ref
from talent_succession.slates.models import Nomination as NominationModel
from talent_succession.slates.models import ReadinessAssessment as ReadinessModel
from talent_succession.slates.service import (
    NominationChange,
    NominationInput,
    ReadinessInput,
    SlateService,
)
from talent_succession.validation import parse_uuid

if TYPE_CHECKING:
    from talent_succession.key_roles.graphql import KeyRole

Ctx = Info[TalentContext, None]
KeyRoleType = Annotated["KeyRole", strawberry.lazy("talent_succession.key_roles.graphql")]


@strawberry.type(description="One readiness a successor was given.")
class ReadinessRecord:
    readiness: Readiness = strawberry.field(description="The readiness given.")
    assessed_on: dt.date = strawberry.field(description="The day it was assessed (ISO date).")
    assessed_by: str = strawberry.field(description="Token subject of who recorded it.")

    @classmethod
    def from_model(cls, m: ReadinessModel) -> ReadinessRecord:
        return cls(
            readiness=Readiness(m.readiness), assessed_on=m.assessed_on, assessed_by=m.assessed_by
        )


async def _readiness(info: Ctx, keys: Sequence[uuid.UUID]) -> list[list[ReadinessRecord]]:
    service = SlateService(info.context.session, info.context.principal)
    found = await service.readiness_histories(keys)
    return [[ReadinessRecord.from_model(r) for r in found.get(k, [])] for k in keys]


def readiness_history_loader(info: Ctx) -> DataLoader[uuid.UUID, list[ReadinessRecord]]:
    return info.context.loader("slate.readiness", lambda keys: _readiness(info, keys))


@strawberry.type(description="A successor on a key role's slate (confidential).")
class Nomination:
    id: strawberry.ID = strawberry.field(description="The nomination's id (UUID).")
    readiness: Readiness = strawberry.field(description="The latest readiness assessed.")
    rank: int = strawberry.field(
        description="1-1000, 1 first; unique among the slate's current successors."
    )
    notes: str = strawberry.field(description="Free notes (at most 5000 characters).")
    emergency: bool = strawberry.field(description="The emergency (interim) successor.")
    suggestion_id: strawberry.ID | None = strawberry.field(
        description="The recommender's suggestion this nomination accepted, if any."
    )
    nominated_on: dt.date = strawberry.field(description="The day of the nomination (ISO date).")
    nominated_by: str = strawberry.field(description="Token subject of who nominated.")
    readiness_assessed_on: dt.date = strawberry.field(
        description="The day the current readiness was assessed (ISO date)."
    )
    review_by: dt.date = strawberry.field(
        description="When the readiness should be reassessed (ISO date); past it, the "
        "nomination is a stale READINESS record."
    )
    removed_on: dt.date | None = strawberry.field(
        description="When the successor was taken off the slate; null while on it."
    )
    removed_reason: str | None = strawberry.field(
        description="Why they were taken off; null while on the slate."
    )
    _employee_id: strawberry.Private[uuid.UUID]
    _key_role_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, m: NominationModel) -> Nomination:
        return cls(
            id=strawberry.ID(str(m.id)),
            readiness=Readiness(m.readiness),
            rank=m.rank,
            notes=m.notes,
            emergency=m.emergency,
            suggestion_id=strawberry.ID(str(m.suggestion_id)) if m.suggestion_id else None,
            nominated_on=m.nominated_on,
            nominated_by=m.nominated_by,
            readiness_assessed_on=m.readiness_assessed_on,
            review_by=m.review_by,
            removed_on=m.removed_on,
            removed_reason=m.removed_reason,
            _employee_id=m.employee_id,
            _key_role_id=m.key_role_id,
        )

    @strawberry.field(description="The successor.")
    def employee(self) -> EmployeeType:
        return employee_ref(self._employee_id)

    @strawberry.field(description="The key role whose slate this is.")
    async def key_role(self, info: Ctx) -> KeyRoleType:
        from talent_succession.key_roles.graphql import key_role_by_id_loader

        found = await key_role_by_id_loader(info).load(self._key_role_id)
        if found is None:  # the foreign key makes this impossible
            raise RuntimeError(f"key role {self._key_role_id} of nomination {self.id} is missing")
        return found

    @strawberry.field(description="Every readiness given, newest first.")
    async def readiness_history(self, info: Ctx) -> list[ReadinessRecord]:
        return await readiness_history_loader(info).load(uuid.UUID(self.id))


@strawberry.input(description="A successor to put on a slate.")
class NominateSuccessorInput:
    key_role_code: str = strawberry.field(description="The key role's code.")
    employee_id: strawberry.ID = strawberry.field(
        description="An active employee, not the incumbent, not the caller, not on the slate yet."
    )
    readiness: Readiness = strawberry.field(
        description="The readiness, assessed on the nomination day."
    )
    rank: int | None = strawberry.field(
        default=None,
        description="1-1000, free on the slate; defaults to one after the slate's last rank.",
    )
    notes: str = strawberry.field(default="", description="At most 5000 characters.")
    emergency: bool = strawberry.field(
        default=False, description="True for the emergency (interim) successor."
    )
    suggestion_id: strawberry.ID | None = strawberry.field(
        default=None, description="The recommender's successor suggestion being accepted."
    )
    nominated_on: dt.date | None = strawberry.field(
        default=None, description="ISO date, not in the future; defaults to today."
    )
    review_by: dt.date | None = strawberry.field(
        default=None,
        description="When to reassess readiness, after the nomination; defaults to 12 "
        "months after it.",
    )


@strawberry.input(description="A new readiness for a current successor.")
class AssessReadinessInput:
    nomination_id: strawberry.ID = strawberry.field(description="The current nomination.")
    readiness: Readiness = strawberry.field(description="The readiness assessed.")
    assessed_on: dt.date = strawberry.field(
        description="ISO date, not in the future nor before the nomination."
    )
    review_by: dt.date | None = strawberry.field(
        default=None,
        description="When to reassess, after assessedOn; defaults to 12 months after it.",
    )


@strawberry.input(description="Fields left null are not changed.")
class UpdateSuccessorInput:
    nomination_id: strawberry.ID = strawberry.field(description="The current nomination.")
    rank: int | None = strawberry.field(
        default=None, description="1-1000, not taken by another current successor."
    )
    notes: str | None = strawberry.field(
        default=None, description="Replaces the notes; at most 5000 characters."
    )
    emergency: bool | None = strawberry.field(
        default=None, description="Whether this is the emergency (interim) successor."
    )


@strawberry.input(description="Takes a successor off a slate; the nomination is kept.")
class RemoveSuccessorInput:
    nomination_id: strawberry.ID = strawberry.field(description="The current nomination.")
    reason: str = strawberry.field(description="Why; required.")
    removed_on: dt.date | None = strawberry.field(
        default=None,
        description="ISO date, not in the future nor before the nomination; defaults to today.",
    )


@strawberry.type(description="The nomination a mutation created or changed.")
class NominationPayload:
    nomination: Nomination = strawberry.field(description="The nomination as it is now.")


NominationResult = Annotated[
    NominationPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("NominationResult", description="The nomination, or why nothing changed."),
]


@strawberry.type
class SlateMutation:
    @strawberry.mutation(
        description="Put a successor on a key role's slate (hr_leader, admin, granted "
        "hr_coordinator). Not the incumbent, not a terminated employee, rank unique."
    )
    async def nominate_successor(
        self,
        info: Ctx,
        input: Annotated[
            NominateSuccessorInput,
            strawberry.argument(description="The key role, the successor and their readiness."),
        ],
    ) -> NominationResult:
        service = SlateService(info.context.session, info.context.principal)

        async def action() -> NominationPayload:
            nomination = await service.nominate(
                NominationInput(
                    key_role_code=input.key_role_code,
                    employee_id=parse_uuid(input.employee_id, "input.employeeId"),
                    readiness=input.readiness.value,
                    rank=input.rank,
                    notes=input.notes,
                    emergency=input.emergency,
                    suggestion_id=(
                        parse_uuid(input.suggestion_id, "input.suggestionId", "id")
                        if input.suggestion_id
                        else None
                    ),
                    nominated_on=input.nominated_on,
                    review_by=input.review_by,
                )
            )
            return NominationPayload(nomination=Nomination.from_model(nomination))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Record a successor's readiness (kept in its history; same roles as "
        "nominateSuccessor)."
    )
    async def assess_readiness(
        self,
        info: Ctx,
        input: Annotated[
            AssessReadinessInput,
            strawberry.argument(description="The nomination and its new readiness."),
        ],
    ) -> NominationResult:
        service = SlateService(info.context.session, info.context.principal)

        async def action() -> NominationPayload:
            nomination = await service.assess_readiness(
                ReadinessInput(
                    nomination_id=parse_uuid(input.nomination_id, "input.nominationId", "id"),
                    readiness=input.readiness.value,
                    assessed_on=input.assessed_on,
                    review_by=input.review_by,
                )
            )
            return NominationPayload(nomination=Nomination.from_model(nomination))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Change a successor's rank, notes or emergency flag (audited)."
    )
    async def update_successor(
        self,
        info: Ctx,
        input: Annotated[
            UpdateSuccessorInput, strawberry.argument(description="The nomination and the changes.")
        ],
    ) -> NominationResult:
        service = SlateService(info.context.session, info.context.principal)

        async def action() -> NominationPayload:
            nomination = await service.change(
                NominationChange(
                    nomination_id=parse_uuid(input.nomination_id, "input.nominationId", "id"),
                    rank=input.rank,
                    notes=input.notes,
                    emergency=input.emergency,
                )
            )
            return NominationPayload(nomination=Nomination.from_model(nomination))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Take a successor off the slate, with a reason; the nomination stays "
        "in the slate's history (`slate(includeRemoved: true)`)."
    )
    async def remove_successor(
        self,
        info: Ctx,
        input: Annotated[
            RemoveSuccessorInput, strawberry.argument(description="The nomination and the reason.")
        ],
    ) -> NominationResult:
        service = SlateService(info.context.session, info.context.principal)

        async def action() -> NominationPayload:
            nomination = await service.remove(
                parse_uuid(input.nomination_id, "input.nominationId", "id"),
                reason=input.reason,
                removed_on=input.removed_on,
            )
            return NominationPayload(nomination=Nomination.from_model(nomination))

        return await run_mutation(info.context, action)
