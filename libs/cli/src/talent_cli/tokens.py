"""Dev tokens: who plays each demo role, and getting their tokens (from the local OIDC
issuer, or minted with the dev secret under --auth hs256)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import httpx
from sqlalchemy import NullPool, create_engine, text

from talent_cli.identity import CLI_CLIENT, IdentityFiles, sign_in
from talent_platform.auth import Role, issue_token
from talent_platform.db.session import sync_url
from talent_platform.settings import ServiceSettings

DEMO_ROLES: dict[str, tuple[Role, ...]] = {
    "admin": (Role.ADMIN, Role.EMPLOYEE),
    "hr_leader": (Role.HR_LEADER, Role.EMPLOYEE),
    "hr_coordinator": (Role.HR_COORDINATOR, Role.EMPLOYEE),
    "manager": (Role.EMPLOYEE, Role.MANAGER),
    "employee": (Role.EMPLOYEE,),
}
MIN_REPORTS_WITH_COMPLETIONS = 3
HR_UNIT = "HR"


class PrincipalNotFound(LookupError):
    pass


@dataclass(frozen=True)
class DemoPerson:
    employee_id: uuid.UUID
    employee_number: str
    name: str
    # The HR org scope (org unit codes) an hr_coordinator looks after.
    org_units: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Row:
    employee_id: uuid.UUID
    number: str
    name: str
    manager_id: uuid.UUID | None
    active: bool
    unit: str | None
    level: int | None


def mint(
    secret: str,
    *,
    employee_id: str,
    roles: Iterable[str],
    name: str | None = None,
    org_units: Iterable[str] = (),
) -> str:
    """An HS256 token signed with the dev secret (the --auth hs256 switch and tests)."""
    settings = ServiceSettings(jwt_secret=secret, environment="dev", jwt_algorithm="HS256")
    return issue_token(settings, subject=employee_id, roles=roles, name=name, org_units=org_units)


def signed_in(
    issuer: str,
    identity: IdentityFiles,
    *,
    employee_id: str,
    roles: Iterable[str],
    name: str | None = None,
    org_units: Iterable[str] = (),
    client_id: str = CLI_CLIENT,
) -> str:
    """A token from the local OIDC issuer: the person is put in its account directory with
    these roles (as an administrator would in an identity provider), then signs in."""
    identity.put_account(employee_id, roles=roles, name=name, org_units=org_units)
    return sign_in(issuer, employee_id, client_id=client_id)


class SignIns:
    """Many people signed in as plain employees (the demo scenes' reviewers): `register`
    puts them in the issuer's account directory in one write (people listed already keep
    their entry and roles), `token` signs one in, from any thread (the connections are
    shared). Without an issuer (--auth hs256) tokens are minted with the dev secret."""

    def __init__(
        self, *, secret: str, issuer: str | None = None, identity: IdentityFiles | None = None
    ) -> None:
        self.secret = secret
        self.issuer = issuer if identity is not None else None
        self.identity = identity
        self.names: dict[str, str | None] = {}
        self.transport = httpx.HTTPTransport() if self.issuer is not None else None

    def register(self, people: Mapping[str, str | None]) -> None:
        """People to sign in later: employee id -> name."""
        self.names.update(people)
        if self.issuer is not None and self.identity is not None:
            self.identity.add_accounts(dict(people), roles=(Role.EMPLOYEE,))

    def token(self, employee_id: str) -> str:
        if self.issuer is None:
            name = self.names.get(employee_id)
            return mint(self.secret, employee_id=employee_id, roles=(Role.EMPLOYEE,), name=name)
        return sign_in(self.issuer, employee_id, transport=self.transport)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def demo_tokens(
    people: dict[str, DemoPerson],
    *,
    secret: str,
    issuer: str | None = None,
    identity: IdentityFiles | None = None,
) -> dict[str, str]:
    tokens = {}
    for role, person in people.items():
        claims = {
            "employee_id": str(person.employee_id),
            "roles": DEMO_ROLES[role],
            "name": person.name,
            "org_units": person.org_units,
        }
        if issuer is not None and identity is not None:
            tokens[role] = signed_in(issuer, identity, **claims)  # type: ignore[arg-type]
        else:
            tokens[role] = mint(secret, **claims)  # type: ignore[arg-type]
    return tokens


def pick_demo_people(people_url: str, learning_url: str | None) -> dict[str, DemoPerson]:
    """One person per demo role, chosen deterministically from the people database (and
    learning's completions when learning runs):

    - admin: the top of the organisation;
    - hr_leader: the most senior person of the HR org units;
    - hr_coordinator: the next person of the HR org units, looking after the manager's
      top-level org unit;
    - manager: a first-line manager with at least three direct reports who have completions;
    - employee: an individual contributor with completions, reporting to that manager.
    """
    rows = _employees(people_url)
    completed = _employees_with_completions(learning_url) if learning_url else None
    reports: dict[uuid.UUID, list[_Row]] = defaultdict(list)
    for row in rows:
        if row.manager_id is not None:
            reports[row.manager_id].append(row)
    active = [r for r in rows if r.active]

    def has_completions(row: _Row) -> bool:
        return completed is None or row.employee_id in completed

    roots = [r for r in active if r.manager_id is None]
    if not roots:
        raise PrincipalNotFound("the people database has no active employee without a manager")
    admin = min(roots, key=lambda r: (-len(reports[r.employee_id]), r.number))

    hr = [r for r in active if r.unit == HR_UNIT or (r.unit or "").startswith(HR_UNIT + " / ")]
    if not hr:
        raise PrincipalNotFound(f"nobody works in the {HR_UNIT} org unit")
    hr_leader = min(hr, key=lambda r: (-(r.level or 0), r.number))
    others = [r for r in hr if r is not hr_leader]
    if not others:
        raise PrincipalNotFound(f"the {HR_UNIT} org units have only one person")
    coordinator = min(others, key=lambda r: (-(r.level or 0), r.number))

    def qualified(row: _Row) -> list[_Row]:
        return [
            r
            for r in reports[row.employee_id]
            if r.active and not reports[r.employee_id] and has_completions(r)
        ]

    managers = [r for r in active if len(qualified(r)) >= MIN_REPORTS_WITH_COMPLETIONS]
    first_line = [
        r for r in managers if not any(reports[x.employee_id] for x in reports[r.employee_id])
    ]
    candidates = sorted(first_line or managers, key=lambda r: r.number)
    if not candidates:
        raise PrincipalNotFound(
            f"no manager has {MIN_REPORTS_WITH_COMPLETIONS} direct reports with completions"
        )
    manager = candidates[0]
    employee = min(qualified(manager), key=lambda r: r.number)
    chosen = {
        role: DemoPerson(r.employee_id, r.number, r.name)
        for role, r in (
            ("admin", admin),
            ("hr_leader", hr_leader),
            ("manager", manager),
            ("employee", employee),
        )
    }
    scope = ((manager.unit or "").split(" / ")[0],) if manager.unit else ()
    chosen["hr_coordinator"] = DemoPerson(
        coordinator.employee_id, coordinator.number, coordinator.name, scope
    )
    return chosen


def _employees(people_url: str) -> list[_Row]:
    query = text(
        """
        SELECT e.id, e.employee_number, e.name, e.manager_id, e.status = 'active',
               o.code, j.level
        FROM employee e
        LEFT JOIN org_unit o ON o.id = e.org_unit_id
        LEFT JOIN job_profile j ON j.id = e.job_profile_id
        ORDER BY e.employee_number
        """
    )
    engine = create_engine(sync_url(people_url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return [_Row(*row) for row in connection.execute(query)]
    finally:
        engine.dispose()


def _employees_with_completions(learning_url: str) -> set[uuid.UUID]:
    engine = create_engine(sync_url(learning_url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            query = text("SELECT DISTINCT employee_id FROM completion")
            return set(connection.execute(query).scalars())
    finally:
        engine.dispose()


def count_employees(people_url: str) -> int:
    engine = create_engine(sync_url(people_url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM employee")).scalar_one())
    finally:
        engine.dispose()
