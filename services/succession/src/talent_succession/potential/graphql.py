from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Annotated

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
from talent_succession.enums import Level
from talent_succession.people.ref import EmployeeType, employee_ref
from talent_succession.potential.models import HighPotentialDesignation as DesignationModel
from talent_succession.potential.models import PotentialAssessment as AssessmentModel
from talent_succession.potential.service import DesignationInput, PotentialInput, PotentialService
from talent_succession.validation import parse_uuid

Ctx = Info[TalentContext, None]


@strawberry.type(description="One potential assessment (confidential).")
class PotentialAssessment:
    id: strawberry.ID
    potential: Level
    assessed_on: dt.date
    review_by: dt.date = strawberry.field(description="When it should be reviewed again.")
    notes: str
    source: str = strawberry.field(description="`manual` or `import`.")
    _employee_id: strawberry.Private[uuid.UUID]
    _assessor_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_model(cls, m: AssessmentModel) -> PotentialAssessment:
        return cls(
            id=strawberry.ID(str(m.id)),
            potential=Level(m.potential),
            assessed_on=m.assessed_on,
            review_by=m.review_by,
            notes=m.notes,
            source=m.source,
            _employee_id=m.employee_id,
            _assessor_id=m.assessor_id,
        )

    @strawberry.field
    def employee(self) -> EmployeeType:
        return employee_ref(self._employee_id)

    @strawberry.field
    def assessor(self) -> EmployeeType | None:
        return None if self._assessor_id is None else employee_ref(self._assessor_id)


@strawberry.type(description="A high-potential designation (confidential).")
class HighPotentialDesignation:
    id: strawberry.ID
    designated_on: dt.date
    reason: str
    review_date: dt.date | None
    designated_by: str
    ended_on: dt.date | None
    end_reason: str | None

    @classmethod
    def from_model(cls, m: DesignationModel) -> HighPotentialDesignation:
        return cls(
            id=strawberry.ID(str(m.id)),
            designated_on=m.designated_on,
            reason=m.reason,
            review_date=m.review_date,
            designated_by=m.designated_by,
            ended_on=m.ended_on,
            end_reason=m.end_reason,
        )


async def _histories(info: Ctx, keys: Sequence[uuid.UUID]) -> list[list[PotentialAssessment]]:
    found = await PotentialService(info.context.session, info.context.principal).histories(keys)
    return [[PotentialAssessment.from_model(r) for r in found.get(k, [])] for k in keys]


async def _designations(
    info: Ctx, keys: Sequence[uuid.UUID]
) -> list[list[HighPotentialDesignation]]:
    found = await PotentialService(info.context.session, info.context.principal).designations(keys)
    return [[HighPotentialDesignation.from_model(r) for r in found.get(k, [])] for k in keys]


def potential_history_loader(info: Ctx) -> DataLoader[uuid.UUID, list[PotentialAssessment]]:
    return info.context.loader("potential.history", lambda keys: _histories(info, keys))


def designations_loader(info: Ctx) -> DataLoader[uuid.UUID, list[HighPotentialDesignation]]:
    return info.context.loader("potential.designations", lambda keys: _designations(info, keys))


@strawberry.input
class AssessPotentialInput:
    employee_id: strawberry.ID
    potential: Level
    assessed_on: dt.date
    assessor_id: strawberry.ID | None = strawberry.field(
        default=None, description="Defaults to the caller."
    )
    review_by: dt.date | None = strawberry.field(
        default=None, description="Defaults to 12 months after the assessment."
    )
    notes: str = ""


@strawberry.type
class AssessPotentialPayload:
    assessment: PotentialAssessment


@strawberry.input
class DesignateHighPotentialInput:
    employee_id: strawberry.ID
    designated_on: dt.date
    reason: str
    review_date: dt.date | None = strawberry.field(
        default=None, description="Defaults to 12 months after the designation."
    )


@strawberry.input
class EndHighPotentialInput:
    employee_id: strawberry.ID
    ended_on: dt.date
    reason: str


@strawberry.type
class HighPotentialPayload:
    designation: HighPotentialDesignation


AssessPotentialResult = Annotated[
    AssessPotentialPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("AssessPotentialResult"),
]
HighPotentialResult = Annotated[
    HighPotentialPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("HighPotentialResult"),
]


@strawberry.type
class PotentialMutation:
    @strawberry.mutation(
        description="Record a potential assessment (hr_leader, admin, granted hr_coordinator)."
    )
    async def assess_potential(
        self, info: Ctx, input: AssessPotentialInput
    ) -> AssessPotentialResult:
        service = PotentialService(info.context.session, info.context.principal)

        async def action() -> AssessPotentialPayload:
            row = await service.assess(
                PotentialInput(
                    employee_id=parse_uuid(input.employee_id, "input.employeeId"),
                    potential=input.potential.value,
                    assessed_on=input.assessed_on,
                    assessor_id=(
                        parse_uuid(input.assessor_id, "input.assessorId")
                        if input.assessor_id
                        else None
                    ),
                    review_by=input.review_by,
                    notes=input.notes,
                )
            )
            return AssessPotentialPayload(assessment=PotentialAssessment.from_model(row))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Designate an employee high potential; Conflict when already designated."
    )
    async def designate_high_potential(
        self, info: Ctx, input: DesignateHighPotentialInput
    ) -> HighPotentialResult:
        service = PotentialService(info.context.session, info.context.principal)

        async def action() -> HighPotentialPayload:
            row = await service.designate(
                DesignationInput(
                    employee_id=parse_uuid(input.employee_id, "input.employeeId"),
                    designated_on=input.designated_on,
                    reason=input.reason,
                    review_date=input.review_date,
                )
            )
            return HighPotentialPayload(designation=HighPotentialDesignation.from_model(row))

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="End an employee's open high-potential designation.")
    async def end_high_potential(
        self, info: Ctx, input: EndHighPotentialInput
    ) -> HighPotentialResult:
        service = PotentialService(info.context.session, info.context.principal)

        async def action() -> HighPotentialPayload:
            row = await service.end_designation(
                parse_uuid(input.employee_id, "input.employeeId"),
                ended_on=input.ended_on,
                reason=input.reason,
            )
            return HighPotentialPayload(designation=HighPotentialDesignation.from_model(row))

        return await run_mutation(info.context, action)
