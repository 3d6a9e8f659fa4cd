"""`python -m bench`: the benchmarks that need no running stack, with default sizes."""

import asyncio

from bench import import_employees, notifier_digests, outbox_latency, performance_cycle

asyncio.run(import_employees.main(100_000))
outbox_latency.main(500)
asyncio.run(performance_cycle.main(100_000))
notifier_digests.main(10_000)
print("gateway throughput needs a running stack: `make run`, then `python -m bench.gateway_rps`")
