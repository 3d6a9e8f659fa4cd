from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from talent_platform.graphql import (
    Conflict,
    Forbidden,
    NotFound,
    TalentContext,
    ValidationError,
    run_mutation,
)
from talent_succession.diversity.models import DiversityAttribute as AttributeModel
from talent_succession.diversity.service import AttributeValue, DiversityCount, DiversityService
from talent_succession.validation import parse_uuid

Ctx = Info[TalentContext, None]


@strawberry.type(description="A diversity attribute HR supplied for an employee.")
class DiversityAttribute:
    name: str = strawberry.field(description="The attribute, e.g. `gender`.")
    value: str = strawberry.field(description="The value the customer supplied.")
    supplied_by: str = strawberry.field(description="Token subject of who set it.")

    @classmethod
    def from_model(cls, m: AttributeModel) -> DiversityAttribute:
        return cls(name=m.name, value=m.value, supplied_by=m.supplied_by)


@strawberry.type(description="Open nominees with one value of an attribute.")
class SlateDiversityCount:
    key_role_code: str | None = strawberry.field(
        description="Null on the rolled-up rows (all slates together)."
    )
    attribute: str = strawberry.field(description="The attribute's name.")
    value: str | None = strawberry.field(
        description="Null counts the nominees for whom the attribute was not supplied."
    )
    not_supplied: bool = strawberry.field(
        description="True on the row counting nominees without the attribute (value null)."
    )
    nominees: int = strawberry.field(
        description="Current successors with this value (the caller left out)."
    )

    @classmethod
    def of(cls, c: DiversityCount) -> SlateDiversityCount:
        return cls(
            key_role_code=c.key_role_code,
            attribute=c.attribute,
            value=c.value,
            not_supplied=c.value is None,
            nominees=c.nominees,
        )


@strawberry.type(description="Diversity of successor slates, from customer-supplied data only.")
class SlateDiversityReport:
    data_supplied: bool = strawberry.field(
        description="False when no diversity attribute was ever supplied: then there are "
        "no counts (nothing is inferred)."
    )
    overall: list[SlateDiversityCount] = strawberry.field(
        description="All open nominees per attribute and value."
    )
    by_key_role: list[SlateDiversityCount] = strawberry.field(
        description="Per key role with current successors, by code, attribute and value."
    )


@strawberry.input(description="One diversity attribute and its value.")
class DiversityAttributeInput:
    name: str = strawberry.field(description="E.g. `gender`; 1-100 characters.")
    value: str = strawberry.field(description="1-200 characters.")


@strawberry.input(description="An employee's diversity attributes.")
class SetDiversityAttributesInput:
    employee_id: strawberry.ID = strawberry.field(
        description="A known employee other than the caller."
    )
    attributes: list[DiversityAttributeInput] = strawberry.field(
        description="The employee's whole set (at most 50, each name once): replaces what "
        "was stored; [] clears it."
    )


@strawberry.type(description="An employee's diversity attributes after a change.")
class DiversityAttributesPayload:
    employee_id: strawberry.ID = strawberry.field(description="The employee.")
    attributes: list[DiversityAttribute] = strawberry.field(
        description="Everything stored for them now, by name."
    )


SetDiversityAttributesResult = Annotated[
    DiversityAttributesPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "SetDiversityAttributesResult", description="The attributes, or why nothing changed."
    ),
]


@strawberry.type
class DiversityQuery:
    @strawberry.field(
        description="The diversity attributes HR supplied for an employee (confidential, "
        "audited; nobody reads their own)."
    )
    async def diversity_attributes(
        self,
        info: Ctx,
        employee_id: Annotated[strawberry.ID, strawberry.argument(description="The employee.")],
    ) -> list[DiversityAttribute] | None:
        service = DiversityService(info.context.session, info.context.principal)
        rows = await service.attributes_of(parse_uuid(employee_id, "employeeId"))
        return [DiversityAttribute.from_model(r) for r in rows]

    @strawberry.field(
        description="Nominees on open slates counted per attribute value, per key role and "
        "overall, with 'not supplied' counted (confidential, audited). CSV: "
        "`successionReportCsv(report: SLATE_DIVERSITY)`."
    )
    async def slate_diversity_report(
        self,
        info: Ctx,
        attribute: Annotated[
            str | None,
            strawberry.argument(description="Only this attribute, e.g. `gender`; omit for all."),
        ] = None,
    ) -> SlateDiversityReport | None:
        service = DiversityService(info.context.session, info.context.principal)
        counts = await service.slate_diversity(attribute)
        supplied = await service.any_supplied()
        rows = [SlateDiversityCount.of(c) for c in counts] if supplied else []
        return SlateDiversityReport(
            data_supplied=supplied,
            overall=[r for r in rows if r.key_role_code is None],
            by_key_role=[r for r in rows if r.key_role_code is not None],
        )


@strawberry.type
class DiversityMutation:
    @strawberry.mutation(
        description="Set an employee's customer-supplied diversity attributes (hr_leader, "
        "admin). Idempotent; audited; never published in events."
    )
    async def set_diversity_attributes(
        self,
        info: Ctx,
        input: Annotated[
            SetDiversityAttributesInput,
            strawberry.argument(description="The employee and their whole set of attributes."),
        ],
    ) -> SetDiversityAttributesResult:
        service = DiversityService(info.context.session, info.context.principal)

        async def action() -> DiversityAttributesPayload:
            employee_id = parse_uuid(input.employee_id, "input.employeeId")
            rows = await service.set_attributes(
                employee_id, [AttributeValue(a.name, a.value) for a in input.attributes]
            )
            return DiversityAttributesPayload(
                employee_id=strawberry.ID(str(employee_id)),
                attributes=[DiversityAttribute.from_model(r) for r in rows],
            )

        return await run_mutation(info.context, action)
