"""What one session read and write cost in each store the service could use without Redis, in-process.

    .venv/bin/python bench/store_cost.py

Sessions are read on every signed-in request and written at log-in and about once a minute after; the
rate limiter reads and writes a counter on each rate-limited POST. Prints microseconds per operation for
Litestar's MemoryStore (per worker: not shared), FileStore (a file per key) and the service's SQLiteStore
(block_service/web/stores.py, one file under var/).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore

from block_service.web.stores import SQLiteStore

SESSION = b'{"pid":1234,"ver":1,"auth_at":1790000000,"seen_at":1790000000}'
KEYS = 200


async def measure(store, reads: int, writes: int) -> tuple[float, float]:
    for key in range(KEYS):
        await store.set(f"session-{key}", SESSION, expires_in=7200)
    started = time.perf_counter()
    for n in range(reads):
        await store.get(f"session-{n % KEYS}")
    read_us = (time.perf_counter() - started) / reads * 1e6
    started = time.perf_counter()
    for n in range(writes):
        await store.set(f"session-{n % KEYS}", SESSION, expires_in=7200)
    write_us = (time.perf_counter() - started) / writes * 1e6
    return read_us, write_us


async def main(reads: int = 5000, writes: int = 1000) -> None:
    folder = Path(tempfile.mkdtemp(prefix="block-store-cost-"))
    stores = {
        "MemoryStore (per worker)": MemoryStore(),
        "FileStore (var/, shared)": FileStore(folder / "files", create_directories=True),
        "SQLiteStore (var/, shared)": SQLiteStore(folder / "shared-state.db").with_namespace("sessions"),
    }
    print(f"{'store':28s} {'read µs':>9s} {'write µs':>9s}")
    for name, store in stores.items():
        read_us, write_us = await measure(store, reads, writes)
        print(f"{name:28s} {read_us:9.1f} {write_us:9.1f}")


if __name__ == "__main__":
    asyncio.run(main(*(int(arg) for arg in sys.argv[1:3])))
