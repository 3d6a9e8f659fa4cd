"""Recommender at scale: `python -m bench.recommender [EMPLOYEES]` (default 100,000).

Generates an organisation of EMPLOYEES employees, 10,000 courses, 2,000 competencies,
500 job profiles (20 requirements each) and 50 evidence records per employee (30
assessments and 20 completions: 5,000,000 at the default size), and for successor
suggestions two calibrated ratings per employee (cycles 2024 and 2025, around the same
personal offset as the assessments) with their performance summaries, a potential
assessment for about 40% of the employees, 2,000 key roles on the level 5-6 profiles
(each with an incumbent holding the profile while there is one) and 3 nominations per
key role (about 3% of them removed); loads it into a fresh, migrated recommender
database with COPY, then measures:

- the full refit (every estimate rebuilt from all evidence in SQL, peer popularity,
  TruncatedSVD on the sparse matrix): wall time and the bench process's peak memory
  (tracemalloc for Python and numpy allocations, ru_maxrss for the whole process;
  PostgreSQL's own memory is not included; the refit ends with VACUUM ANALYZE of the
  rebuilt estimates, without which the successor shortlist cannot use its index-only
  scan);
- course recommendations for one employee through the service (p50/p95 over 200
  employees, HR principal, no HTTP), each served twice: first (recorded as issued, with
  outbox events) and again (already issued);
- successor suggestions for one key role through the service (p50/p95 over 200 distinct
  key roles, hr_leader principal, first 10), each served twice in the same way, with the
  mean number of suggestions and of candidates ranked (shortlist plus slate);
- event ingest: 5,000 assessment and completion events of random employees through the
  consumer's batch path (inbox, handlers, end-of-batch step), twice in the same run: the
  baseline, every batch of 500 recomputing the estimates of the employees it touched,
  and the default, batches leaving them to the estimates job, whose pass is timed
  after; events per second applied and to current estimates.

`--keep` loads into the database talent_bench_recommender_kept and leaves it there; the
next `--keep` run reuses it and measures only (drop it by hand afterwards).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import logging
import os
import random
import sys
import time
import tracemalloc
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from alembic import command
from alembic.config import Config
from kafka.consumer.fetcher import ConsumerRecord
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import Session

from bench.common import ROOT, migrated_database, peak_rss_mb, percentile, postgres_admin_url
from talent_contracts.learning import EnrollmentCompleted
from talent_contracts.performance import CompetencyAssessed
from talent_devtools.postgres import create_database, database_exists, database_url
from talent_platform.auth import Principal, Role
from talent_platform.db import async_url
from talent_platform.db.session import create_sync_engine
from talent_platform.events import Envelope, EventConsumer, encode
from talent_recommender.config import RecommenderSettings
from talent_recommender.db import messaging
from talent_recommender.evaluation.loading import (
    ASSESSMENT_COLUMNS,
    COMPLETION_COLUMNS,
    EMPLOYEE_COLUMNS,
    KEY_ROLE_COLUMNS,
    copy_rows,
)
from talent_recommender.ingest.consumers import registry
from talent_recommender.profiles.refits import refit_now
from talent_recommender.recommendations.service import RecommenderService
from talent_recommender.successors import service as successors_service
from talent_recommender.successors.service import SuccessorService

COURSES = 10_000
COMPETENCIES = 2_000
PROFILES = 500
REQUIREMENTS_PER_PROFILE = 20
ASSESSMENTS_PER_EMPLOYEE = 30
COMPLETIONS_PER_EMPLOYEE = 20
CYCLES = (("2024", dt.date(2024, 12, 15)), ("2025", dt.date(2025, 12, 15)))
POTENTIAL_SHARE = 0.4
KEY_ROLES = 2_000
SLATE = 3
REMOVED_SHARE = 0.03
READINESS = ("ready_now", "ready_1_2_years", "ready_3_plus_years")
CHUNK = 200_000
HR = Principal(subject="bench", employee_id=None, roles=frozenset({Role.HR_LEADER}))
TODAY = dt.date(2026, 11, 1)
KEPT_DATABASE = "talent_bench_recommender_kept"
# What the rating consumer keeps (ingest.store.performance.summarise_performance), for everyone
# at once, as migration 0004 fills it: the mean of the two most recent ratings.
PERFORMANCE_SUMMARY_SQL = """
INSERT INTO performance_summary (employee_id, recent_mean, ratings)
SELECT employee_id, avg(overall_rating), count(*) FROM (
    SELECT employee_id, overall_rating, row_number() OVER (
        PARTITION BY employee_id ORDER BY rated_on DESC, cycle_code DESC) AS n
    FROM rating) recent
