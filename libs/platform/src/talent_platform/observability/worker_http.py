"""The worker's HTTP endpoint: `/metrics` (Prometheus) and `/healthz` (200 while the
relay, the consumer loop and the periodic jobs' threads are alive, else 503). A daemon
thread; off unless `worker_metrics_port` is set (0 picks a free port, for tests)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

log = logging.getLogger(__name__)


class WorkerEndpoint:
    def __init__(
        self,
        registry: CollectorRegistry,
        *,
        healthy: Callable[[], dict[str, bool]],
        host: str,
        port: int,
    ) -> None:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path == "/metrics":
                    body = generate_latest(endpoint.registry)
                    self._answer(200, CONTENT_TYPE_LATEST, body)
                elif path == "/healthz":
                    parts = endpoint.healthy()
                    ok = all(parts.values())
                    body = json.dumps({"status": "ok" if ok else "failing", **parts}).encode()
                    self._answer(200 if ok else 503, "application/json", body)
                else:
                    self._answer(404, "text/plain", b"not found\n")

            def _answer(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return None  # scrapes every few seconds would flood the JSON log

        self.registry = registry
        self.healthy = healthy
        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(
            target=self.server.serve_forever, name="worker-metrics", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def start(self) -> None:
        self._thread.start()
        log.info("worker metrics listening", extra={"port": self.port})

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
