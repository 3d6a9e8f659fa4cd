"""How long the recommender takes to apply an organisation's history:
`python -m bench.history_drain [EMPLOYEES]` (default 3,000).

The history is what a new customer imports: the competency framework and job profiles,
the employees with their job history, the course catalogue, about 16 course completions
and 7 competency assessments per employee and three years of calibrated ratings (for
3,000 employees about 90,000 events, on the four topics the recommender consumes). The
events are published to a real Tansu broker as the services' relays would publish them,
then the recommender's real worker (consumer, metrics endpoint and its periodic jobs)
applies them into a fresh, migrated database.

Reported per mode: the publish rate (the relays' side, for scale), the time from the
worker's start until its consumer lag reads 0 (events applied) and until every skills
estimate is current as well (no employee left marked stale), and the estimates stored.
Two modes, measured in the same run one after the other: every consumer batch
recomputes the estimates of the employees it touched before it commits (the baseline,
`estimate_inline_max` unbounded), and the default, in which a batch recomputes only a
few employees itself and leaves larger sets to the `estimates` periodic job.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

from kafka import KafkaProducer
from sqlalchemy import create_engine, text

from bench.common import migrated_database, postgres_admin_url
from talent_contracts import EventPayload, service_topic
from talent_contracts.learning import CoursePublished, CourseSkill, EnrollmentCompleted
from talent_contracts.people import (
    CompetencyUpdated,
    EmployeeHired,
    EmployeeSnapshot,
    JobHistoryRecorded,
    JobProfileUpdated,
    RequirementSnapshot,
)
from talent_contracts.performance import CompetencyAssessed, RatingCalibrated
from talent_devtools.broker import TansuBroker, create_topics
from talent_platform.db import sync_url
from talent_platform.events import Envelope, encode
from talent_platform.observability.metrics import sample_values

COMPETENCIES = 200
PROFILES = 40
COURSES = 600
AS_OF = dt.date(2026, 11, 1)
SOURCES = ("self", "manager", "peer", "assessment")


def history(employees: int, seed: int = 7) -> Iterator[tuple[str, EventPayload]]:
    """(producing service, event) in the order an import publishes them."""
    rng = random.Random(seed)
    competencies = [f"C{i:03d}" for i in range(COMPETENCIES)]
    for code in competencies:
        yield (
            "people",
            CompetencyUpdated(
                code=code, name=f"Competency {code}", tier="functional", description=""
            ),
        )
    needs: dict[str, list[str]] = {}
    for p in range(PROFILES):
        code = f"P{p:02d}"
        needs[code] = rng.sample(competencies, 8)
        yield (
            "people",
            JobProfileUpdated(
                code=code,
                title=f"Profile {code}",
                family=f"F{p % 8}",
                level=1 + p % 5,
                requirements=tuple(
                    RequirementSnapshot(
                        competency_code=c, required_level=rng.randint(2, 4), importance=3
                    )
                    for c in needs[code]
                ),
            ),
        )
    courses = [f"K{i:04d}" for i in range(COURSES)]
    for code in courses:
        yield (
            "learning",
            CoursePublished(
                code=code,
                title=f"Course {code}",
                description="",
                duration_hours=4.0,
                modality="online",
                mandatory=False,
                recertify_months=None,
                skills=tuple(
                    CourseSkill(competency_code=c, level=rng.randint(1, 5))
                    for c in rng.sample(competencies, 3)
                ),
            ),
        )
    people: list[tuple[uuid.UUID, str]] = []
    for n in range(employees):
        employee_id = uuid.UUID(int=rng.getrandbits(128))
        profile = f"P{rng.randrange(PROFILES):02d}"
        hired = AS_OF - dt.timedelta(days=rng.randint(400, 4000))
        people.append((employee_id, profile))
        yield (
            "people",
            EmployeeHired(
                employee_id=employee_id,
                employee=EmployeeSnapshot(
                    employee_id=employee_id,
                    employee_number=f"E{n:06d}",
                    name=f"Person {n}",
                    email=f"e{n}@example.com",
                    hire_date=hired,
                    status="active",
                    job_profile_code=profile,
                    org_unit_code=f"U{n % 50}",
                    location="Lisbon",
                    manager_id=None,
                ),
            ),
        )
        start = hired
        for _ in range(2):
            end = start + dt.timedelta(days=rng.randint(200, 700))
            yield (
                "people",
                JobHistoryRecorded(
                    employee_id=employee_id,
                    job_profile_code=f"P{rng.randrange(PROFILES):02d}",
                    start_date=start,
                    end_date=end,
                ),
            )
            start = end
    for employee_id, _ in people:
        for _ in range(16):
            yield (
                "learning",
                EnrollmentCompleted(
                    completion_id=uuid.UUID(int=rng.getrandbits(128)),
                    employee_id=employee_id,
                    course_code=rng.choice(courses),
                    completed_on=AS_OF - dt.timedelta(days=rng.randint(1, 1000)),
                    score=None,
                    source="import",
                ),
            )
    for employee_id, profile in people:
        for _ in range(7):
            yield (
                "performance",
                CompetencyAssessed(
                    assessment_id=uuid.UUID(int=rng.getrandbits(128)),
                    employee_id=employee_id,
                    competency_code=rng.choice(needs[profile]),
                    level=rng.randint(1, 5),
                    source=rng.choice(SOURCES),
                    assessed_on=AS_OF - dt.timedelta(days=rng.randint(1, 700)),
                    assessor_id=None,
                    cycle_id=None,
                ),
            )
        for year in (2023, 2024, 2025):
            yield (
                "performance",
                RatingCalibrated(
                    employee_id=employee_id,
                    cycle_id=None,
                    cycle_code=f"FY{year}",
                    overall_rating=rng.randint(1, 5),
                    previous_rating=None,
                    rated_on=dt.date(year + 1, 3, 1),
                ),
            )


def publish(bootstrap: str, prefix: str, employees: int) -> tuple[int, float]:
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, batch_size=262_144)
    started = time.perf_counter()
    count = 0
    try:
        for service, payload in history(employees):
            encoded = encode(Envelope.for_payload(payload, service=service))
            producer.send(
                prefix + service_topic(service),
                key=encoded.key,
                value=encoded.value,
                headers=encoded.headers,
            )
            count += 1
        producer.flush(timeout=600)
    finally:
        producer.close()
    return count, time.perf_counter() - started


def lag(port: int) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as response:
        page = response.read().decode()
    return sum(value for _, value in sample_values(page, "talent_consumer_lag"))


def measure(mode: str, inline_max: int | None, admin: str, bootstrap: str, employees: int) -> None:
    if inline_max is None:
        os.environ.pop("TALENT_RECOMMENDER_ESTIMATE_INLINE_MAX", None)
    else:
        os.environ["TALENT_RECOMMENDER_ESTIMATE_INLINE_MAX"] = str(inline_max)
    # Imported here: the settings are read when the worker is built.
    from talent_platform.worker import Worker
    from talent_recommender.config import RecommenderSettings
    from talent_recommender.db import consumer_lag, messaging
    from talent_recommender.ingest.consumers import registry
    from talent_recommender.profiles.estimates import inline_max
    from talent_recommender.worker import CONSUMES, periodic_jobs

    inline_max.cache_clear()

    prefix = f"bench{uuid.uuid4().hex[:6]}."
    topics = [prefix + service_topic(s) for s in CONSUMES]
    create_topics(bootstrap, topics + [f"{t}.dlq" for t in topics])
    count, publish_s = publish(bootstrap, prefix, employees)
    print(f"[{mode}] published {count} events in {publish_s:.1f} s ({count / publish_s:.0f}/s)")
    with migrated_database(admin, "recommender") as url:
        settings = RecommenderSettings(
            environment="test",
            database_url=url,
            topic_prefix=prefix,
            kafka_bootstrap_servers=bootstrap,
            worker_metrics_port=0,
            refit_interval_s=0,
            refit_evidence_growth=0,
        )
        worker = Worker(
            settings,
            tables=messaging,
            registry=registry,
            consumes=[service_topic(s) for s in CONSUMES],
            lag_table=consumer_lag,
            periodic=periodic_jobs(settings),
        )
        stop = threading.Event()
        started = time.perf_counter()
        thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
        thread.start()
        while worker.endpoint is None:
            time.sleep(0.05)
        engine = create_engine(sync_url(url))
        try:
            applied_s = None
            while True:
                with engine.connect() as conn:
                    processed = conn.scalar(
                        text("SELECT coalesce(sum(events_processed), 0) FROM ingest_state")
                    )
                    stale = conn.scalar(text("SELECT count(*) FROM stale_estimate"))
                if applied_s is None and processed >= count and lag(worker.endpoint.port) == 0:
                    applied_s = time.perf_counter() - started
                if applied_s is not None and stale == 0:
                    break
                if time.perf_counter() - started > 3600:
                    raise TimeoutError("the history did not drain in an hour")
                time.sleep(0.2)
            current_s = time.perf_counter() - started
            with engine.connect() as conn:
                estimates = conn.scalar(text("SELECT count(*) FROM skill_estimate"))
        finally:
            stop.set()
            thread.join(timeout=120)
            engine.dispose()
    print(
        f"[{mode}] events applied in {applied_s:.1f} s ({count / applied_s:.0f} events/s), "
        f"estimates current in {current_s:.1f} s; {estimates} estimates stored"
    )


def main(employees: int) -> None:
    log_dir = Path(tempfile.mkdtemp(prefix="talent-bench-"))
    with ExitStack() as stack:
        admin = stack.enter_context(postgres_admin_url())
        broker = stack.enter_context(TansuBroker(log_path=log_dir / "tansu.log"))
        print(f"history of {employees} employees")
        measure("every batch recomputes", 10**9, admin, broker.bootstrap_servers, employees)
        measure("default", None, admin, broker.bootstrap_servers, employees)
    shutil.rmtree(log_dir, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3_000)
