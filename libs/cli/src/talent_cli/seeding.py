"""Loading the demo organisation into the running services through their CSV importers.

The order follows the references between the files. Learning refers to employees by the
numbers it learns from people's events, so before the first learning file the seeder waits
until learning's employee projection holds every employee of the demo.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import NullPool, create_engine, text

from talent_cli.demo import DemoOrganisation
from talent_cli.importing import describe, run_import_sync
from talent_cli.services import IMPORT_ORDER, ServiceSpec, owner_of
from talent_platform.csvimport import ImportResult
from talent_platform.db.session import sync_url

Say = Callable[[str], None]


class SeedError(RuntimeError):
    pass


@dataclass
class SeedReport:
    results: list[ImportResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0


def projection_timeout(employees: int) -> float:
    return 120.0 + employees * 0.05


def seed(
    demo: DemoOrganisation,
    database_urls: Mapping[str, str],
    *,
    say: Say,
    timeout: float | None = None,
) -> SeedReport:
    """Import every file of `demo` into the services named in `database_urls`, each file
    in its own committed transaction; kinds of other services are skipped."""
    started = time.perf_counter()
    report = SeedReport()
    employees = demo.rows("employees")
    waited: set[str] = set()
    for kind in IMPORT_ORDER:
        spec = owner_of(kind)
        url = database_urls.get(spec.name)
        if url is None:
            report.skipped.append(kind)
            continue
        if spec.employee_projection and spec.name not in waited:
            wait_for_projection(
                spec,
                url,
                employees,
                say=say,
                timeout=timeout if timeout is not None else projection_timeout(employees),
            )
            waited.add(spec.name)
        file_started = time.perf_counter()
        say(f"importing {kind} ({demo.rows(kind)} rows) into {spec.name}")
        result = run_import_sync(spec, url, kind, demo.files[kind], progress=_prefixed(say, kind))
        say(f"  {describe(result)} in {time.perf_counter() - file_started:.1f} s")
        report.results.append(result)
    if report.skipped:
        say(f"skipped (service not running): {', '.join(report.skipped)}")
    report.seconds = time.perf_counter() - started
    return report


def _prefixed(say: Say, kind: str) -> Say:
    return lambda message: say(f"  {kind}: {message}")


def count_rows(database_url: str, table: str) -> int:
    engine = create_engine(sync_url(database_url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            quoted = connection.dialect.identifier_preparer.quote_identifier(table)
            return int(connection.execute(text(f"SELECT count(*) FROM {quoted}")).scalar_one())
    finally:
        engine.dispose()


def wait_for_projection(
    spec: ServiceSpec, database_url: str, expected: int, *, say: Say, timeout: float
) -> None:
    """Poll the service's employee projection until it holds `expected` rows."""
    assert spec.employee_projection is not None
    table = spec.employee_projection
    started = time.monotonic()
    last_report = 0.0
    while True:
        held = count_rows(database_url, table)
        elapsed = time.monotonic() - started
        if held >= expected:
            say(f"{spec.name}: employee projection holds {held}/{expected} ({elapsed:.1f} s)")
            return
        if elapsed > timeout:
            raise SeedError(
                f"{spec.name}'s employee projection holds {held} of {expected} employees after "
                f"{timeout:.0f} s: are the people and {spec.name} workers running "
                f"(`talent dev up`), and is the broker reachable?"
            )
        if elapsed - last_report >= 2.0:
            say(f"{spec.name}: waiting for the employee projection: {held}/{expected}")
            last_report = elapsed
        time.sleep(0.25)
