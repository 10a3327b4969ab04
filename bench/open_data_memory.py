"""Worker memory while the open data streams a large file: threads.csv of a block with many threads, downloaded
from a real `block-service serve` process (one worker) whose resident memory is read from /proc throughout.

    .venv/bin/python bench/open_data_memory.py                  # full form: 100,000 threads, sqlite
    .venv/bin/python bench/open_data_memory.py --engine postgres
    .venv/bin/python bench/open_data_memory.py --short --json   # what tests/test_open_data_bench.py runs in CI

It prints the worker's RSS before (after one small download has warmed it), the peak while the file was
streamed (the kernel's VmHWM, reset before the download, so no spike between samples is missed), the rows
and bytes received, and how long it took. The file is read in batches of 1,000 rows (insights/opendata.py),
so the peak should not grow with the number of threads.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

import httpx
import seed_bulk  # beside this file
import servers
from upload_memory import memory_kib, reset_peak

MIB = 1024


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--threads", type=int, default=100_000, help="threads to seed")
    parser.add_argument("--short", action="store_true", help="CI form: 5,000 threads")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON line at the end")
    parser.add_argument("--work-dir", type=Path, default=None, help="where the database and the log go")
    parser.add_argument(
        "--pg-admin-url", default=os.environ.get("BLOCK_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    args = parser.parse_args(argv)
    if args.short:
        args.threads = 5_000
    return args


def download(base_url: str, pid: int) -> dict[str, object]:
    with httpx.Client(base_url=base_url, timeout=600) as client:
        client.get("/data/meetings.csv").raise_for_status()  # warms the worker: imports, first statements
        before = memory_kib(pid)[0]
        reset_peak(pid)
        started = time.perf_counter()
        rows = size = 0
        first = b""
        with client.stream("GET", "/data/threads.csv") as response:
            response.raise_for_status()
            for chunk in response.iter_bytes():
                if not first:
                    first = chunk[:3]
                size += len(chunk)
                rows += chunk.count(b"\r\n")
        seconds = time.perf_counter() - started
        peak = memory_kib(pid)[1]
    return {
        "rows": rows - 1,  # the header
        "bytes": size,
        "bom": first == "\ufeff".encode(),
        "seconds": round(seconds, 2),
        "before_mib": round(before / MIB, 1),
        "peak_mib": round(peak / MIB, 1),
        "growth_mib": round((peak - before) / MIB, 1),
    }


def measure(args: argparse.Namespace, work_dir: Path) -> dict[str, object]:
    env = servers.bench_env(work_dir)
    database = f"open_data_memory_{secrets.token_hex(4)}"
    if args.engine == "postgres":
        servers.pg_admin(args.pg_admin_url, f'CREATE DATABASE "{database}"')
        env["BLOCK_DATABASE_URL"] = f"{args.pg_admin_url.rsplit('/', 1)[0]}/{database}"
    else:
        env["BLOCK_DATABASE_URL"] = f"sqlite:///{work_dir / 'open-data.db'}"
    try:
        servers.run_cli(env, "migrate")
        seed_bulk.seed(env["BLOCK_DATABASE_URL"], 50, 500, args.threads)
        with servers.start_server(
            env, log_path=work_dir / "server.log", workers=1, extra_args=("--log-level", "warning")
        ) as server:
            report = download(server.base_url, server.pid)
    finally:
        if args.engine == "postgres":
            servers.pg_admin(args.pg_admin_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    return {"engine": args.engine, "threads": args.threads, **report}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.work_dir is not None:
        args.work_dir.mkdir(parents=True, exist_ok=True)
        report = measure(args, args.work_dir)
    else:
        with tempfile.TemporaryDirectory(prefix="open-data-memory-") as folder:
            report = measure(args, Path(folder))
    print(
        f"threads.csv: {report['rows']} rows, {report['bytes']} bytes in {report['seconds']} s "
        f"({report['threads']} threads seeded, {report['engine']})"
    )
    print(f"worker RSS: before {report['before_mib']} MiB, peak {report['peak_mib']} MiB (+{report['growth_mib']})")
    if args.json:
        print(json.dumps(report))
    return 0 if report["bom"] and report["rows"] > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
