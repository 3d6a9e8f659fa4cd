"""Weekly digests for a large organisation: `python -m bench.notifier_digests [M]`
(default 10,000 managers).

Builds a fresh, migrated notifier database directly (COPY): M managers with REPORTS
direct reports each in the people projection; per report RECOMMENDATIONS current course
recommendations (one of them issued in the week, so each report also gets an employee
digest listing it), an overdue course, an expiring certification and a late review in
the ledger (in-app rows dated in the week before the period); per manager HELD email
rows held for the weekly digest. Then times, in one transaction each:

- baseline: the held-notices digests alone (`held_digests` without recommendations, the
  digest of before the top action and employees' recommendations), rolled back;
- the managers' digests alone (`manager_digests`), rolled back;
- `make_digests(WEEKLY)`: held notices with the employees' new recommendations, and the
  managers' digests with each report's top action, courses, certifications and reviews
  (committed; a second run in the same period is timed too: it makes nothing).

Target: the managers' digests for 10,000 managers in under 60 s.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
import uuid
from typing import Any, cast

from psycopg.types.json import Jsonb
from sqlalchemy import Table, create_engine, func, select
from sqlalchemy.orm import Session

from bench.common import migrated_database, peak_rss_mb, postgres_admin_url
from talent_notifier.digests.service import held_digests, make_digests, manager_digests
from talent_notifier.notifications.models import Delivery, NotificationKind
from talent_notifier.people.models import EmployeeProjection
from talent_notifier.preferences.models import Frequency
from talent_notifier.recommendations.models import CourseRecommendation
from talent_platform.db.bulk import copy_into

REPORTS = 5
RECOMMENDATIONS = 4
HELD = 2
HOUR = 7
MONDAY = dt.datetime(2030, 1, 14, 8, 0, tzinfo=dt.UTC)
TUESDAY = dt.datetime(2030, 1, 8, 10, 0, tzinfo=dt.UTC)


def person(employee_id: uuid.UUID, i: int, manager_id: uuid.UUID | None) -> dict[str, Any]:
    return {
        "employee_id": employee_id,
        "employee_number": f"E{i:07d}",
        "name": f"Employee {i}",
        "email": f"e{i}@example.com",
        "status": "active",
        "manager_id": manager_id,
        "org_unit_code": f"Unit {i % 120}",
        "updated_at": TUESDAY,
    }


def ledger_row(
    kind: NotificationKind,
    *,
    recipient: uuid.UUID,
    about: uuid.UUID,
    audience: str,
    data: dict[str, Any],
    channel: str = "in_app",
    status: str = "sent",
    digest: str | None = None,
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "source_event_id": uuid.uuid4(),
        "recipient_id": recipient,
        "channel": channel,
        "kind": kind.value,
        "audience": audience,
        "subject_employee_id": about,
        "data": Jsonb(data),
        "status": status,
        "attempts": 1 if status == "sent" else 0,
        "digest": digest,
        "created_at": TUESDAY,
        "updated_at": TUESDAY,
    }


def fill(session: Session, managers: int) -> dict[str, int]:
    people: list[dict[str, Any]] = []
    recommendations: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    director = uuid.uuid4()
    people.append(person(director, 0, None))
    n = 1
    for m in range(managers):
        manager = uuid.uuid4()
        people.append(person(manager, n, director))
        n += 1
        for h in range(HELD):
            rows.append(
                ledger_row(
                    NotificationKind.ENROLLMENT_ASSIGNED,
                    recipient=manager,
                    about=manager,
                    audience="employee",
                    data={"course_code": f"OPT-{h}", "due_on": "2030-03-31", "reason": "manager"},
                    channel="email",
                    status="digest",
                    digest="weekly",
                )
            )
        for r in range(REPORTS):
            report = uuid.uuid4()
            people.append(person(report, n, manager))
            n += 1
            for c in range(RECOMMENDATIONS):
                recommendations.append(
                    {
                        "recommendation_id": uuid.uuid4(),
                        "employee_id": report,
                        "course_code": f"C-{(m + r + c) % 600}",
                        "score": round(0.3 + 0.15 * c + 0.01 * (r % 5), 4),
                        "reasons": Jsonb([f"closes the gap in skill {c}", "peers took it"]),
                        "model_version": 3,
                        "issued_at": TUESDAY if c == 0 else TUESDAY - dt.timedelta(days=30),
                        "state": "current",
                    }
                )
            rows.append(
                ledger_row(
                    NotificationKind.ENROLLMENT_OVERDUE,
                    recipient=manager,
                    about=report,
                    audience="manager",
                    data={"course_code": "PRIV-200", "due_on": "2030-01-05"},
                )
            )
            rows.append(
                ledger_row(
                    NotificationKind.CERTIFICATION_EXPIRING,
                    recipient=report,
                    about=report,
                    audience="employee",
                    data={"course_code": "FIRE-1", "valid_until": "2030-02-01"},
                )
            )
            rows.append(
                ledger_row(
                    NotificationKind.REVIEW_OVERDUE,
                    recipient=report,
                    about=manager,
                    audience="employee",
                    data={
                        "review_id": str(uuid.uuid4()),
                        "cycle_code": "FY29-ANNUAL",
                        "review_kind": "peer",
                        "phase": "manager_review",
                        "due_on": "2030-01-07",
                    },
                )
            )
    copy_into(session, cast(Table, EmployeeProjection.__table__), people)
    copy_into(session, cast(Table, CourseRecommendation.__table__), recommendations)
    copy_into(session, cast(Table, Delivery.__table__), rows)
    return {"people": len(people), "recommendations": len(recommendations), "rows": len(rows)}


def main(managers: int) -> None:
    with postgres_admin_url() as admin, migrated_database(admin, "notifier") as url:
        engine = create_engine(url)
        try:
            started = time.perf_counter()
            with Session(engine) as session, session.begin():
                sizes = fill(session, managers)
            with engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
            print(
                f"setup: {sizes['people']:,} people, {sizes['recommendations']:,} "
                f"recommendations, {sizes['rows']:,} ledger rows in "
                f"{time.perf_counter() - started:.1f} s"
            )

            with Session(engine) as session, session.begin():
                started = time.perf_counter()
                made = held_digests(session, frequency=Frequency.WEEKLY, now=MONDAY, hour=HOUR)
                baseline = time.perf_counter() - started
                session.rollback()
            print(
                f"baseline, held-notices digests alone: {made:,} in {baseline:.1f} s "
                f"({made / baseline:,.0f} digests/s)"
            )

            with Session(engine) as session, session.begin():
                started = time.perf_counter()
                managers_only = manager_digests(session, now=MONDAY, hour=HOUR)
                alone = time.perf_counter() - started
                session.rollback()
            print(
                f"managers' digests alone (manager_digests): {managers_only:,} in {alone:.1f} s "
                f"({managers_only / alone:,.0f} digests/s; target: 10,000 managers < 60 s)"
            )

            with Session(engine) as session, session.begin():
                started = time.perf_counter()
                run = make_digests(session, frequency=Frequency.WEEKLY, now=MONDAY, hour=HOUR)
                made_at = time.perf_counter()
            elapsed = time.perf_counter() - started
            employees = run.made - run.manager_digests
            print(
                f"make_digests(WEEKLY): {run.manager_digests:,} managers' digests and "
                f"{employees:,} held-notice / new-recommendation digests in {elapsed:.1f} s "
                f"(built {made_at - started:.1f} s, commit {elapsed - (made_at - started):.1f} s); "
                f"{run.made / elapsed:,.0f} digests/s"
            )
            with Session(engine) as session:
                sizes_by_kind = dict(
                    session.execute(
                        select(Delivery.kind, func.count())
                        .where(Delivery.kind.in_(["digest", "manager_digest"]))
                        .group_by(Delivery.kind)
                    ).all()
                )
            print(f"digest rows: {sizes_by_kind}")

            with Session(engine) as session, session.begin():
                started = time.perf_counter()
                again = make_digests(session, frequency=Frequency.WEEKLY, now=MONDAY, hour=HOUR)
                second = time.perf_counter() - started
            print(f"second run in the same period: {again.made} made in {second:.1f} s")
            print(f"peak RSS of the benchmark process: {peak_rss_mb():.0f} MB")
        finally:
            engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
