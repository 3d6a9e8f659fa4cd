"""`talent dev up`: the whole system on one machine.

PostgreSQL (a given server, or a private one under the state directory) with one database
per service migrated to head as a step of its own; then, under a supervisor (honcho's
output, supervisor.py), the Tansu broker, the OIDC issuer, the mail catcher (MailDev,
with the notifier), each service's API and worker, and the gateway.
A process that exits is restarted after a backoff while the rest keeps running; after a
broker restart the services republish what the lost broker held (recovery.py). The
supervisor's loop owns the main thread and Ctrl-C; a background thread (bringup.py) waits
until everything answers, seeds the demo organisation into empty databases, writes
`dev.json` and prints the gateway URL and tokens.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType

from honcho.printer import Printer
from sqlalchemy.engine import make_url

from talent_cli.dev.bringup import bring_up
from talent_cli.dev.model import (
    SYSTEM_NAME,
    WORKER_PORT_SHIFT,
    DevError,
    DevOptions,
    RunningService,
    Stack,
)
from talent_cli.dev.recovery import BrokerLossReplay
from talent_cli.dev.supervisor import Supervisor
from talent_cli.migrations import migrate
from talent_cli.services import service_names
from talent_devtools.broker import broker_command
from talent_devtools.mailcatcher import MailCatcherError, mailcatcher_command, mailcatcher_dir
from talent_devtools.ports import port_is_free
from talent_devtools.postgres import (
    LocalPostgres,
    create_database,
    database_exists,
    database_url,
    normalize_postgres_url,
)


class _Interrupted(Exception):
    """SIGINT or SIGTERM before honcho's loop took over the signals."""


def repo_root() -> Path:
    """The workspace root (it holds gateway/): from this package's location, else the
    current directory or one of its parents."""
    here = Path(__file__).resolve()
    for candidate in [*here.parents, Path.cwd(), *Path.cwd().parents]:
        if (candidate / "gateway" / "subgraphs.json").is_file():
            return candidate
    raise DevError("cannot find the Talent workspace (a directory holding gateway/subgraphs.json)")


def dev_up(options: DevOptions) -> int:
    printer = Printer(sys.stdout)
    # The widest process name, so every line's prefix lines up from the first one.
    names = [SYSTEM_NAME, "gateway", "issuer", "mail"]
    names += [f"{s.name}-worker" for s in options.services]
    printer.width = max(len(name) for name in names)
    state = options.state
    state.create()
    state.remove_dev_info()
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    stack = Stack(
        options=options,
        services=[],
        jwt_secret=state.jwt_secret(create=True),
        gateway_secret=state.gateway_secret(),
        printer=printer,
    )
    postgres: LocalPostgres | None = None
    stop_postgres = False
    try:
        gateway_dir, supergraph = _prepare_gateway(stack)
        identity_dir = _prepare_identity(stack)
        mail_command = _prepare_mail_catcher(stack)
        _check_ports(options)
        admin_url = options.database_url or os.environ.get("TALENT_DATABASE_URL")
        if admin_url:
            admin_url = normalize_postgres_url(admin_url)
            stack.say(f"PostgreSQL: {_redact(admin_url)}")
        else:
            postgres = LocalPostgres(
                options.state.postgres_dir, port=options.pg_port, project_dir=state.path
            )
            was_running = postgres.is_running()
            started = time.perf_counter()
            postgres.start()
            stop_postgres = not was_running
            admin_url = postgres.url
            stack.say(
                f"PostgreSQL: embedded, data in {postgres.data_dir}, port {postgres.port} "
                f"({'already running' if was_running else 'started'} in "
                f"{time.perf_counter() - started:.1f} s)"
            )
        stack.services = _prepare_databases(stack, admin_url)
        stack.manager = Supervisor(printer, BrokerLossReplay(stack).hooks())
        _add_processes(stack, gateway_dir, supergraph, identity_dir, mail_command)
        threading.Thread(target=bring_up, args=(stack,), name="talent-ready", daemon=True).start()
        stack.manager.loop()
        stack.shutdown.set()
        return _exit_code(stack)
    except _Interrupted:
        stack.say("interrupted before the stack started")
        return 1
    finally:
        stack.shutdown.set()
        state.remove_dev_info()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if postgres is not None and stop_postgres:
            stack.say("stopping the embedded PostgreSQL")
            postgres.stop()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise _Interrupted(signal.Signals(signum).name)


def _exit_code(stack: Stack) -> int:
    code = stack.manager.returncode
    if stack.failure is not None:
        stack.say(f"stopped because: {stack.failure}")
        return 1
    if code in (130, 143):  # honcho's codes for SIGINT and SIGTERM: a requested stop
        stack.say("stopped")
        return 0
    stack.say(f"the supervisor stopped (exit code {code})")
    return 1


