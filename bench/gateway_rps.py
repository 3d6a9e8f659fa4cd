"""Gateway throughput for the manager's team query.

    python -m bench.gateway_rps [--state-dir .talent] [--seconds 20] [--clients 8]

Needs a running stack (`make run`, or `talent dev up`): reads the gateway URL and the
manager token from <state-dir>/dev.json. Sends the acceptance query, the manager's direct
reports with their completions (people + learning through the gateway), from N
concurrent clients for a bounded time, and prints requests per second and latency
percentiles. The requests are identical, so the gateway's in-flight deduplication
flatters the figure somewhat (FACTS.md); the load generator shares the 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

import httpx

from bench.common import percentile

TEAM = """query($m: ID!) {
  employees(first: 50, filter: {managerId: $m}) {
    totalCount
    nodes {
      id name jobProfile { title }
      completions(first: 5) { totalCount nodes { course { title } completedOn score } }
    }
  }
}"""


async def run(url: str, token: str, *, seconds: float, clients: int, max_requests: int) -> None:
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(headers=headers, timeout=30) as client:
        me = (await client.post(url, json={"query": "{ me { id } }"})).json()["data"]["me"]["id"]
        body = {"query": TEAM, "variables": {"m": me}}
        first = (await client.post(url, json=body)).json()
        assert "errors" not in first, first
        size = first["data"]["employees"]["totalCount"]
        latencies: list[float] = []
        failures = 0
        deadline = time.monotonic() + seconds

        async def worker() -> None:
            nonlocal failures
            while time.monotonic() < deadline and len(latencies) + failures < max_requests:
                started = time.perf_counter()
                response = await client.post(url, json=body)
                if response.status_code != 200 or "errors" in response.json():
                    failures += 1
                    continue
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    print(
        f"gateway {url}: manager's team query ({size} reports, people + learning), "
        f"{clients} clients"
    )
    print(
        f"  {len(latencies) / elapsed:7.1f} req/s over {elapsed:.1f} s, "
        f"{len(latencies)} ok, {failures} failed"
    )
    print(
        f"  latency p50 {percentile(latencies, 50):.1f} ms  "
        f"p95 {percentile(latencies, 95):.1f} ms  p99 {percentile(latencies, 99):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--state-dir", type=Path, default=Path(".talent"))
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=20000)
    args = parser.parse_args()
    info = json.loads((args.state_dir / "dev.json").read_text())
    asyncio.run(
        run(
            info["gateway"],
            info["tokens"]["manager"],
            seconds=args.seconds,
            clients=args.clients,
            max_requests=args.max_requests,
        )
    )


if __name__ == "__main__":
    main()
