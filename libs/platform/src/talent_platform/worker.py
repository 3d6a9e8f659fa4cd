"""A service's worker process: the outbox relay plus the service's event consumer."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from talent_platform.db.session import create_sync_engine
from talent_platform.events.consumer import EventConsumer, HandlerRegistry
from talent_platform.events.kafka import ensure_topics, service_topics
from talent_platform.events.relay import OutboxRelay
from talent_platform.events.tables import MessagingTables
from talent_platform.logging import configure_logging
from talent_platform.settings import ServiceSettings

log = logging.getLogger(__name__)


def run_worker(
    settings: ServiceSettings,
    *,
    tables: MessagingTables,
    registry: HandlerRegistry | None = None,
    consumes: list[str] | None = None,
) -> int:
    """Run until SIGINT/SIGTERM; returns the process exit code."""
    configure_logging(f"{settings.service_name}-worker", settings.log_level)
    engine = create_sync_engine(settings.database_url)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("stopping", extra={"signal": signum})
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    topics = [settings.topic_prefix + t for t in consumes or []]
    own = service_topics(settings.service_name, prefix=settings.topic_prefix)
    consumed_dlqs = [f"{t}.dlq" for t in topics]
    ensure_topics(settings, own + topics + consumed_dlqs)

    relay = OutboxRelay(settings, engine=engine, outbox=tables.outbox)
    relay_thread = threading.Thread(
        target=relay.run, args=(stop,), name="outbox-relay", daemon=True
    )
    relay_thread.start()
    log.info("worker started", extra={"consumes": topics})
    exit_code = 0
    try:
        if registry is not None and topics:
            EventConsumer(
                settings, engine=engine, inbox=tables.inbox, registry=registry, topics=topics
            ).run(stop)
        else:
            stop.wait()
    except Exception:
        log.exception("worker failed")
        exit_code = 1
    finally:
        stop.set()
        relay_thread.join(timeout=10)
        engine.dispose()
    return exit_code