WHERE n <= 2 GROUP BY employee_id
"""


def eid(i: int) -> str:
    return f"00000000-0000-4000-8000-{i:012x}"


def rid(kind: int, i: int) -> str:
    return f"{kind:08x}-0000-4000-8000-{i:012x}"


def load(session: Session, n: int, rng: np.random.Generator) -> dict[str, float]:
    """Generate and COPY the organisation; returns rows per table and the load rate."""
    started = time.perf_counter()
    counts: dict[str, float] = {}
    comp = [f"C{i:04d}" for i in range(COMPETENCIES)]
    counts["competency"] = copy_rows(
        session,
        "competency",
        ("code", "name", "tier"),
        ((c, f"Competency {c}", "functional") for c in comp),
    )
    counts["job_profile"] = copy_rows(
        session,
        "job_profile",
        ("code", "title", "family", "level"),
        (
            (f"P{p:03d}", f"Profile {p}", f"Family {p % 20}", profile_level(p))
            for p in range(PROFILES)
        ),
    )
    # Each profile requires 20 competencies of its family's block of 100, levels 2-5.
    profile_reqs = np.zeros((PROFILES, REQUIREMENTS_PER_PROFILE), dtype=np.int64)
    profile_levels = np.zeros((PROFILES, REQUIREMENTS_PER_PROFILE), dtype=np.int64)
    for p in range(PROFILES):
        block = (p % 20) * 100
        profile_reqs[p] = block + rng.choice(100, REQUIREMENTS_PER_PROFILE, replace=False)
        profile_levels[p] = rng.integers(2, 6, REQUIREMENTS_PER_PROFILE)
    counts["job_requirement"] = copy_rows(
        session,
        "job_requirement",
        ("job_profile_code", "competency_code", "required_level", "importance"),
        (
            (
                f"P{p:03d}",
                comp[int(profile_reqs[p, j])],
                int(profile_levels[p, j]),
                int(1 + (j % 5)),
            )
            for p in range(PROFILES)
            for j in range(REQUIREMENTS_PER_PROFILE)
        ),
    )
    profile_of = rng.integers(0, PROFILES, n)
    hire_days = rng.integers(0, 5000, n)
    now = dt.datetime.now(dt.UTC)
    counts["employee"] = copy_rows(
        session,
        "employee",
        EMPLOYEE_COLUMNS,
        (
            (
                eid(i),
                f"Employee {i}",
                "active",
                eid((i - 1) // 8) if i else None,
                f"Unit {i % 300}",
                f"P{int(profile_of[i]):03d}",
                TODAY - dt.timedelta(days=int(hire_days[i])),
                TODAY - dt.timedelta(days=int(hire_days[i]) // 2),
                now,
            )
            for i in range(n)
        ),
    )
    # Courses: each teaches 1-3 competencies of one family block, levels 2-5.
    course_skills: list[list[tuple[int, int]]] = []
    for _ in range(COURSES):
        block = int(rng.integers(0, 20)) * 100
        k = int(rng.integers(1, 4))
        picks = block + rng.choice(100, k, replace=False)
        course_skills.append([(int(c), int(rng.integers(2, 6))) for c in picks])
    counts["course"] = copy_rows(
        session,
        "course",
        ("code", "title", "mandatory"),
        ((f"K{k:05d}", f"Course {k}", False) for k in range(COURSES)),
    )
    counts["course_skill"] = copy_rows(
        session,
        "course_skill",
        ("course_code", "competency_code", "level"),
        (
            (f"K{k:05d}", comp[c], lvl)
            for k, skills in enumerate(course_skills)
            for c, lvl in skills
        ),
    )
    courses_by_block: list[list[int]] = [[] for _ in range(20)]
    for k, skills in enumerate(course_skills):
        courses_by_block[skills[0][0] // 100].append(k)
    # Assessments: mostly the profile's competencies, around the required level with a
    # personal offset; some of other competencies.
    offsets = rng.normal(0, 0.8, n)
    total_assessments = 0
    for start in range(0, n, CHUNK // ASSESSMENTS_PER_EMPLOYEE):
        stop = min(n, start + CHUNK // ASSESSMENTS_PER_EMPLOYEE)
        rows: list[tuple[object, ...]] = []
        for i in range(start, stop):
            p = int(profile_of[i])
            js = rng.integers(0, REQUIREMENTS_PER_PROFILE, ASSESSMENTS_PER_EMPLOYEE)
            other = rng.random(ASSESSMENTS_PER_EMPLOYEE) < 0.2
            cs = np.where(
                other, rng.integers(0, COMPETENCIES, ASSESSMENTS_PER_EMPLOYEE), profile_reqs[p, js]
            )
            levels = np.clip(
                np.rint(
                    profile_levels[p, js]
                    + offsets[i]
                    + rng.normal(0, 0.6, ASSESSMENTS_PER_EMPLOYEE)
                ),
                1,
                5,
            )
            days = rng.integers(0, 1500, ASSESSMENTS_PER_EMPLOYEE)
            for a in range(ASSESSMENTS_PER_EMPLOYEE):
                total_assessments += 1
                rows.append(
                    (
                        rid(1, total_assessments),
                        eid(i),
                        comp[int(cs[a])],
                        int(levels[a]),
                        ("assessment", "manager", "peer", "self")[a % 4],
                        TODAY - dt.timedelta(days=int(days[a])),
                    )
                )
        copy_rows(
            session,
            "assessment",
            ASSESSMENT_COLUMNS,
            rows,
        )
    counts["assessment"] = total_assessments
    total_completions = 0
    for start in range(0, n, CHUNK // COMPLETIONS_PER_EMPLOYEE):
        stop = min(n, start + CHUNK // COMPLETIONS_PER_EMPLOYEE)
        rows = []
        for i in range(start, stop):
            pool = courses_by_block[int(profile_of[i]) % 20]
            picks = rng.choice(len(pool), min(len(pool), COMPLETIONS_PER_EMPLOYEE), replace=False)
            days = rng.integers(0, 1500, len(picks))
            scores = rng.integers(50, 101, len(picks))
            for j, k in enumerate(picks):
                total_completions += 1
                rows.append(
                    (
                        rid(2, total_completions),
                        eid(i),
                        f"K{pool[int(k)]:05d}",
                        TODAY - dt.timedelta(days=int(days[j])),
                        float(scores[j]),
                    )
                )
        copy_rows(
            session,
            "completion",
            COMPLETION_COLUMNS,
            rows,
        )
    counts["completion"] = total_completions
    counts.update(load_succession(session, n, rng, profile_of=profile_of, offsets=offsets))
    session.execute(text("ANALYZE"))
    elapsed = time.perf_counter() - started
    evidence = counts["assessment"] + counts["completion"]
    print(
        f"loaded {n:,} employees, {COURSES:,} courses, {COMPETENCIES:,} competencies, "
        f"{int(evidence):,} evidence records ({int(counts['assessment']):,} assessments, "
        f"{int(counts['completion']):,} completions), {int(counts['rating']):,} ratings "
        f"({int(counts['performance_summary']):,} performance summaries), "
        f"{int(counts['potential']):,} potential assessments, {int(counts['key_role']):,} key "
        f"roles ({int(counts['incumbents']):,} with an incumbent), "
        f"{int(counts['nomination']):,} nominations ({int(counts['removed']):,} removed) "
        f"in {elapsed:.1f} s ({evidence / elapsed:,.0f} evidence rows/s with generation)"
    )
    return counts


def load_succession(
    session: Session,
    n: int,
    rng: np.random.Generator,
    *,
    profile_of: np.ndarray,
    offsets: np.ndarray,
) -> dict[str, float]:
    """Ratings, performance summaries, potential, key roles and their slates: what the
    successor suggestions read besides estimates."""
    counts: dict[str, float] = {}
    # Two calibrated ratings each, around 3 plus the personal offset of the assessments.
    ratings = np.clip(np.rint(3 + offsets[:, None] + rng.normal(0, 0.7, (n, 2))), 1, 5)
    counts["rating"] = copy_rows(
        session,
        "rating",
        ("employee_id", "cycle_code", "overall_rating", "rated_on"),
        (
            (eid(i), cycle, int(ratings[i, c]), rated_on)
            for i in range(n)
            for c, (cycle, rated_on) in enumerate(CYCLES)
        ),
    )
    session.execute(text(PERFORMANCE_SUMMARY_SQL))
    counts["performance_summary"] = session.scalar(text("SELECT count(*) FROM performance_summary"))
    # Potential for 40%, high for the strongest offsets, low for the weakest.
    assessed = np.flatnonzero(rng.random(n) < POTENTIAL_SHARE)
    signal = offsets[assessed] + rng.normal(0, 0.5, len(assessed))
    days = rng.integers(0, 600, len(assessed))
    counts["potential"] = copy_rows(
        session,
        "potential",
        ("employee_id", "assessment_id", "potential", "assessed_on"),
        (
            (
                eid(int(i)),
                rid(3, k),
                "high" if signal[k] > 0.7 else "low" if signal[k] < -0.7 else "medium",
                TODAY - dt.timedelta(days=int(days[k])),
            )
            for k, i in enumerate(assessed)
        ),
    )
    # Key roles on the senior profiles (levels 5-6), each held by a different holder of
    # its profile while there are any; 3 nominees each, from one level below in the same
    # family (none in this generator: a family's profiles are every 20th, so its levels
    # are 1, 3, 5 or 2, 4, 6), else two levels below in it, else one below in any.
    holders: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        holders[int(profile_of[i])].append(i)
    for found in holders.values():
        rng.shuffle(found)
    senior = [p for p in range(PROFILES) if profile_level(p) >= 5]
    roles: list[tuple[object, ...]] = []
    nominations: list[tuple[object, ...]] = []
    for k in range(KEY_ROLES):
        p = senior[k % len(senior)]
        free = holders[p]
        incumbent = free.pop() if free else None
        roles.append(
            (
                rid(4, k),
                f"KR{k:04d}",
                f"Key role {k} (Profile {p})",
                f"P{p:03d}",
                eid(incumbent) if incumbent is not None else None,
                f"Unit {incumbent % 300 if incumbent is not None else int(rng.integers(300))}",
                ("high", "medium", "low")[k % 3],
                dt.datetime.now(dt.UTC),
            )
        )
        pool = [i for q in feeder_profiles(p) for i in holders[q] if i != incumbent]
        picks = rng.choice(len(pool), min(len(pool), SLATE), replace=False) if pool else ()
        for rank, j in enumerate(picks, start=1):
            nominated_on = TODAY - dt.timedelta(days=int(rng.integers(30, 700)))
            removed_on = nominated_on + dt.timedelta(days=int(rng.integers(1, 30)))
            nominations.append(
                (
                    rid(5, len(nominations)),
                    rid(4, k),
                    eid(pool[int(j)]),
                    READINESS[int(rng.integers(len(READINESS)))],
                    nominated_on,
                    rank,
                    nominated_on,
                    removed_on if rng.random() < REMOVED_SHARE else None,
                )
            )
    counts["key_role"] = copy_rows(
        session,
        "key_role",
        KEY_ROLE_COLUMNS,
        roles,
    )
    counts["incumbents"] = sum(1 for r in roles if r[4] is not None)
    counts["nomination"] = copy_rows(
        session,
        "nomination",
        (
            "nomination_id",
            "key_role_id",
            "employee_id",
            "readiness",
            "readiness_on",
            "rank",
            "nominated_on",
            "removed_on",
        ),
        nominations,
    )
    counts["removed"] = sum(1 for r in nominations if r[7] is not None)
    return counts


def profile_level(p: int) -> int:
    return p % 6 + 1


def feeder_profiles(p: int) -> list[int]:
    """Where a key role on profile p draws its nominees from (see load_succession)."""
    family, level = p % 20, profile_level(p)
    for same_family, below in ((True, 1), (True, 2), (False, 1)):
        found = [
            q
            for q in range(PROFILES)
            if profile_level(q) == level - below and (q % 20 == family) == same_family
        ]
        if found:
            return found
    return []


async def recommendation_latency(url: str, n: int, samples: int) -> list[float]:
    """Each employee served twice: the first time every course is newly issued (rows and
    `recommendation.issued` outbox events written), the second time it is already issued
    (the upsert writes nothing)."""
    engine = create_async_engine(async_url(url), pool_size=2)
    rng = random.Random(7)
    employees = [uuid.UUID(eid(rng.randrange(n))) for _ in range(samples)]
    timings: dict[str, list[float]] = {"first": [], "again": []}
    sizes: list[int] = []
    try:
        for serving in ("first", "again"):
            for employee in employees:
                async with AsyncSession(engine) as session, session.begin():
                    started = time.perf_counter()
                    found = await RecommenderService(session, HR).recommend_courses(
                        employee, first=10
                    )
                    timings[serving].append((time.perf_counter() - started) * 1000)
                    sizes.append(len(found))
    finally:
        await engine.dispose()
    print(
        f"course recommendations for one employee ({samples} employees, "
        f"mean {sum(sizes) / len(sizes):.1f} courses each): "
        + "; ".join(
            f"{label} p50 {percentile(timings[key], 50):.1f} ms, "
            f"p95 {percentile(timings[key], 95):.1f} ms"
            for key, label in (("first", "first served (issued)"), ("again", "served again"))
        )
    )
    return timings["first"] + timings["again"]


class CandidateCount(logging.Handler):
    """How many candidates each suggestion ranked, from the service's sensitive-read log."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.counts: list[int] = []

    def emit(self, record: logging.LogRecord) -> None:
        found = getattr(record, "candidates", None)
        if isinstance(found, int):
            self.counts.append(found)


