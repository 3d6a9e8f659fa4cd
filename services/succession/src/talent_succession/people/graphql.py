"""The people service's `Employee` entity, as succession extends it.

Only the key is declared here: people owns and resolves every other field. The
succession fields are confidential: null unless the caller is hr_leader, admin or a
granted hr_coordinator, and always null on the caller's own record (nobody sees their
own potential, designation or nominations).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from talent_platform.graphql import TalentContext
from talent_succession.access import sees_employee
from talent_succession.dates import today
from talent_succession.enums import Level
from talent_succession.ninebox.graphql import NineBoxPosition
from talent_succession.ninebox.service import NineBoxService
from talent_succession.plans.graphql import DevelopmentPlan, plans_loader
from talent_succession.potential.graphql import (
    HighPotentialDesignation,
    PotentialAssessment,
    designations_loader,
    potential_history_loader,
)
from talent_succession.ratings.repository import ratings_of
from talent_succession.slates.graphql import Nomination
from talent_succession.slates.service import SlateService

Ctx = Info[TalentContext, None]

HIDDEN = (
    " Null unless the caller is hr_leader, admin or a granted hr_coordinator, and always "
    "null on the caller's own record."
)


@strawberry.type(description="A calibrated overall rating, consumed from performance.")
class CalibratedRating:
    cycle_code: str = strawberry.field(description="Code of the performance review cycle.")
    overall_rating: int = strawberry.field(description="The final rating, 1-5.")
    rated_on: dt.date = strawberry.field(description="The day of the rating (ISO date).")


async def _ratings(info: Ctx, keys: Sequence[uuid.UUID]) -> list[list[CalibratedRating]]:
    found = await ratings_of(info.context.session, keys)
    return [
        [
            CalibratedRating(
                cycle_code=r.cycle_code, overall_rating=r.overall_rating, rated_on=r.rated_on
            )
            for r in found.get(k, [])
        ]
        for k in keys
    ]


async def _nine_box(
    info: Ctx, keys: Sequence[tuple[uuid.UUID, dt.date]]
) -> list[NineBoxPosition | None]:
    service = NineBoxService(info.context.session, info.context.principal)
    found: dict[tuple[uuid.UUID, dt.date], tuple[str, str]] = {}
    for day in {d for _, d in keys}:
        placed = await service.placements([e for e, d in keys if d == day], as_of=day)
        found.update({(e, day): p for e, p in placed.items()})
    return [
        NineBoxPosition(performance=Level(found[k][0]), potential=Level(found[k][1]))
        if k in found
        else None
        for k in keys
    ]


async def _nominations(info: Ctx, keys: Sequence[uuid.UUID]) -> list[list[Nomination]]:
    found = await SlateService(info.context.session, info.context.principal).nominations_of(keys)
    return [[Nomination.from_model(n) for n in found.get(k, [])] for k in keys]


@strawberry.federation.type(
    keys=["id"],
    description="A person in the organisation (owned by the people service).",
)
class Employee:
    id: strawberry.ID = strawberry.field(description="The employee's id (UUID).")

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Employee:
        return cls(id=id)

    def uuid_or_none(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(str(self.id))
        except ValueError:
            return None

    async def _visible_id(self, info: Ctx) -> uuid.UUID | None:
        employee_id = self.uuid_or_none()
        return employee_id if await sees_employee(info, employee_id) else None

    @strawberry.field(
        description="The latest potential assessment (also null when there is none)." + HIDDEN
    )
    async def potential(self, info: Ctx) -> PotentialAssessment | None:
        employee_id = await self._visible_id(info)
        if employee_id is None:
            return None
        history = await potential_history_loader(info).load(employee_id)
        return history[0] if history else None

    @strawberry.field(description="Every potential assessment, newest first." + HIDDEN)
    async def potential_history(self, info: Ctx) -> list[PotentialAssessment] | None:
        employee_id = await self._visible_id(info)
        if employee_id is None:
            return None
        return await potential_history_loader(info).load(employee_id)

    @strawberry.field(
        description="The open high-potential designation (also null when none)." + HIDDEN
    )
    async def high_potential(self, info: Ctx) -> HighPotentialDesignation | None:
        employee_id = await self._visible_id(info)
        if employee_id is None:
            return None
        designations = await designations_loader(info).load(employee_id)
        return next((d for d in designations if d.ended_on is None), None)

    @strawberry.field(description="Every high-potential designation, newest first." + HIDDEN)
    async def high_potential_history(self, info: Ctx) -> list[HighPotentialDesignation] | None:
        employee_id = await self._visible_id(info)
        if employee_id is None:
            return None
        return await designations_loader(info).load(employee_id)

    @strawberry.field(
        description="The employee's current nominations to key-role slates, by rank (reads "
        "audited)." + HIDDEN
    )
    async def nominations(self, info: Ctx) -> list[Nomination] | None:
        employee_id = await self._visible_id(info)
        if employee_id is None:
            return None
        loader: DataLoader[uuid.UUID, list[Nomination]] = info.context.loader(
            "employee.nominations", lambda keys: _nominations(info, keys)
        )
        return await loader.load(employee_id)

    @strawberry.field(
        description="The employee's 9-box placement on a day (also null when not placed: "
        "no calibrated rating or no potential assessment by then)." + HIDDEN
    )
    async def nine_box(
        self,
        info: Ctx,
        as_of: Annotated[
            dt.date | None,
            strawberry.argument(description="The day (ISO date); default today."),
        ] = None,
    ) -> NineBoxPosition | None:
        employee_id = await self._visible_id(info)
        if employee_id is None:
            return None
        day = as_of or today()
        loader: DataLoader[tuple[uuid.UUID, dt.date], NineBoxPosition | None] = info.context.loader(
            "employee.nine_box", lambda keys: _nine_box(info, keys)
        )
        return await loader.load((employee_id, day))

    @strawberry.field(description="Development plans, newest first." + HIDDEN)
    async def development_plans(self, info: Ctx) -> list[DevelopmentPlan] | None:
        employee_id = await self._visible_id(info)
        if employee_id is None:
            return None
        return await plans_loader(info).load(employee_id)

    @strawberry.field(
        description="Calibrated overall ratings (1-5) as performance published them, newest "
        "first (succession's copy for talent profiles)." + HIDDEN
    )
    async def calibrated_ratings(self, info: Ctx) -> list[CalibratedRating] | None:
        employee_id = await self._visible_id(info)
        if employee_id is None:
            return None
        loader: DataLoader[uuid.UUID, list[CalibratedRating]] = info.context.loader(
            "employee.ratings", lambda keys: _ratings(info, keys)
        )
        return await loader.load(employee_id)
