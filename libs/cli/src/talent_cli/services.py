"""The services the CLI knows: one `ServiceSpec` per deployable.

Adding a service is one entry in `SERVICES`. Service packages are imported lazily, by
these names (only when a command needs their settings, migrations or importers), so
`talent --help` and `talent token` do not import every service and the CLI imports none
directly. A service's own commands come from its package (entry-point group `talent.cli`,
see talent_platform.commands); why this registry stays data: ADR 0005.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:  # kept out of start-up: `talent --help` should not import SQLAlchemy
    from sqlalchemy.ext.asyncio import AsyncSession

    from talent_platform.auth import Principal
    from talent_platform.csvimport import ImportResult, Progress
    from talent_platform.events.tables import MessagingTables
    from talent_platform.settings import ServiceSettings


class RunImport(Protocol):
    """`talent_<svc>.imports.service.run_import`: validate and apply one CSV file."""

    def __call__(
        self,
        session: AsyncSession,
        principal: Principal,
        kind: str,
        data: bytes | str,
        *,
        progress: Progress | None = None,
    ) -> Awaitable[ImportResult]: ...


class UnknownService(LookupError):
    pass


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    package: str
    settings_class: str
    """`module:Class` of the service's pydantic settings (env prefix `TALENT_<NAME>_`)."""
    alembic_ini: str
    """Path of alembic.ini relative to the service's project directory (`services/<name>`)."""
    port_offset: int
    """The API listens on `--service-port-base` + this."""
    import_kinds: tuple[str, ...]
    """Kinds the demo organisation provides, imported by `talent seed` in this order."""
    extra_import_kinds: tuple[str, ...] = ()
    """Kinds `talent import` also accepts but the demo never seeds (HR-supplied data such
    as slate diversity attributes, which the demo does not invent)."""
    employee_projection: str | None = None
    """Table the service fills from people's employee events (seeding waits for it)."""

    @property
    def env_prefix(self) -> str:
        return f"TALENT_{self.name.upper()}_"

    @property
    def app(self) -> str:
        return f"{self.package}.app:app"

    @property
    def worker_module(self) -> str:
        return f"{self.package}.worker"

    def is_installed(self) -> bool:
        return importlib.util.find_spec(self.package) is not None

    def project_dir(self) -> Path:
        """`services/<name>`, found from the installed (editable) package's location."""
        spec = importlib.util.find_spec(self.package)
        if spec is None or spec.origin is None:
            raise UnknownService(f"the {self.name} service ({self.package}) is not installed")
        # services/<name>/src/<package>/__init__.py
        return Path(spec.origin).resolve().parents[2]

    def alembic_ini_path(self) -> Path:
        """`TALENT_<NAME>_ALEMBIC_INI` when set (container images install the package, not
        the project directory), else alembic.ini in the project directory."""
        configured = os.environ.get(f"{self.env_prefix}ALEMBIC_INI")
        if configured:
            return Path(configured)
        return self.project_dir() / self.alembic_ini

    def settings(self, **overrides: Any) -> ServiceSettings:
        """The service's settings from its environment, with `overrides` on top."""
        module_name, _, class_name = self.settings_class.partition(":")
        settings_type = getattr(importlib.import_module(module_name), class_name)
        return cast("ServiceSettings", settings_type(**overrides))

    def messaging(self) -> MessagingTables:
        return cast("MessagingTables", importlib.import_module(f"{self.package}.db").messaging)

    def run_import_function(self) -> RunImport:
        module = importlib.import_module(f"{self.package}.imports.service")
        return cast("RunImport", module.run_import)


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        name="people",
        package="talent_people",
        settings_class="talent_people.config:PeopleSettings",
        alembic_ini="alembic.ini",
        port_offset=1,
        import_kinds=(
            "competencies",
            "job-profiles",
            "job-profile-competencies",
            "employees",
            "job-history",
        ),
    ),
    ServiceSpec(
        name="learning",
        package="talent_learning",
        settings_class="talent_learning.config:LearningSettings",
        alembic_ini="alembic.ini",
        port_offset=2,
        import_kinds=("courses", "course-skills", "completions"),
        employee_projection="employee_projection",
    ),
    ServiceSpec(
        name="performance",
        package="talent_performance",
        settings_class="talent_performance.config:PerformanceSettings",
        alembic_ini="alembic.ini",
        port_offset=3,
        import_kinds=("assessments", "ratings"),
        employee_projection="employee_projection",
    ),
    ServiceSpec(
        name="succession",
        package="talent_succession",
        settings_class="talent_succession.config:SuccessionSettings",
        alembic_ini="alembic.ini",
        port_offset=4,
        import_kinds=("key-roles", "potential"),
        extra_import_kinds=("diversity",),
        employee_projection="employee_projection",
    ),
    ServiceSpec(
        name="recommender",
        package="talent_recommender",
        settings_class="talent_recommender.config:RecommenderSettings",
        alembic_ini="alembic.ini",
        port_offset=5,
        import_kinds=(),
        employee_projection="employee",
    ),
    ServiceSpec(
        name="notifier",
        package="talent_notifier",
        settings_class="talent_notifier.config:NotifierSettings",
        alembic_ini="alembic.ini",
        port_offset=6,
        import_kinds=(),
        employee_projection="employee_projection",
    ),
)

IMPORT_ORDER: tuple[str, ...] = tuple(kind for spec in SERVICES for kind in spec.import_kinds)
"""Every seeded import kind, in an order that satisfies their references."""

IMPORT_KINDS: tuple[str, ...] = IMPORT_ORDER + tuple(
    kind for spec in SERVICES for kind in spec.extra_import_kinds
)
"""Every kind `talent import` accepts."""


def service(name: str) -> ServiceSpec:
    for spec in SERVICES:
        if spec.name == name:
            return spec
    raise UnknownService(f"unknown service {name!r}; known: {', '.join(service_names())}")


def service_names() -> list[str]:
    return [spec.name for spec in SERVICES]


def owner_of(kind: str) -> ServiceSpec:
    for spec in SERVICES:
        if kind in spec.import_kinds or kind in spec.extra_import_kinds:
            return spec
    raise UnknownService(f"no service imports {kind!r}; kinds: {', '.join(IMPORT_KINDS)}")


def select(names: str | None) -> list[ServiceSpec]:
    """Specs named in a comma-separated list (registry order), or every registered one."""
    if not names:
        return list(SERVICES)
    wanted = {n.strip() for n in names.split(",") if n.strip()}
    unknown = wanted - set(service_names())
    if unknown:
        raise UnknownService(
            f"unknown service(s) {', '.join(sorted(unknown))}; known: {', '.join(service_names())}"
        )
    return [spec for spec in SERVICES if spec.name in wanted]