# -- before the processes ----------------------------------------------------------------
def _prepare_gateway(stack: Stack) -> tuple[Path, Path]:
    gateway_dir = repo_root() / "gateway"
    if shutil.which("node") is None:
        raise DevError("node (20 or newer) is not on PATH; the gateway needs it")
    if not (gateway_dir / "node_modules" / ".bin" / "hive-gateway").exists():
        raise DevError(f"the gateway is not installed: run `npm ci` in {gateway_dir}")
    selected = [s.name for s in stack.options.services]
    if selected == service_names():
        supergraph = gateway_dir / "supergraph.graphql"
        if not supergraph.is_file():
            raise DevError(
                f"{supergraph} is missing: run `node {gateway_dir / 'compose.mjs'}` "
                "after exporting every service's schema.graphql"
            )
        return gateway_dir, supergraph
    return gateway_dir, _compose_subset(stack, gateway_dir)


def _prepare_identity(stack: Stack) -> Path | None:
    """The local OIDC issuer's directory, with its keys and account files in the state
    directory (created on the first run, kept afterwards so tokens survive restarts)."""
    if stack.issuer_url is None:
        stack.say("authentication: HS256 tokens signed with the dev secret (--auth hs256)")
        return None
    identity_dir = repo_root() / "identity"
    if not (identity_dir / "node_modules" / "oidc-provider").is_dir():
        raise DevError(f"the OIDC issuer is not installed: run `npm ci` in {identity_dir}")
    stack.identity.ensure()
    stack.say(f"authentication: OpenID Connect, issuer {stack.issuer_url}")
    return identity_dir


def _prepare_mail_catcher(stack: Stack) -> list[str] | None:
    """MailDev's command line (messages kept under the state directory), or None when the
    notifier is not among the services."""
    if not stack.runs_mail_catcher:
        return None
    try:
        command = mailcatcher_command(
            smtp_port=stack.options.mail_smtp_port,
            web_port=stack.options.mail_web_port,
            mail_dir=stack.options.state.path.resolve() / "mail",
        )
    except MailCatcherError as exc:
        raise DevError(str(exc)) from exc
    stack.say(f"mail catcher: SMTP {stack.mail_smtp}, web UI and API {stack.mail_web_url}")
    return command


