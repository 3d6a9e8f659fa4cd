"""A webhook receiver for the tests: a real HTTP server on 127.0.0.1 that verifies each
request's Standard Webhooks signature with the spec's reference library
(`standardwebhooks`), and can be stopped and started again on the same port."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from talent_notifier.webhooks.models import Webhook
from talent_notifier.webhooks.signing import new_secret


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    secret: str
    status: int = 200
    """What the receiver answers a verified request with."""
    location: str | None = None
    delay_s: float = 0.0
    """How long the receiver takes before it answers."""
    received: list[Received] = field(default_factory=list)
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/talent"

    @property
    def verified(self) -> list[Received]:
        return [r for r in self.received if r.verified]

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    Verifier(receiver.secret).verify(body, headers)
                    verified = True
                except WebhookVerificationError:
                    verified = False
                receiver.received.append(Received(self.path, headers, body, verified))
                if receiver.delay_s:
                    time.sleep(receiver.delay_s)
                self.send_response(receiver.status if verified else 401)
                if receiver.location is not None:
                    self.send_header("location", receiver.location)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None


def register(
    session: Session,
    url: str,
    *,
    secret: str | None = None,
    org_unit_code: str | None = None,
    categories: Sequence[str] = (),
) -> Webhook:
    """A webhook as `createWebhook` stores it."""
    webhook = Webhook(
        id=uuid.uuid4(),
        url=url,
        secret=secret or new_secret(),
        org_unit_code=org_unit_code,
        categories=sorted(categories),
        created_by="admin",
    )
    session.add(webhook)
    session.flush()
    return webhook
