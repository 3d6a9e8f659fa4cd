"""`talent recommender evaluate` and `talent recommender refit`.

talent recommender evaluate                  evaluate on the recommender's stored evidence
talent recommender evaluate --demo 2000      load the demo organisation (with its
                                             assessments) into a scratch database first
talent recommender evaluate --independent    generate an organisation from public
                                             occupational data (O*NET) with known true
                                             skills and evaluate the served recommender on it
talent recommender refit                     run a full refit now

Added to `talent` through the entry point `talent.cli` (talent_platform.commands), so the
CLI imports nothing of the recommender and this module nothing of the CLI, except the
demo organisation for `--demo` (`talent_cli.demo`, there whenever `talent` runs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
import uuid
from pathlib import Path

from talent_platform.commands import CommandContext

EVALUATION_DATABASE = "talent_recommender_evaluation"


def add_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    recommender = commands.add_parser("recommender", help="the recommender's model")
    sub = recommender.add_subparsers(
        dest="recommender_command", required=True, metavar="SUBCOMMAND"
    )
    evaluate = sub.add_parser(
        "evaluate",
        parents=[common],
        help="offline evaluation on a time split, next to baselines",
        description="Split the stored evidence at a date (default: 80%% of completions "
        "before it), rebuild estimates and the model from the earlier part, and score course "
        "recommendations and skill estimates on the later part next to baselines.",
    )
    evaluate.add_argument("--split-date", type=dt.date.fromisoformat, metavar="YYYY-MM-DD")
    evaluate.add_argument(
        "--demo",
        type=int,
        metavar="EMPLOYEES",
        help="evaluate on the demo organisation of this size, loaded into the scratch "
        "database (dropped and recreated)",
    )
    evaluate.add_argument(
        "--scratch-database",
        default=os.environ.get("TALENT_EVALUATION_DATABASE", EVALUATION_DATABASE),
        metavar="NAME",
        help="name of the scratch database for --demo (default: $TALENT_EVALUATION_DATABASE "
        f"or {EVALUATION_DATABASE})",
    )
    evaluate.add_argument(
        "--independent",
        type=int,
        nargs="?",
        const=3000,
        metavar="EMPLOYEES",
        help="evaluate on an organisation generated from public occupational data (default "
        "3000 employees, 600 courses, 60 key roles), loaded into the scratch database",
    )
    evaluate.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="the O*NET/ESCO reference data for --independent (default: "
        "$TALENT_REFERENCE_DATA or ../shared/data beside the repository)",
    )
    evaluate.add_argument("--seed", type=int, default=42, help="demo or independent seed")
    evaluate.add_argument("--database-url", help="the recommender database (default: its settings)")
    refit = sub.add_parser(
        "refit",
        parents=[common],
        help="rebuild every estimate and fit a new model version now",
    )
    refit.add_argument("--database-url", help="the recommender database (default: its settings)")


def run(args: argparse.Namespace, context: CommandContext) -> int:
    from sqlalchemy.orm import Session

    from talent_platform.db.session import create_sync_engine, sync_url

    url = args.database_url or context.database_url("recommender")
    if args.recommender_command == "refit":
        from talent_recommender.config import RecommenderSettings
        from talent_recommender.profiles.refits import refit_now

        engine = create_sync_engine(url)
        started = time.perf_counter()
        model = refit_now(engine, rank=RecommenderSettings().model_rank)
        engine.dispose()
        print(
            f"model version {model.version}: {model.employees} employees x "
            f"{model.competencies} competencies, {model.entries} entries, "
            f"metrics {model.metrics}, in {time.perf_counter() - started:.1f} s"
        )
        return 0

    if args.independent:
        return _independent(context, url, args)

    from talent_recommender.evaluation.offline import evaluate, render

    if args.demo:
        url = _load_demo(
            context,
            url,
            employees=args.demo,
            seed=args.seed,
            scratch_name=args.scratch_database,
        )
    engine = create_sync_engine(sync_url(url))
    try:
        started = time.perf_counter()
        with Session(engine) as session:
            report = evaluate(session, split=args.split_date)
    finally:
        engine.dispose()
    if report is None:
        print("nothing to evaluate: no completions stored")
        return 1
    print(render(report))
    context.progress(f"evaluated in {time.perf_counter() - started:.1f} s")
    return 0


def _independent(context: CommandContext, url: str, args: argparse.Namespace) -> int:
    from talent_platform.db.admin import create_database
    from talent_platform.db.session import create_sync_engine, sync_url
    from talent_recommender.evaluation import independent, occupational

    data_dir = args.data_dir or occupational.default_data_dir()
    if data_dir is None or not Path(data_dir).is_dir():
        print(
            "no reference data: pass --data-dir DIR (the folder holding onet-23/) or set "
            "TALENT_REFERENCE_DATA"
        )
        return 2
    started = time.perf_counter()
    org = occupational.generate(Path(data_dir), employees=args.independent, seed=args.seed)
    context.progress(
        f"independent organisation: {len(org.rows['employees'])} employees, "
        f"{len(org.rows['assessments'])} assessments ({len(org.withheld_assessments)} withheld), "
        f"{len(org.rows['completions'])} completions, generated in "
        f"{time.perf_counter() - started:.1f} s"
    )
    scratch = create_database(url, args.scratch_database, drop_existing=True)
    context.migrate("recommender", scratch)
    engine = create_sync_engine(sync_url(scratch))
    try:
        report = independent.evaluate(engine, scratch, org, seed=args.seed)
    finally:
        engine.dispose()
    print(independent.render(report, seed=args.seed))
    context.progress(f"evaluated in {time.perf_counter() - started:.1f} s")
    return 0


def employee_uuid(number: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"talent-demo/{number}")


def _load_demo(
    context: CommandContext,
    url: str,
    *,
    employees: int,
    seed: int,
    scratch_name: str = EVALUATION_DATABASE,
) -> str:
    from sqlalchemy.orm import Session

    from talent_cli.demo import AS_OF, generate_records, learning, performance
    from talent_platform.db.admin import create_database
    from talent_platform.db.session import create_sync_engine
    from talent_recommender.evaluation.loading import (
        ASSESSMENT_COLUMNS,
        COMPLETION_COLUMNS,
        EMPLOYEE_COLUMNS,
        copy_rows,
    )

    scratch = create_database(url, scratch_name, drop_existing=True)
    context.migrate("recommender", scratch)
    records = generate_records(employees=employees, seed=seed)
    now = dt.datetime.now(dt.UTC)
    engine = create_sync_engine(scratch)
    with Session(engine) as session, session.begin():
        copy_rows(
            session,
            "competency",
            ("code", "name", "tier"),
            ((c.code, c.name, c.tier) for c in learning.ALL_COMPETENCIES),
        )
        copy_rows(
            session, "job_profile", ("code", "title", "family", "level"), learning.job_profiles()
        )
        copy_rows(
            session,
            "job_requirement",
            ("job_profile_code", "competency_code", "required_level", "importance"),
            (
                (r.profile_code, r.competency_code, r.level, r.importance)
                for r in learning.requirements()
            ),
        )
        copy_rows(
            session,
            "employee",
            EMPLOYEE_COLUMNS,
            (
                (
                    employee_uuid(p.number),
                    p.name,
                    p.status,
                    employee_uuid(p.manager.number) if p.manager else None,
                    p.org_unit,
                    p.profile_code,
                    p.hire_date,
                    max((h.end for h in p.history), default=p.hire_date),
                    now,
                )
                for p in records.people
            ),
        )
        copy_rows(
            session,
            "job_history",
            ("employee_id", "job_profile_code", "start_date", "end_date"),
            (
                (employee_uuid(p.number), h.profile_code, h.start, h.end)
                for p in records.people
                for h in p.history
            ),
        )
        copy_rows(
            session,
            "course",
            ("code", "title", "mandatory"),
            ((c.code, c.title, c.mandatory) for c in records.catalog),
        )
        copy_rows(
            session,
            "course_skill",
            ("course_code", "competency_code", "level"),
            ((c.code, code, level) for c in records.catalog for code, level in c.skills),
        )
        copy_rows(
            session,
            "completion",
            COMPLETION_COLUMNS,
            (
                (
                    uuid.uuid4(),
                    employee_uuid(c.employee_number),
                    c.course_code,
                    c.completed_on,
                    c.score,
                )
                for c in records.completions
            ),
        )
        copy_rows(
            session,
            "assessment",
            ASSESSMENT_COLUMNS,
            (
                (
                    uuid.uuid4(),
                    employee_uuid(a.employee_number),
                    a.competency_code,
                    a.level,
                    a.source,
                    a.assessed_on,
                )
                for a in records.assessments
            ),
        )
        ratings = performance.ratings(records.people, seed=seed, as_of=AS_OF)
        copy_rows(
            session,
            "rating",
            ("employee_id", "cycle_code", "overall_rating", "rated_on"),
            (
                (employee_uuid(r.employee_number), r.cycle_code, r.overall_rating, r.rated_on)
                for r in ratings
            ),
        )
    engine.dispose()
    context.progress(
        f"demo organisation: {employees} employees, {len(records.completions)} completions, "
        f"{len(records.assessments)} assessments, {len(ratings)} ratings loaded into "
        f"{scratch_name}"
    )
    return scratch
