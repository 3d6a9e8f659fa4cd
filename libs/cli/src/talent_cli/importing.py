"""Running a service's CSV import from the CLI: one file, one transaction."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from typing import TextIO

from sqlalchemy import NullPool
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from talent_cli.services import ServiceSpec
from talent_cli.state import StateDir
from talent_platform.auth import Principal, Role
from talent_platform.csvimport import ImportResult
from talent_platform.db.session import async_url
from talent_platform.errors import ValidationFailed
from talent_platform.settings import ServiceSettings

CLI_PRINCIPAL = Principal(subject="talent-cli", employee_id=None, roles=frozenset({Role.ADMIN}))
"""Who runs imports from the command line: a service account with the admin role."""


def service_settings(spec: ServiceSpec, state: StateDir) -> ServiceSettings:
    """The service's settings, with the database and broker of the running dev stack
    (`dev.json`) when there is one, else from the environment (`TALENT_<SVC>_*`)."""
    overrides: dict[str, str] = {}
    url = state.service_database_url(spec.name)
    if url:
        overrides["database_url"] = url
    broker = state.broker()
    if broker:
        overrides["kafka_bootstrap_servers"] = broker
    return spec.settings(**overrides)


async def import_file(
    spec: ServiceSpec,
    database_url: str,
    kind: str,
    data: bytes | str,
    *,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ImportResult:
    """Validate and apply one file in one transaction (rolled back for a dry run).

    Raises ValidationFailed, with every row error, when the file is bad: nothing is written.
    """
    say = progress or (lambda _message: None)
    run_import = spec.run_import_function()
    engine = create_async_engine(async_url(database_url), poolclass=NullPool)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            try:
                result = await run_import(session, CLI_PRINCIPAL, kind, data, progress=say)
            except BaseException:
                await session.rollback()
                raise
            if dry_run:
                await session.rollback()
                result.dry_run = True
                say("dry run: rolled back, nothing written")
            else:
                started = time.perf_counter()
                await session.commit()
                say(f"committed in {time.perf_counter() - started:.2f} s")
        return result
    finally:
        await engine.dispose()


def describe(result: ImportResult) -> str:
    return (
        f"{result.kind}: {result.rows} rows, {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged, {result.events} events"
        + (" (dry run: nothing written)" if result.dry_run else "")
    )


def print_errors(error: ValidationFailed, out: TextIO | None = None) -> None:
    """Every problem of a rejected file, one `row N: column: message` line each."""
    out = out or sys.stderr
    lines = [f"{e.field}: {e.message}" for e in error.errors]
    if error.message != "; ".join(lines):
        print(f"error: {error.message}", file=out)
    for line in lines:
        print(line, file=out)


def run_import_sync(
    spec: ServiceSpec,
    database_url: str,
    kind: str,
    data: bytes | str,
    *,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ImportResult:
    return asyncio.run(
        import_file(spec, database_url, kind, data, dry_run=dry_run, progress=progress)
    )
