"""What `talent dev up` runs: its options and the state shared with the bring-up thread."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field

from honcho.printer import Message, Printer

from talent_cli.dev.supervisor import Supervisor
from talent_cli.identity import IdentityFiles
from talent_cli.services import ServiceSpec
from talent_cli.state import StateDir

SYSTEM_NAME = "talent"
WORKER_PORT_SHIFT = 100


class DevError(RuntimeError):
    pass


@dataclass
class DevOptions:
    state: StateDir
    services: list[ServiceSpec]
    database_url: str | None = None
    db_prefix: str = "talent_"
    employees: int = 2000
    seed: int = 42
    no_seed: bool = False
    gateway_port: int = 4000
    service_port_base: int = 8100
    broker_port: int = 19092
    pg_port: int = 55432
    issuer_port: int = 4010
    # The mail catcher (MailDev) the notifier sends to: SMTP, and its web UI and HTTP API.
    mail_smtp_port: int = 1025
    mail_web_port: int = 1080
    # "oidc": the local OpenID Connect issuer signs tokens (the default); "hs256": tokens
    # signed with the dev secret, the explicit switch for tests and quick experiments.
    auth: str = "oidc"
    ready_timeout: float = 180.0


@dataclass
class RunningService:
    spec: ServiceSpec
    port: int
    database_url: str

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def worker_metrics_port(self) -> int:
        """The worker's /metrics and /healthz: the API's port plus WORKER_PORT_SHIFT."""
        return self.port + WORKER_PORT_SHIFT


@dataclass
class Stack:
    """The running stack, shared by the main thread (the supervisor's loop) and the bring-up
    thread."""

    options: DevOptions
    services: list[RunningService]
    jwt_secret: str
    gateway_secret: str
    printer: Printer
    manager: Supervisor = field(init=False)
    failure: str | None = None
    shutdown: threading.Event = field(default_factory=threading.Event)
    started: float = field(default_factory=time.perf_counter)

    def say(self, text: str) -> None:
        self.printer.write(
            Message(type="line", data=text, time=dt.datetime.now(), name=SYSTEM_NAME, colour=None)
        )

    @property
    def broker(self) -> str:
        return f"127.0.0.1:{self.options.broker_port}"

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.options.gateway_port}"

    @property
    def issuer_url(self) -> str | None:
        """The local OIDC issuer, or None when tokens are HS256 (--auth hs256)."""
        if self.options.auth != "oidc":
            return None
        return f"http://127.0.0.1:{self.options.issuer_port}"

    @property
    def runs_mail_catcher(self) -> bool:
        """The mail catcher runs with the notifier, the only service that sends email."""
        return any(spec.name == "notifier" for spec in self.options.services)

    @property
    def mail_smtp(self) -> str:
        return f"127.0.0.1:{self.options.mail_smtp_port}"

    @property
    def mail_web_url(self) -> str:
        return f"http://127.0.0.1:{self.options.mail_web_port}"

    @property
    def identity(self) -> IdentityFiles:
        return IdentityFiles(self.options.state.path.resolve() / "identity")
