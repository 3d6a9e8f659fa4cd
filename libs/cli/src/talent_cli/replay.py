"""`talent events replay`: republish a service's outbox history to the broker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from talent_cli.importing import service_settings
from talent_cli.services import ServiceSpec
from talent_cli.state import StateDir
from talent_platform.db.session import create_sync_engine
from talent_platform.events import replay_outbox


def parse_since(value: str) -> dt.datetime:
    """An ISO 8601 date or timestamp; without a zone it is read as UTC."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        example = "2026-01-31T12:00:00Z"
        raise ValueError(f"{value!r} is not an ISO 8601 timestamp (e.g. {example})") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def replay(
    spec: ServiceSpec,
    state: StateDir,
    *,
    since: dt.datetime | None,
    progress: Callable[[str], None],
) -> int:
    settings = service_settings(spec, state)
    progress(
        f"{spec.name}: republishing outbox rows"
        + (f" created since {since.isoformat()}" if since else " (all history)")
        + f" to {settings.kafka_bootstrap_servers}"
    )
    engine = create_sync_engine(settings.database_url, pool_size=1)
    try:
        return replay_outbox(
            settings,
            engine=engine,
            outbox=spec.messaging().outbox,
            since=since,
            progress=lambda sent: progress(f"{spec.name}: published {sent}"),
        )
    finally:
        engine.dispose()