async def successor_latency(url: str, samples: int) -> list[float]:
    """Suggestions for distinct random key roles, each served twice like the courses: the
    first time every suggestion is newly issued (rows and outbox events written), the
    second time it is already issued."""
    engine = create_async_engine(async_url(url), pool_size=2)
    rng = random.Random(13)
    roles = [uuid.UUID(rid(4, k)) for k in rng.sample(range(KEY_ROLES), samples)]
    timings: dict[str, list[float]] = {"first": [], "again": []}
    sizes: list[int] = []
    counter = CandidateCount()
    service_log = logging.getLogger(successors_service.__name__)
    level = service_log.level
    service_log.addHandler(counter)
    service_log.setLevel(logging.INFO)
    try:
        for serving in ("first", "again"):
            for role in roles:
                async with AsyncSession(engine) as session, session.begin():
                    started = time.perf_counter()
                    report = await SuccessorService(session, HR).suggest(role, first=10)
                    timings[serving].append((time.perf_counter() - started) * 1000)
                    sizes.append(len(report.suggestions))
    finally:
        service_log.removeHandler(counter)
        service_log.setLevel(level)
        await engine.dispose()
    considered = (
        f", {sum(counter.counts) / len(counter.counts):.0f} candidates ranked"
        if counter.counts
        else ""
    )
    print(
        f"successor suggestions for one key role ({samples} key roles, "
        f"mean {sum(sizes) / len(sizes):.1f} suggestions{considered} each): "
        + "; ".join(
            f"{label} p50 {percentile(timings[key], 50):.1f} ms, "
            f"p95 {percentile(timings[key], 95):.1f} ms"
            for key, label in (("first", "first served (issued)"), ("again", "served again"))
        )
    )
    return timings["first"] + timings["again"]


