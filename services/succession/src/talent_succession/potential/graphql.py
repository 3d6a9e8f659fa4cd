from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from enum import Enum
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


@strawberry.enum(description="How a potential assessment was recorded.")
class AssessmentSource(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    MANUAL = strawberry.enum_value("manual", description="By assessPotential.")
    IMPORT = strawberry.enum_value("import", description="From a potential CSV import.")


@strawberry.type(description="One potential assessment (confidential).")
class PotentialAssessment:
    id: strawberry.ID = strawberry.field(description="The assessment's id (UUID).")
    potential: Level = strawberry.field(description="The potential assessed.")
    assessed_on: dt.date = strawberry.field(description="The day it was assessed (ISO date).")
    review_by: dt.date = strawberry.field(
        description="When it should be reviewed again (ISO date); past it, the employee's "
        "latest assessment is a stale POTENTIAL record."
    )
    notes: str = strawberry.field(description="Free notes; empty when none.")
    source: AssessmentSource = strawberry.field(description="How it was recorded.")
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
            source=AssessmentSource(m.source),
            _employee_id=m.employee_id,
            _assessor_id=m.assessor_id,
        )

    @strawberry.field(description="The employee assessed.")
    def employee(self) -> EmployeeType:
        return employee_ref(self._employee_id)

    @strawberry.field(
        description="Who assessed (by default whoever recorded it); null when unknown."
    )
    def assessor(self) -> EmployeeType | None:
        return None if self._assessor_id is None else employee_ref(self._assessor_id)


@strawberry.type(description="A high-potential designation (confidential).")
class HighPotentialDesignation:
    id: strawberry.ID = strawberry.field(description="The designation's id (UUID).")
    designated_on: dt.date = strawberry.field(description="Since when (ISO date).")
    reason: str = strawberry.field(description="Why the employee was designated.")
    review_date: dt.date | None = strawberry.field(
        description="When to review the designation (ISO date); null when none was set."
    )
    designated_by: str = strawberry.field(description="Token subject of who designated.")
    ended_on: dt.date | None = strawberry.field(
        description="When the designation ended; null while it is open."
    )
    end_reason: str | None = strawberry.field(description="Why it ended; null while it is open.")

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


@strawberry.input(description="A new potential assessment; earlier ones are kept.")
class AssessPotentialInput:
    employee_id: strawberry.ID = strawberry.field(
        description="An active employee other than the caller."
    )
    potential: Level = strawberry.field(description="The potential assessed.")
    assessed_on: dt.date = strawberry.field(description="ISO date, not in the future.")
    assessor_id: strawberry.ID | None = strawberry.field(
        default=None, description="Defaults to the caller."
    )
    review_by: dt.date | None = strawberry.field(
        default=None,
        description="After assessedOn; defaults to 12 months after the assessment.",
    )
    notes: str = strawberry.field(default="", description="Free notes.")


@strawberry.type(description="The potential assessment recorded.")
class AssessPotentialPayload:
    assessment: PotentialAssessment = strawberry.field(description="The new assessment.")


@strawberry.input(description="A new high-potential designation.")
class DesignateHighPotentialInput:
    employee_id: strawberry.ID = strawberry.field(
        description="An active employee other than the caller, not designated already."
    )
    designated_on: dt.date = strawberry.field(description="ISO date, not in the future.")
    reason: str = strawberry.field(description="Why; required.")
    review_date: dt.date | None = strawberry.field(
        default=None,
        description="After designatedOn; defaults to 12 months after the designation.",
    )


@strawberry.input(description="Ends an employee's open designation.")
class EndHighPotentialInput:
    employee_id: strawberry.ID = strawberry.field(
        description="The employee with an open designation."
    )
    ended_on: dt.date = strawberry.field(
        description="ISO date, not in the future nor before the designation."
    )
    reason: str = strawberry.field(description="Why; required.")


@strawberry.type(description="The designation a mutation created or ended.")
class HighPotentialPayload:
    designation: HighPotentialDesignation = strawberry.field(
        description="The designation as it is now."
    )


AssessPotentialResult = Annotated[
    AssessPotentialPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "AssessPotentialResult", description="The assessment, or why none was recorded."
    ),
]
HighPotentialResult = Annotated[
    HighPotentialPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("HighPotentialResult", description="The designation, or why nothing changed."),
]


@strawberry.type
class PotentialMutation:
    @strawberry.mutation(
        description="Record a potential assessment (hr_leader, admin, granted hr_coordinator)."
    )
    async def assess_potential(
        self,
        info: Ctx,
        input: Annotated[
            AssessPotentialInput,
            strawberry.argument(description="The employee and the assessment."),
        ],
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
        description="Designate an employee high potential (hr_leader, admin, granted "
        "hr_coordinator); Conflict when already designated."
    )
    async def designate_high_potential(
        self,
        info: Ctx,
        input: Annotated[
            DesignateHighPotentialInput,
            strawberry.argument(description="The employee and the reason."),
        ],
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

    @strawberry.mutation(
        description="End an employee's open high-potential designation (same roles); "
        "NotFound when there is none."
    )
    async def end_high_potential(
        self,
        info: Ctx,
        input: Annotated[
            EndHighPotentialInput, strawberry.argument(description="The employee and the reason.")
        ],
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
