from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Annotated

import strawberry
from strawberry.types import Info

from talent_platform.graphql import TalentContext
from talent_succession.enums import Level
from talent_succession.ninebox.repository import CellCount
from talent_succession.ninebox.service import NineBoxService

Ctx = Info[TalentContext, None]
LEVELS = (Level.LOW, Level.MEDIUM, Level.HIGH)


@strawberry.type(description="A box of the 9-box: performance (x) by potential (y).")
class NineBoxPosition:
    performance: Level = strawberry.field(
        description="From the latest calibrated rating: 1-2 low, 3 medium, 4-5 high."
    )
    potential: Level = strawberry.field(description="From the latest potential assessment.")


@strawberry.type(description="One box of a 9-box grid and how many employees are in it.")
class NineBoxCell:
    performance: Level = strawberry.field(
        description="Performance level of the box (x): ratings 1-2 low, 3 medium, 4-5 high."
    )
    potential: Level = strawberry.field(description="Potential level of the box (y).")
    count: int = strawberry.field(description="Employees placed in it.")


@strawberry.type(description="Counts per box; all nine cells, zeros included.")
class NineBoxGrid:
    group: str | None = strawberry.field(
        description="The org unit or key role code; null for the whole organisation."
    )
    total: int = strawberry.field(
        description="Employees placed: those with both a calibrated rating and a potential "
        "assessment on the day (the caller never counted)."
    )
    cells: list[NineBoxCell] = strawberry.field(
        description="Row by row from HIGH potential down, LOW to HIGH performance in a row."
    )


@strawberry.type(description="How many employees moved from one box to another.")
class NineBoxMove:
    from_: NineBoxPosition | None = strawberry.field(
        name="from", description="Null when not placed on the first day."
    )
    to: NineBoxPosition | None = strawberry.field(
        description="Null when not placed on the second day."
    )
    count: int = strawberry.field(description="Employees who made this move (or stayed).")


def grids(counts: Iterable[CellCount], groups: Iterable[str | None] = ()) -> list[NineBoxGrid]:
    by_group: dict[str | None, dict[tuple[str, str], int]] = defaultdict(dict)
    for group in groups:
        by_group[group] = {}
    for c in counts:
        by_group[c.group][(c.performance, c.potential)] = c.count
    return [
        NineBoxGrid(
            group=group,
            total=sum(cells.values()),
            cells=[
                NineBoxCell(
                    performance=perf,
                    potential=pot,
                    count=cells.get((perf.value, pot.value), 0),
                )
                for pot in reversed(LEVELS)
                for perf in LEVELS
            ],
        )
        for group, cells in sorted(by_group.items(), key=lambda item: item[0] or "")
    ]


def _position(performance: str | None, potential: str | None) -> NineBoxPosition | None:
    if performance is None or potential is None:
        return None
    return NineBoxPosition(performance=Level(performance), potential=Level(potential))


@strawberry.type
class NineBoxQuery:
    @strawberry.field(
        description="The 9-box of the organisation or one org unit on a day (default today); "
        "confidential, FORBIDDEN otherwise."
    )
    async def nine_box(
        self,
        info: Ctx,
        as_of: Annotated[
            dt.date | None,
            strawberry.argument(description="The day (ISO date); default today."),
        ] = None,
        org_unit_code: Annotated[
            str | None,
            strawberry.argument(description="Only this org unit; omit for the organisation."),
        ] = None,
    ) -> NineBoxGrid | None:
        service = NineBoxService(info.context.session, info.context.principal)
        counts = await service.grid(as_of=as_of, org_unit_code=org_unit_code)
        return grids(counts, [None])[0]

    @strawberry.field(
        description="One 9-box per org unit with placed employees (group = org unit code), "
        "by code; confidential, FORBIDDEN otherwise."
    )
    async def nine_box_by_org_unit(
        self,
        info: Ctx,
        as_of: Annotated[
            dt.date | None,
            strawberry.argument(description="The day (ISO date); default today."),
        ] = None,
    ) -> list[NineBoxGrid] | None:
        service = NineBoxService(info.context.session, info.context.principal)
        return grids(await service.by_org_unit(as_of=as_of))

    @strawberry.field(
        description="One 9-box per key role's current slate (group = key role code), by "
        "code; confidential, FORBIDDEN otherwise."
    )
    async def nine_box_by_slate(
        self,
        info: Ctx,
        as_of: Annotated[
            dt.date | None,
            strawberry.argument(description="The day (ISO date); default today."),
        ] = None,
        key_role_codes: Annotated[
            list[str] | None,
            strawberry.argument(
                description="These key roles, each with a grid even when empty; omit for "
                "every role with a placed successor."
            ),
        ] = None,
    ) -> list[NineBoxGrid] | None:
        service = NineBoxService(info.context.session, info.context.principal)
        counts = await service.by_slate(as_of=as_of, key_role_codes=key_role_codes)
        return grids(counts, key_role_codes or ())

    @strawberry.field(
        description="Movement between the boxes of two days (employees employed on `to`), "
        "largest moves first; confidential, FORBIDDEN otherwise."
    )
    async def nine_box_movement(
        self,
        info: Ctx,
        from_: Annotated[
            dt.date,
            strawberry.argument(name="from", description="The first day (ISO date)."),
        ],
        to: Annotated[
            dt.date,
            strawberry.argument(description="The second day (ISO date), not before `from`."),
        ],
        org_unit_code: Annotated[
            str | None,
            strawberry.argument(description="Only this org unit; omit for the organisation."),
        ] = None,
    ) -> list[NineBoxMove] | None:
        service = NineBoxService(info.context.session, info.context.principal)
        moves = await service.movement(from_, to, org_unit_code=org_unit_code)
        return [
            NineBoxMove(
                from_=_position(m.from_performance, m.from_potential),
                to=_position(m.to_performance, m.to_potential),
                count=m.count,
            )
            for m in sorted(moves, key=lambda m: -m.count)
        ]