def ingest_rate(url: str, n: int, events: int, *, inline_max: int | None, seed: int) -> None:
    """Assessments and completions of random employees through the consumer's batch path
    (each batch touches about 500 employees). `inline_max` None: the default (a batch
    leaves that many employees to the estimates job, whose pass is timed after); a
    number: batches recompute up to that many employees themselves (the baseline)."""
    from talent_recommender.profiles import estimates

    estimates.inline_max.cache_clear()
    if inline_max is not None:
        os.environ["TALENT_RECOMMENDER_ESTIMATE_INLINE_MAX"] = str(inline_max)
    else:
        os.environ.pop("TALENT_RECOMMENDER_ESTIMATE_INLINE_MAX", None)
    engine = create_sync_engine(url)
    consumer = EventConsumer(
        RecommenderSettings(environment="test", database_url=url),
        engine=engine,
        inbox=messaging.inbox,
        registry=registry,
        topics=["talent.performance.v1"],
    )
    rng = random.Random(seed)
    records = []
    for offset in range(events):
        employee = uuid.UUID(eid(rng.randrange(n)))
        payload: CompetencyAssessed | EnrollmentCompleted
        if offset % 2:
            payload = CompetencyAssessed(
                assessment_id=uuid.uuid4(),
                employee_id=employee,
                competency_code=f"C{rng.randrange(COMPETENCIES):04d}",
                level=rng.randint(1, 5),
                source="manager",
                assessed_on=TODAY,
                assessor_id=None,
                cycle_id=None,
            )
        else:
            payload = EnrollmentCompleted(
                completion_id=uuid.uuid4(),
                employee_id=employee,
                course_code=f"K{rng.randrange(COURSES):05d}",
                completed_on=TODAY,
                score=90.0,
                source="manual",
            )
        encoded = encode(Envelope.for_payload(payload, service="bench"))
        records.append(
            ConsumerRecord(
                "talent.performance.v1",
                0,
                -1,
                offset,
                0,
                0,
                encoded.key,
                encoded.value,
                encoded.headers,
                None,
                -1,
                len(encoded.value),
                -1,
            )
        )
    started = time.perf_counter()
    for i in range(0, events, 500):
        consumer.handle_batch(records[i : i + 500])
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    recomputed = estimates.recompute_marked(engine)
    job_s = time.perf_counter() - started
    engine.dispose()
    mode = (
        "every batch recomputes its employees"
        if inline_max is not None
        else f"batches over {estimates.inline_max()} employees leave them to the estimates job"
    )
    print(
        f"event ingest ({mode}): {consumer.stats.processed:,} events (assessments and "
        f"completions in batches of 500) applied in {elapsed:.1f} s: "
        f"{events / elapsed:,.0f} events/s; then the estimates job recomputed "
        f"{recomputed:,} employees in {job_s:.1f} s; events to current estimates "
        f"{events / (elapsed + job_s):,.0f} events/s"
    )


