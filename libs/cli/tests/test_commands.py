"""The `talent` commands that need no running stack: seed --out, import, token, usage."""

from __future__ import annotations

import re
from pathlib import Path

import jwt
import pytest
from sqlalchemy import NullPool, create_engine, make_url, text

from talent_cli import demo
from talent_cli.main import main
from talent_cli.services import service
from talent_cli.state import StateDir
from talent_devtools.postgres import drop_database
from talent_devtools.testing import ServiceDatabaseFactory
from talent_platform.db import sync_url

EMPLOYEES = 20


@pytest.fixture(scope="module")
def people_database(service_database: ServiceDatabaseFactory) -> str:
    # Its own database: these tests commit, which the people service's tests must not see.
    return service_database("cli_people", service("people").alembic_ini_path())


@pytest.fixture
def talent_env(people_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No dev.json in the state directory, so imports use TALENT_PEOPLE_DATABASE_URL."""
    monkeypatch.setenv("TALENT_PEOPLE_DATABASE_URL", people_database)
    return tmp_path / "state"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("demo")
    assert main(["seed", "--out", str(directory), "--employees", str(EMPLOYEES)]) == 0
    return directory


def employee_count(database_url: str) -> int:
    engine = create_engine(sync_url(database_url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM employee")).scalar_one())
    finally:
        engine.dispose()


def test_seed_out_writes_the_generated_files(files: Path) -> None:
    expected = demo.generate(employees=EMPLOYEES, seed=42)
    assert sorted(p.name for p in files.iterdir()) == sorted(f"{k}.csv" for k in expected.files)
    for kind, content in expected.files.items():
        assert (files / f"{kind}.csv").read_text(encoding="utf-8") == content


def test_a_bad_file_prints_every_row_error_and_writes_nothing(
    talent_env: Path, people_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = employee_count(people_database)
    bad = tmp_path / "employees.csv"
    bad.write_text(
        "employee_id,name,email,hire_date,job_profile_code,org_unit,location,manager_id,status\n"
        "X1,Ann Lee,not-an-email,2020-01-01,,,,,active\n"
        "X2,Bo Chen,bo@example.com,2020-02-30,,,,,active\n"
        "X3,Cy Diaz,cy@example.com,2020-01-01,,,,,retired\n"
    )
    code = main(["import", "employees", str(bad), "--state-dir", str(talent_env)])
    assert code == 1
    err = capsys.readouterr().err
    assert "row 2: email: 'not-an-email' is not an email address" in err
    assert "row 3: hire_date: '2020-02-30' is not a date (YYYY-MM-DD)" in err
    assert "row 4: status: 'retired' is not one of active, terminated" in err
    assert employee_count(people_database) == before


def test_import_dry_run_then_import_then_reimport_changes_nothing(
    talent_env: Path, people_database: str, files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = ["--state-dir", str(talent_env)]
    for kind in ("competencies", "job-profiles", "job-profile-competencies"):
        assert main(["import", kind, str(files / f"{kind}.csv"), *state]) == 0
    employees = str(files / "employees.csv")
    capsys.readouterr()

    assert main(["import", "employees", employees, "--dry-run", *state]) == 0
    assert "(dry run: nothing written)" in capsys.readouterr().out
    assert employee_count(people_database) == 0

    assert main(["import", "employees", employees, *state]) == 0
    out, err = capsys.readouterr()
    assert f"employees: {EMPLOYEES} rows, {EMPLOYEES} created, 0 updated, 0 unchanged" in out
    assert f"read {EMPLOYEES} rows" in err
    assert employee_count(people_database) == EMPLOYEES

    assert main(["import", "employees", employees, *state]) == 0
    out = capsys.readouterr().out
    assert f"0 created, 0 updated, {EMPLOYEES} unchanged, 0 events" in out


def test_token_is_signed_with_the_state_directory_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = StateDir(tmp_path)
    secret = state.jwt_secret(create=True)
    assert state.jwt_secret() == secret  # generated once, then read back
    employee_id = "6f1c4a53-1d41-4a5e-9d49-0f1f7f0f2a11"
    code = main(
        ["token", "--role", "manager", "--employee-id", employee_id, "--state-dir", str(tmp_path)]
    )
    assert code == 0
    token = capsys.readouterr().out.strip()
    claims = jwt.decode(token, secret, algorithms=["HS256"], audience="talent", issuer="talent")
    assert claims["sub"] == employee_id
    assert claims["roles"] == ["employee", "manager"]


def test_token_without_a_secret_fails_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TALENT_JWT_SECRET", raising=False)
    args = ["token", "--role", "admin", "--employee-id", "6f1c4a53-1d41-4a5e-9d49-0f1f7f0f2a11"]
    assert main([*args, "--state-dir", str(tmp_path)]) == 1
    assert "talent dev up" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["import", "payslips", "x.csv"],
        ["token", "--role", "king", "--employee-id", "6f1c4a53-1d41-4a5e-9d49-0f1f7f0f2a11"],
        ["token", "--role", "admin", "--employee-id", "not-a-uuid"],
        ["events", "replay", "--service", "nope"],
        ["dev", "up", "--employees", "0"],
    ],
)
def test_usage_errors_exit_with_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2


def test_a_missing_file_is_a_failure_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.csv"
    assert main(["import", "courses", str(missing), "--state-dir", str(tmp_path)]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_diversity_is_imported_by_succession_though_the_demo_never_seeds_it(
    service_database: ServiceDatabaseFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    succession = service_database("cli_succession", service("succession").alembic_ini_path())
    monkeypatch.setenv("TALENT_SUCCESSION_DATABASE_URL", succession)
    assert "diversity" not in demo.generate(employees=EMPLOYEES, seed=42).files
    attributes = tmp_path / "diversity.csv"
    attributes.write_text("employee_id,attribute,value\nE-404,gender,woman\n")
    state = ["--state-dir", str(tmp_path / "state")]
    assert main(["import", "diversity", str(attributes), *state]) == 1
    assert "row 2: employee_id: unknown employee 'E-404'" in capsys.readouterr().err
    engine = create_engine(sync_url(succession), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM diversity_attribute"))
            assert stored.scalar_one() == 0
    finally:
        engine.dispose()


def test_evaluate_on_the_demo_prints_every_section_with_margins(
    people_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`evaluate --demo` loads a small demo organisation into the named scratch database
    and prints courses, skills and successors next to their baselines."""
    scratch = f"{make_url(people_database).database}_evaluation"
    try:
        argv = ["recommender", "evaluate", "--demo", "300", "--scratch-database", scratch]
        assert main([*argv, "--database-url", people_database]) == 0
    finally:
        drop_database(people_database, scratch)
    out = capsys.readouterr().out
    assert "course recommendations (k=10)" in out
    assert "vs popularity_in_job_profile (difference, 95% bootstrap interval):" in out
    assert re.search(
        r"^    precision@10 +[0-9.]+x \([+-][0-9.]+\) \[[+-][0-9.]+, [+-][0-9.]+\]$", out, re.M
    )
    assert "vs job_profile_mean: MAE" in out
    assert "successors:" in out


def test_evaluate_independent_judges_the_served_recommender_against_known_truth(
    people_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`evaluate --independent` generates the occupational organisation, loads it into the
    scratch database and prints the three tasks with baselines, intervals and targets."""
    from talent_recommender.evaluation.occupational import default_data_dir

    data_dir = default_data_dir()
    if data_dir is None:
        pytest.skip("no reference data beside the repository (../shared/data)")
    scratch = f"{make_url(people_database).database}_independent"
    try:
        argv = ["recommender", "evaluate", "--independent", "400", "--scratch-database", scratch]
        assert main([*argv, "--database-url", people_database, "--seed", "3"]) == 0
    finally:
        drop_database(people_database, scratch)
    out = capsys.readouterr().out
    assert "skills: " in out and "required_level_of_current_job" in out
    mae = {
        m.group(1): float(m.group(2))
        for m in re.finditer(r"^  (recommender|competency_mean) +([0-9.]+) ", out, re.M)
    }
    assert mae["recommender"] < mae["competency_mean"]
    assert re.search(
        r"^  vs popularity_in_job_profile: NDCG@10 [0-9.]+x .*\[[+-][0-9.]+, ", out, re.M
    )
    assert re.search(r"^  vs same_org_unit: recall@10 ", out, re.M)
    assert out.count("target (") == 3


def test_services_add_their_commands_through_the_entry_point_group(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The recommender's commands come from its package (entry point `talent.cli`); a
    contributed command gets the CLI's shared options; without it, the command is unknown."""
    import argparse

    from talent_cli.main import build_parser, service_commands
    from talent_platform.commands import CommandContext

    assert service_commands()["recommender"].__name__ == "talent_recommender.cli"

    class Echo:
        def add_commands(
            self,
            commands: argparse._SubParsersAction[argparse.ArgumentParser],
            common: argparse.ArgumentParser,
        ) -> None:
            commands.add_parser("echo", parents=[common]).add_argument("word")

        def run(self, args: argparse.Namespace, context: CommandContext) -> int:
            print(args.word)
            return 0

    args = build_parser({"echo": Echo()}).parse_args(["echo", "hello", "--state-dir", "x"])
    assert (args.command, args.word, args.state_dir) == ("echo", "hello", Path("x"))
    with pytest.raises(SystemExit):
        build_parser({}).parse_args(["recommender", "refit"])
    assert "invalid choice: 'recommender'" in capsys.readouterr().err
