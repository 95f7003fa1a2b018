"""How soon a change made through one server process reaches a subscriber of another.

    .venv/bin/python -m bench.subscription_latency [--writes 30]

Starts two server processes on a fresh database (on the server STAKEGRAPH_DATABASE_URL
names, or the tests' embedded one), subscribes to `changes` over a websocket on the second,
and makes ``--writes`` mutations one after another through the first. Prints the medians of
the mutation's round trip and of the time from sending it to receiving its change, and their
ratio (1.0: the change arrives as the mutation's answer does). The feed waits for every older
transaction of the cluster, so a cluster with long transactions of other databases measures
those instead.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import asyncpg

from service.auth.keys import create_key
from service.db import migrate
from service.db.urls import asyncpg_dsn
from service.domain import Scope
from service.ingest.article import seed_article
from tests.dbutil import create_database, drop_database, server_admin_url
from tests.subscriptions.client import CHANGES, opened
from tests.subscriptions.conftest import Keys, start, stop, wait_until_ready
from tests.subscriptions.test_websocket import describe, end_of_log


async def measure(writes: int) -> tuple[list[float], list[float]]:
    admin = server_admin_url()
    url = await create_database(admin, prefix="sg_bench_subs")
    servers = []
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        await seed_article(url)
        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            _, read = await create_key(conn, "bench reader", Scope.READ)
            _, write = await create_key(conn, "bench writer", Scope.WRITE)
            keys = Keys(read, write)
            servers = [start(url), start(url)]
            for server in servers:
                await wait_until_ready(server)
            after = await end_of_log(conn)
            round_trips: list[float] = []
            deliveries: list[float] = []
            async with opened(servers[1], keys.read) as socket:
                await socket.subscribe("1", CHANGES, {"after": after, "types": ["Organization"]})
                for n in range(writes):
                    sent = time.perf_counter()
                    await describe(servers[0], keys, conn, "minimax", f"write {n}")
                    answered = time.perf_counter()
                    await socket.next("1")
                    round_trips.append(answered - sent)
                    deliveries.append(time.perf_counter() - sent)
            return round_trips, deliveries
        finally:
            await conn.close()
    finally:
        for server in servers:
            stop(server)
        await drop_database(admin, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writes", type=int, default=30)
    args = parser.parse_args()
    round_trips, deliveries = asyncio.run(measure(args.writes))
    trip, delivery = statistics.median(round_trips), statistics.median(deliveries)
    print(f"mutation round trip, median:          {trip * 1000:8.1f} ms")
    print(f"change received after sending, median: {delivery * 1000:8.1f} ms")
    print(f"ratio: {delivery / trip:.3f}")


if __name__ == "__main__":
    main()