@contextmanager
def bench_database(admin_url: str, *, keep: bool) -> Iterator[str]:
    """A fresh migrated database, dropped afterwards; with `keep`, KEPT_DATABASE, created
    and migrated once and left in place (a second run skips generating and loading)."""
    if not keep:
        with migrated_database(admin_url, "recommender") as url:
            yield url
        return
    if not database_exists(admin_url, KEPT_DATABASE):
        create_database(admin_url, KEPT_DATABASE)
    url = database_url(admin_url, KEPT_DATABASE)
    config = Config(str(ROOT / "services" / "recommender" / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")
    yield url


def main(n: int, *, keep: bool = False) -> None:
    rng = np.random.default_rng(42)
    with postgres_admin_url() as admin_url, bench_database(admin_url, keep=keep) as url:
        engine = create_sync_engine(url)
        with Session(engine) as session:
            loaded = session.scalar(text("SELECT count(*) FROM employee"))
        if loaded:
            print(f"reusing {KEPT_DATABASE}: {loaded:,} employees already loaded")
        else:
            with Session(engine) as session, session.begin():
                load(session, n, rng)
        tracemalloc.start()
        started = time.perf_counter()
        model = refit_now(engine, rank=RecommenderSettings().model_rank)
        elapsed = time.perf_counter() - started
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"full refit: {elapsed:.1f} s; {model.entries:,} estimates of {model.employees:,} "
            f"employees x {model.competencies:,} competencies, rank {model.rank}; "
            f"peak Python/numpy memory {traced_peak / 2**20:,.0f} MiB (tracemalloc), "
            f"process peak RSS {peak_rss_mb():,.0f} MiB; model metrics {model.metrics}"
        )
        engine.dispose()
        # As the services do at startup (talent_platform.app): long-lived objects frozen,
        # out of the collector's full passes.
        gc.collect()
        gc.freeze()
        asyncio.run(recommendation_latency(url, n, samples=200))
        asyncio.run(successor_latency(url, samples=200))
        ingest_rate(url, n, events=5_000, inline_max=10**9, seed=11)
        ingest_rate(url, n, events=5_000, inline_max=None, seed=12)


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(arguments[0]) if arguments else 100_000, keep="--keep" in sys.argv)
