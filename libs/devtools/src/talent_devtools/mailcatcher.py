"""MailDev (MIT, from npm, installed into mailcatcher/ by `make install`): an SMTP server
that keeps what it receives, with a web UI and an HTTP API to read it. `talent dev up`
runs it for the notifier; tests that need a real SMTP server start one here.

Both of its listeners are bound to 127.0.0.1 (its defaults are every interface).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from talent_devtools.ports import free_port, port_is_free
from talent_devtools.process import ChildServer


class MailCatcherError(RuntimeError):
    pass


def mailcatcher_dir() -> Path:
    """The directory holding MailDev's package.json and node_modules: TALENT_MAILCATCHER_DIR,
    else `mailcatcher/` of the workspace this package is installed from (or the current
    directory's)."""
    configured = os.environ.get("TALENT_MAILCATCHER_DIR")
    if configured:
        return Path(configured)
    here = Path(__file__).resolve()
    for candidate in [*here.parents, Path.cwd(), *Path.cwd().parents]:
        if (candidate / "mailcatcher" / "package.json").is_file():
            return candidate / "mailcatcher"
    raise MailCatcherError("cannot find mailcatcher/ (MailDev's package.json)")


def maildev_bin() -> Path:
    binary = mailcatcher_dir() / "node_modules" / ".bin" / "maildev"
    if not binary.exists():
        raise MailCatcherError(
            f"the mail catcher is not installed: run `make install` (npm ci in {binary.parents[2]})"
        )
    return binary


def mailcatcher_command(*, smtp_port: int, web_port: int, mail_dir: Path) -> list[str]:
    """Command line of MailDev on 127.0.0.1: SMTP on `smtp_port`, web UI and API on
    `web_port`, messages kept as files in `mail_dir`."""
    if shutil.which("node") is None:
        raise MailCatcherError("node (20 or newer) is not on PATH; the mail catcher needs it")
    return [
        str(maildev_bin()),
        "--smtp",
        str(smtp_port),
        "--ip",
        "127.0.0.1",
        "--web",
        str(web_port),
        "--web-ip",
        "127.0.0.1",
        "--mail-directory",
        str(mail_dir),
    ]


@dataclass(frozen=True)
class CaughtMail:
    """One message as MailDev's API describes it."""

    id: str
    subject: str
    to: list[str]
    text: str
    html: str

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> CaughtMail:
        return cls(
            id=str(item["id"]),
            subject=str(item.get("subject", "")),
            to=[str(a["address"]) for a in item.get("to", [])],
            text=str(item.get("text") or ""),
            html=str(item.get("html") or ""),
        )


class MailCatcher(ChildServer):
    """A MailDev child process on 127.0.0.1; output goes to `log_path` if given."""

    def __init__(
        self,
        *,
        mail_dir: Path,
        smtp_port: int | None = None,
        web_port: int | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.mail_dir = mail_dir
        self.smtp_port = smtp_port if smtp_port is not None else free_port()
        self.web_port = web_port if web_port is not None else free_port()
        self.log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, *, timeout: float = 30.0) -> None:
        if self.is_running():
            return
        for port in (self.smtp_port, self.web_port):
            if not port_is_free(port):
                raise MailCatcherError(f"port {port} on 127.0.0.1 is already in use")
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        output: IO[bytes] | int = subprocess.DEVNULL
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log_file = output = self.log_path.open("ab")
        self._process = subprocess.Popen(
            mailcatcher_command(
                smtp_port=self.smtp_port, web_port=self.web_port, mail_dir=self.mail_dir
            ),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
        )
        deadline = time.monotonic() + timeout
        while not self.answers():
            exit_code = self._process.poll()
            if exit_code is not None or time.monotonic() > deadline:
                self.stop()
                reason = "timed out" if exit_code is None else f"exited with code {exit_code}"
                raise MailCatcherError(f"MailDev {reason}{self._log_tail()}")
            time.sleep(0.05)

    def answers(self) -> bool:
        """Both the SMTP port and the HTTP API answer."""
        try:
            with socket.create_connection(("127.0.0.1", self.smtp_port), timeout=1):
                pass
            with urllib.request.urlopen(f"{self.web_url}/api/healthz", timeout=1) as response:
                return bool(response.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    def stop(self, *, timeout: float = 5.0) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def messages(self, *, to: str | None = None) -> list[CaughtMail]:
        """Every message received (only those to the address `to` when given), oldest
        first."""
        query = urllib.parse.urlencode({"sort": "asc", **({"to.address": to} if to else {})})
        with urllib.request.urlopen(f"{self.web_url}/api/email?{query}", timeout=5) as response:
            items = json.loads(response.read())
        return [CaughtMail.from_api(item) for item in items]

    def source(self, message_id: str) -> str:
        """The raw message (headers and MIME parts) as it arrived."""
        url = f"{self.web_url}/api/email/{message_id}/source"
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8", errors="replace"))

    def clear(self) -> None:
        request = urllib.request.Request(f"{self.web_url}/api/email/all", method="DELETE")
        with urllib.request.urlopen(request, timeout=5):
            pass