def _compose_subset(stack: Stack, gateway_dir: Path) -> Path:
    """A supergraph of only the selected services, composed into the state directory."""
    out = stack.options.state.path.resolve() / "gateway"
    out.mkdir(parents=True, exist_ok=True)
    listed = json.loads((gateway_dir / "subgraphs.json").read_text())
    subset = {
        spec.name: {
            "schema": str((gateway_dir / listed[spec.name]["schema"]).resolve()),
            "url": f"http://127.0.0.1:{stack.options.service_port_base + spec.port_offset}/graphql",
        }
        for spec in stack.options.services
    }
    (out / "subgraphs.json").write_text(json.dumps(subset, indent=2) + "\n")
    result = subprocess.run(
        [
            "node",
            str(gateway_dir / "compose.mjs"),
            "--subgraphs",
            str(out / "subgraphs.json"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise DevError(f"composing the supergraph of {', '.join(subset)} failed:\n{result.stderr}")
    stack.say(f"gateway: supergraph of {', '.join(subset)} composed into {out}")
    return out / "supergraph.graphql"


def _check_ports(options: DevOptions) -> None:
    wanted = {options.broker_port: "broker", options.gateway_port: "gateway"}
    expected = 2 + 2 * len(options.services)
    if options.auth == "oidc":
        wanted[options.issuer_port] = "OIDC issuer"
        expected += 1
    if any(spec.name == "notifier" for spec in options.services):
        wanted[options.mail_smtp_port] = "mail catcher SMTP"
        wanted[options.mail_web_port] = "mail catcher web"
        expected += 2
    for spec in options.services:
        wanted[options.service_port_base + spec.port_offset] = f"{spec.name} API"
        wanted[options.service_port_base + spec.port_offset + WORKER_PORT_SHIFT] = (
            f"{spec.name} worker metrics"
        )
    if len(wanted) < expected:
        raise DevError("the broker, gateway, issuer, mail and service ports must all differ")
    busy = [f"{port} ({what})" for port, what in sorted(wanted.items()) if not port_is_free(port)]
    if busy:
        raise DevError(
            f"port(s) already in use on 127.0.0.1: {', '.join(busy)}; is another "
            "`talent dev up` running? Choose other ports with --gateway-port, "
            "--service-port-base, --broker-port, --issuer-port, --mail-smtp-port or "
            "--mail-web-port"
        )


def _prepare_databases(stack: Stack, admin_url: str) -> list[RunningService]:
    """One database per service (created when missing), migrated to head."""
    services = []
    for spec in stack.options.services:
        name = f"{stack.options.db_prefix}{spec.name}"
        if database_exists(admin_url, name):
            url = database_url(admin_url, name)
        else:
            url = create_database(admin_url, name)
            stack.say(f"{spec.name}: created database {name}")
        started = time.perf_counter()
        migrate(spec, url)
        stack.say(
            f"{spec.name}: database {name} migrated to head ({time.perf_counter() - started:.1f} s)"
        )
        port = stack.options.service_port_base + spec.port_offset
        services.append(RunningService(spec=spec, port=port, database_url=url))
    return services


# -- the processes -----------------------------------------------------------------------
def _add_processes(
    stack: Stack,
    gateway_dir: Path,
    supergraph: Path,
    identity_dir: Path | None,
    mail_command: list[str] | None,
) -> None:
    base_env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    stack.manager.add_process(
        "broker", _command(broker_command(stack.options.broker_port)), env=base_env
    )
    if identity_dir is not None and stack.issuer_url is not None:
        issuer_env = {
            **base_env,
            "TALENT_OIDC_ISSUER": stack.issuer_url,
            "TALENT_OIDC_KEYS": str(stack.identity.keys_path),
            "TALENT_OIDC_ACCOUNTS": str(stack.identity.accounts_path),
        }
        stack.manager.add_process(
            "issuer", _command(["node", "issuer.mjs"]), env=issuer_env, cwd=str(identity_dir)
        )
    if mail_command is not None:
        stack.manager.add_process(
            "mail", _command(mail_command), env=base_env, cwd=str(mailcatcher_dir())
        )
    python = sys.executable
    for service in stack.services:
        env = {**base_env, **_service_env(stack, service)}
        api = [
            python,
            "-m",
            "uvicorn",
            service.spec.app,
            "--host",
            "127.0.0.1",
            "--port",
            str(service.port),
            "--no-access-log",
            # Longer than the gateway keeps an idle connection: otherwise uvicorn (5 s by
            # default) may close one just as the gateway reuses it, a failed subrequest.
            "--timeout-keep-alive",
            "75",
        ]
        stack.manager.add_process(f"{service.spec.name}-api", _command(api), env=env)
        worker = [python, "-m", service.spec.worker_module]
        stack.manager.add_process(f"{service.spec.name}-worker", _command(worker), env=env)
    gateway_env = {**base_env, "TALENT_GATEWAY_SECRET": stack.gateway_secret}
    if stack.issuer_url is not None:
        gateway_env["TALENT_OIDC_ISSUER"] = stack.issuer_url
    else:
        gateway_env["TALENT_JWT_SECRET"] = stack.jwt_secret
    for service in stack.services:
        gateway_env[f"TALENT_SUBGRAPH_{service.spec.name.upper()}_URL"] = (
            f"{service.base_url}/graphql"
        )
    gateway = [
        "node",
        "node_modules/.bin/hive-gateway",
        "supergraph",
        str(supergraph),
        "--host",
        "127.0.0.1",
        "--port",
        str(stack.options.gateway_port),
    ]
    stack.manager.add_process("gateway", _command(gateway), env=gateway_env, cwd=str(gateway_dir))


def _command(argv: list[str]) -> str:
    """A shell command line for honcho (which runs `sh -c`); `exec` makes the process
    replace the shell, so honcho's SIGTERM reaches it and honcho waits for its exit."""
    return "exec " + shlex.join(argv)


def _service_env(stack: Stack, service: RunningService) -> dict[str, str]:
    prefix = service.spec.env_prefix
    authentication = (
        {f"{prefix}OIDC_ISSUER": stack.issuer_url}
        if stack.issuer_url is not None
        else {f"{prefix}JWT_SECRET": stack.jwt_secret}
    )
    mail = (
        {
            f"{prefix}SMTP_HOST": "127.0.0.1",
            f"{prefix}SMTP_PORT": str(stack.options.mail_smtp_port),
        }
        if service.spec.name == "notifier"
        else {}
    )
    return {
        **authentication,
        **mail,
        f"{prefix}DATABASE_URL": service.database_url,
        f"{prefix}KAFKA_BOOTSTRAP_SERVERS": stack.broker,
        f"{prefix}GATEWAY_SECRET": stack.gateway_secret,
        # Subgraphs accept only requests that carry the gateway's secret header.
        f"{prefix}REQUIRE_GATEWAY_SECRET": "true",
        f"{prefix}ENVIRONMENT": "dev",
        f"{prefix}WORKER_METRICS_PORT": str(service.worker_metrics_port),
    }


def _redact(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
