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
    After,
    Conflict,
    Connection,
    First,
    Forbidden,
    NotFound,
    TalentContext,
    ValidationError,
    connection,
    page_request,
    run_mutation,
)
from talent_succession.audit.service import require_confidential
from talent_succession.enums import Level, level_or_none
from talent_succession.key_roles.models import KeyRole as KeyRoleModel
from talent_succession.key_roles.service import (
    KeyRoleFilter,
    KeyRoleInput,
    KeyRoleService,
    KeyRoleSort,
)
from talent_succession.people.ref import EmployeeType, employee_ref
from talent_succession.slates.graphql import Nomination
from talent_succession.slates.service import BenchCounts, SlateService
from talent_succession.validation import parse_uuid

Ctx = Info[TalentContext, None]


@strawberry.enum(name="KeyRoleSort", description="What `keyRoles` orders by; ties by code.")
class KeyRoleSortField(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    CODE = strawberry.enum_value(KeyRoleSort.CODE.value, description="The role's code.")
    TITLE = strawberry.enum_value(KeyRoleSort.TITLE.value, description="The role's title.")
    CRITICALITY = strawberry.enum_value(
        KeyRoleSort.CRITICALITY.value, description="Criticality, LOW < MEDIUM < HIGH."
    )
    EXPECTED_VACANCY_DATE = strawberry.enum_value(
        KeyRoleSort.EXPECTED_VACANCY_DATE.value,
        description="Expected vacancy date; roles without one come last.",
    )


assert {s.value for s in KeyRoleSortField} == {s.value for s in KeyRoleSort}


async def _roles_by_id(info: Ctx, keys: Sequence[uuid.UUID]) -> list[KeyRole | None]:
    service = KeyRoleService(info.context.session, info.context.principal)
    found = await service.by_ids(list(keys))
    return [KeyRole.from_model(found[k]) if k in found else None for k in keys]


def key_role_by_id_loader(info: Ctx) -> DataLoader[uuid.UUID, KeyRole | None]:
    return info.context.loader("key_role.by_id", lambda keys: _roles_by_id(info, keys))


@strawberry.type(description="Successors of a key role by readiness (current slate only).")
class BenchStrength:
    ready_now: int = strawberry.field(description="Current successors ready now.")
    ready_1_2_years: int = strawberry.field(
        name="ready1To2Years", description="Current successors ready in 1-2 years."
    )
    ready_3_plus_years: int = strawberry.field(
        name="ready3PlusYears", description="Current successors ready in 3 years or more."
    )
    total: int = strawberry.field(description="All current successors.")

    @classmethod
    def from_counts(cls, counts: BenchCounts) -> BenchStrength:
        return cls(
            ready_now=counts.ready_now,
            ready_1_2_years=counts.ready_1_2_years,
            ready_3_plus_years=counts.ready_3_plus_years,
            total=counts.total,
        )


SlateKey = tuple[uuid.UUID, bool]


async def _slates(info: Ctx, keys: Sequence[SlateKey]) -> list[list[Nomination]]:
    service = SlateService(info.context.session, info.context.principal)
    roles = await service.roles.by_ids({role_id for role_id, _ in keys})
    found: dict[SlateKey, list[Nomination]] = {}
    for include_removed in {flag for _, flag in keys}:
        wanted = [roles[r] for r, flag in keys if flag == include_removed and r in roles]
        slates = await service.slates(wanted, include_removed=include_removed)
        for role in wanted:
            found[(role.id, include_removed)] = [
                Nomination.from_model(n) for n in slates.get(role.id, [])
            ]
    return [found.get(k, []) for k in keys]


async def _bench(info: Ctx, keys: Sequence[uuid.UUID]) -> list[BenchStrength]:
    service = SlateService(info.context.session, info.context.principal)
    counts = await service.bench_counts(keys)
    return [BenchStrength.from_counts(counts.get(k, BenchCounts())) for k in keys]


@strawberry.federation.type(
    keys=["id"], description="A position whose succession is planned (confidential)."
)
class KeyRole:
    id: strawberry.ID = strawberry.field(description="The key role's id (UUID).")
    code: str = strawberry.field(description="Unique code, 1-100 characters.")
    title: str = strawberry.field(description="Display title, 1-300 characters.")
    job_profile_code: str | None = strawberry.field(
        description="Code of a job profile of the people service; null when none."
    )
    org_unit_code: str | None = strawberry.field(
        description="The org unit the role belongs to; null when none."
    )
    criticality: Level = strawberry.field(
        description="How critical the role is; HIGH roles count as critical in reports."
    )
    risk_of_loss: Level | None = strawberry.field(
        description="How likely the incumbent is to leave; null when not assessed."
    )
    impact_of_loss: Level | None = strawberry.field(
        description="How much losing the incumbent would hurt; null when not assessed."
    )
    expected_vacancy_date: dt.date | None = strawberry.field(
        description="When the role is expected to fall vacant (ISO date); null when unknown."
    )
    vacated_on: dt.date | None = strawberry.field(
        description="When the role lost its incumbent; null while it is filled."
    )
    _incumbent_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_model(cls, m: KeyRoleModel) -> KeyRole:
        return cls(
            id=strawberry.ID(str(m.id)),
            code=m.code,
            title=m.title,
            job_profile_code=m.job_profile_code,
            org_unit_code=m.org_unit_code,
            criticality=Level(m.criticality),
            risk_of_loss=level_or_none(m.risk_of_loss),
            impact_of_loss=level_or_none(m.impact_of_loss),
            expected_vacancy_date=m.expected_vacancy_date,
            vacated_on=m.vacated_on,
            _incumbent_id=m.incumbent_id,
        )

    @classmethod
    async def resolve_reference(cls, info: Ctx, id: strawberry.ID) -> KeyRole | None:
        """Confidential like `keyRole`: FORBIDDEN for everyone else, whatever the id."""
        await require_confidential(info.context.session, info.context.principal)
        try:
            key = uuid.UUID(str(id))
        except ValueError:
            return None
        return await key_role_by_id_loader(info).load(key)

    @strawberry.field(description="The current holder; null when the role is vacant.")
    def incumbent(self) -> EmployeeType | None:
        return None if self._incumbent_id is None else employee_ref(self._incumbent_id)

    @strawberry.field(description="True when the role has no incumbent.")
    def vacant(self) -> bool:
        return self._incumbent_id is None

    @strawberry.field(
        description="The successors, by rank (removed ones last when included), without the "
        "caller's own nomination. Every read is audited."
    )
    async def slate(
        self,
        info: Ctx,
        include_removed: Annotated[
            bool,
            strawberry.argument(
                description="True adds the removed successors (with removedOn and "
                "removedReason) after the current ones."
            ),
        ] = False,
    ) -> list[Nomination]:
        loader: DataLoader[SlateKey, list[Nomination]] = info.context.loader(
            "key_role.slate", lambda keys: _slates(info, keys)
        )
        return await loader.load((uuid.UUID(self.id), include_removed))

    @strawberry.field(description="Current successors by readiness.")
    async def bench_strength(self, info: Ctx) -> BenchStrength:
        loader: DataLoader[uuid.UUID, BenchStrength] = info.context.loader(
            "key_role.bench", lambda keys: _bench(info, keys)
        )
        return await loader.load(uuid.UUID(self.id))


@strawberry.input(description="Filters combine with AND; null fields do not filter.")
class KeyRoleFilterInput:
    search: str | None = strawberry.field(
        default=None, description="Part of the title or code, any case."
    )
    org_unit_code: str | None = strawberry.field(
        default=None, description="Only roles of this org unit."
    )
    criticality: Level | None = strawberry.field(
        default=None, description="Only roles of this criticality."
    )
    vacant: bool | None = strawberry.field(
        default=None, description="True: only roles without an incumbent; false: only filled ones."
    )
    without_ready_successor: bool | None = strawberry.field(
        default=None,
        description="True: roles with no ready-now successor on their slate; false: roles "
        "with one.",
    )


@strawberry.input(
    description="The whole key role: fields left null are stored as null (a code already "
    "in use changes that role)."
)
class DefineKeyRoleInput:
    code: str = strawberry.field(description="Unique code, 1-100 characters.")
    title: str = strawberry.field(description="1-300 characters.")
    criticality: Level = strawberry.field(description="How critical the role is.")
    job_profile_code: str | None = strawberry.field(
        default=None, description="Code of a people job profile."
    )
    incumbent_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The holder, an active employee; null for a vacant role (clearing it "
        "vacates a filled role).",
    )
    org_unit_code: str | None = strawberry.field(
        default=None, description="The org unit the role belongs to."
    )
    risk_of_loss: Level | None = strawberry.field(
        default=None, description="How likely the incumbent is to leave."
    )
    impact_of_loss: Level | None = strawberry.field(
        default=None, description="How much losing the incumbent would hurt."
    )
    expected_vacancy_date: dt.date | None = strawberry.field(
        default=None, description="When the role is expected to fall vacant (ISO date)."
    )


@strawberry.type(description="The key role defined or changed.")
class DefineKeyRolePayload:
    key_role: KeyRole = strawberry.field(description="The key role as it is now.")


DefineKeyRoleResult = Annotated[
    DefineKeyRolePayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("DefineKeyRoleResult", description="The key role, or why nothing changed."),
]


@strawberry.type
class KeyRoleQuery:
    @strawberry.field(
        description="One key role by code, null when there is none (confidential: "
        "FORBIDDEN otherwise)."
    )
    async def key_role(
        self,
        info: Ctx,
        code: Annotated[str, strawberry.argument(description="The key role's code.")],
    ) -> KeyRole | None:
        service = KeyRoleService(info.context.session, info.context.principal)
        found = await service.get_or_none(code)
        return None if found is None else KeyRole.from_model(found)

    @strawberry.field(
        description="Key roles (confidential: FORBIDDEN otherwise). Every read is recorded in "
        "the succession audit log (`key_roles.listed`: who, when, the filter, the roles "
        "returned)."
    )
    async def key_roles(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        filter: Annotated[
            KeyRoleFilterInput | None,
            strawberry.argument(description="Which roles; omit for all."),
        ] = None,
        sort: Annotated[
            KeyRoleSortField, strawberry.argument(description="What to order by.")
        ] = KeyRoleSortField.CODE,
        descending: Annotated[
            bool,
            strawberry.argument(description="True for descending order (nulls still last)."),
        ] = False,
    ) -> Connection[KeyRole] | None:
        service = KeyRoleService(info.context.session, info.context.principal)
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        flt = filter or KeyRoleFilterInput()
        statement = await service.query(
            KeyRoleFilter(
                search=flt.search,
                org_unit_code=flt.org_unit_code,
                criticality=flt.criticality.value if flt.criticality else None,
                vacant=flt.vacant,
                without_ready_successor=flt.without_ready_successor,
            ),
            sort=KeyRoleSort(sort.value),
            descending=descending,
        )
        rows, total = await service.roles.paginate(statement, offset=page.offset, limit=page.limit)
        # Who listed the confidential key roles, with what filter, and which they got.
        await service.audit.record(
            "key_roles.listed",
            "key_role",
            after={
                "filter": {k: v for k, v in vars(flt).items() if v is not None},
                "total": total,
                "returned": [row.code for row in rows],
            },
        )
        return connection(rows, total=total, page=page, to_node=KeyRole.from_model)


@strawberry.type
class KeyRoleMutation:
    @strawberry.mutation(
        description="Create a key role, or change the one with this code (hr_leader, admin, "
        "granted hr_coordinator). Clearing the incumbent vacates the role."
    )
    async def define_key_role(
        self,
        info: Ctx,
        input: Annotated[DefineKeyRoleInput, strawberry.argument(description="The key role.")],
    ) -> DefineKeyRoleResult:
        service = KeyRoleService(info.context.session, info.context.principal)

        async def action() -> DefineKeyRolePayload:
            role = await service.define(
                KeyRoleInput(
                    code=input.code.strip(),
                    title=input.title.strip(),
                    criticality=input.criticality.value,
                    job_profile_code=input.job_profile_code,
                    incumbent_id=(
                        parse_uuid(input.incumbent_id, "input.incumbentId")
                        if input.incumbent_id
                        else None
                    ),
                    org_unit_code=input.org_unit_code,
                    risk_of_loss=input.risk_of_loss.value if input.risk_of_loss else None,
                    impact_of_loss=input.impact_of_loss.value if input.impact_of_loss else None,
                    expected_vacancy_date=input.expected_vacancy_date,
                )
            )
            return DefineKeyRolePayload(key_role=KeyRole.from_model(role))

        return await run_mutation(info.context, action)
