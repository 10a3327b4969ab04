"""Throughput of the real server: seed a block, start `block-service serve`, drive each page with wrk.

    .venv/bin/python bench/run.py --engine sqlite
    .venv/bin/python bench/run.py --engine postgres --workers 2 --duration 10

Every page runs in the same server process(es), one after another, each for --duration seconds with
--connections connections (wrk -t1). The table gives requests/s, p50 and p99 latency and the ratio of
each page's requests/s to /healthz's; then the resident memory of each worker. The same goes to
bench/results/<timestamp>-<engine>.json. Needs wrk (apt-get install -y wrk).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import seed_bulk  # beside this file, which Python puts first on sys.path when it runs bench/run.py
import servers
import writers
from servers import ServerError, children_of, log_tail, run_cli

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
DEFAULT_PAGES = ["/healthz", "/threads", "/threads/1", "/threads?q=油烟", "/api/threads", "/", "/shops",
                 "/shops/1"]
PG_DATABASE = "bench_block"
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


class BenchError(ServerError):
    pass


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--shops", type=int, default=500, help="shops to seed")
    parser.add_argument("--people", type=int, default=5000, help="people to seed (all residents)")
    parser.add_argument("--threads", type=int, default=10000, help="threads to seed (thread 1 has 20 answers)")
    parser.add_argument("--writers", type=int, default=16,
                        help="after the pages, this many people post answers at once (0: skip)")
    parser.add_argument("--writers-duration", type=int, default=10, help="seconds of posting answers")
    parser.add_argument("--workers", type=int, default=2, help="block-service serve --workers")
    parser.add_argument("--connections", type=int, default=32, help="wrk -c")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured seconds per page first")
    parser.add_argument("--pages", nargs="+", default=DEFAULT_PAGES, metavar="PATH", help="paths to drive")
    parser.add_argument("--port", type=int, default=0, help="server port (0: a free one)")
    parser.add_argument("--log-level", default=None,
                        help="serve --log-level; unset: the CLI's own (info, logs each request)")
    parser.add_argument("--pg-admin-url", help="where CREATE/DROP DATABASE bench_block is run",
                        default=os.environ.get("BLOCK_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--keep", action="store_true", help="keep the work folder (SQLite file, server log)")
    parser.add_argument("--no-shared-pages", action="store_true",
                        help="BLOCK_SHARED_PAGES=false: render every anonymous page (what a signed-in visitor costs)")
    args = parser.parse_args(argv)
    for name in ("shops", "people", "workers", "connections", "duration"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if not all(page.startswith("/") for page in args.pages):
        parser.error("every --pages entry is a path starting with /")
    return args


def pg_admin(admin_url: str, *statements: str) -> None:
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(admin_url, timeout=10)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


def get(url: str, timeout: float = 10) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def process_memory(pid: int) -> dict[str, object]:
    status = Path(f"/proc/{pid}/status").read_text()
    rss_kb = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    return {"pid": pid, "rss_mib": round(rss_kb / 1024, 1), "cmdline": cmdline[:120]}


def server_memory(server_pid: int) -> dict[str, object]:
    """RSS of the uvicorn supervisor and of each worker (the supervisor itself serves when workers=1)."""
    main = process_memory(server_pid)
    workers = []
    for child in children_of(server_pid):
        try:
            info = process_memory(child)
        except (OSError, AttributeError):
            continue
        if "resource_tracker" not in str(info["cmdline"]):
            workers.append(info)
    return {"supervisor": main, "workers": workers or [main]}


def parse_latency_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise BenchError(f"cannot read the latency {text!r}")
    return float(match.group(1)) * UNIT_MS[match.group(2)]


def parse_wrk(output: str) -> dict[str, object]:
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    total = re.search(r"^\s+(\d+) requests in", output, re.M)
    if not (rps and p50 and p99 and total):
        raise BenchError(f"unexpected wrk output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "requests_per_s": float(rps.group(1)),
        "p50_ms": round(parse_latency_ms(p50.group(1)), 2),
        "p99_ms": round(parse_latency_ms(p99.group(1)), 2),
        "requests": int(total.group(1)),
        "non_2xx_3xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
    }


def run_wrk(url: str, connections: int, seconds: int) -> str:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60,
                            stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise BenchError(f"{' '.join(command)} failed ({result.returncode}):\n"
                         f"{result.stdout}\n{result.stderr}")
    return result.stdout


def format_table(rows: list[dict[str, object]]) -> str:
    header = f"{'page':<20} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'vs /healthz':>11} {'errors':>7}"
    lines = [header, "-" * len(header)]
    for row in rows:
        ratio = f"{row['ratio_to_healthz']:.1%}" if row["ratio_to_healthz"] is not None else "-"
        errors = int(row["non_2xx_3xx"]) + int(row["socket_errors"])
        lines.append(f"{row['page']:<20} {row['requests_per_s']:>11,.0f} {row['p50_ms']:>8.1f} "
                     f"{row['p99_ms']:>8.1f} {ratio:>11} {errors:>7}")
    return "\n".join(lines)


def git_commit() -> str | None:
    try:
        result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT,
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() or None


def bench(args: argparse.Namespace, work_dir: Path) -> dict[str, object]:
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed: apt-get install -y wrk")
    env = {key: value for key, value in os.environ.items() if not key.startswith("BLOCK_")}
    env.update({
        "BLOCK_DEBUG": "false",
        "BLOCK_SECRET_KEY": secrets.token_urlsafe(48),
        "BLOCK_VAR_DIR": str(work_dir / "var"),
        "BLOCK_LOGIN_RATE_PER_MINUTE": "1000000",
        "BLOCK_SHARED_PAGES": "false" if args.no_shared_pages else "true",
    })
    if args.engine == "postgres":
        pg_admin(args.pg_admin_url, f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)',
                 f'CREATE DATABASE "{PG_DATABASE}"')
        env["BLOCK_DATABASE_URL"] = f"{args.pg_admin_url.rsplit('/', 1)[0]}/{PG_DATABASE}"
    else:
        env["BLOCK_DATABASE_URL"] = f"sqlite:///{work_dir / 'bench.db'}"

    print(f"migrating a fresh {args.engine} database …", flush=True)
    run_cli(env, "migrate")
    started = time.perf_counter()
    counts = seed_bulk.seed(env["BLOCK_DATABASE_URL"], args.shops, args.people, args.threads)
    seed_seconds = round(time.perf_counter() - started, 2)
    print(f"seeded {counts} in {seed_seconds} s", flush=True)

    load_before = os.getloadavg()[0]
    log_path = work_dir / "server.log"
    extra_args = ("--log-level", args.log_level) if args.log_level else ()
    rows: list[dict[str, object]] = []
    server = servers.start_server(env, log_path=log_path, workers=args.workers, port=args.port, extra_args=extra_args)
    base_url = server.base_url
    command = server.process.args
    try:
        print(f"server up: {' '.join(command[1:])} (pid {server.pid})", flush=True)
        for page in args.pages:
            url = base_url + urllib.parse.quote(page, safe="/?=&%:+,")
            status = get(url)
            if status != 200:
                raise BenchError(f"{page} answered {status}, not 200: fix the page list or the seed\n"
                                 f"{log_tail(log_path)}")
            if args.warmup:
                run_wrk(url, args.connections, args.warmup)
            print(f"  {page}: {args.duration} s with {args.connections} connections …", flush=True)
            rows.append({"page": page, **parse_wrk(run_wrk(url, args.connections, args.duration))})
        writing = None
        if args.writers:
            print(f"  {args.writers} people posting answers for {args.writers_duration} s …", flush=True)
            writing = writers.run_writers(base_url, args.writers, args.writers_duration)
        memory = server_memory(server.pid)
    finally:
        server.stop()

    healthz = next((row["requests_per_s"] for row in rows if row["page"] == "/healthz"), None)
    for row in rows:
        row["ratio_to_healthz"] = round(row["requests_per_s"] / healthz, 4) if healthz else None
    return {
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "engine": args.engine, "shops": args.shops, "people": args.people, "threads": args.threads,
        "workers": args.workers, "shared_pages": not args.no_shared_pages,
        "connections": args.connections, "duration_s": args.duration, "warmup_s": args.warmup,
        "server_command": " ".join(["block-service", *command[1:]]), "wrk": f"wrk -t1 -c{args.connections} "
        f"-d{args.duration}s --latency", "seeded_rows": counts, "seed_seconds": seed_seconds,
        "cpus": os.cpu_count(), "load_average_1min": {"before": round(load_before, 2),
                                                       "after": round(os.getloadavg()[0], 2)},
        "python": platform.python_version(), "commit": git_commit(),
        "results": rows, "writers": writing, "memory": memory,
    }


def print_report(report: dict[str, object]) -> None:
    print()
    print(f"engine {report['engine']}, {report['shops']} shops, {report['people']} people, "
          f"{report['workers']} workers, shared pages {'on' if report.get('shared_pages', True) else 'off'}, "
          f"{report['wrk']} per page, {report['cpus']} CPUs "
          f"(1-min load average {report['load_average_1min']['before']} before, "
          f"{report['load_average_1min']['after']} after)")
    print(format_table(report["results"]))
    writing = report.get("writers")
    if writing:
        print(f"\nposting answers: {writing['writers']} writers for {writing['seconds']} s: {writing['answers']} answers "
              f"({writing['answers_per_s']}/s), p50 {writing['p50_ms']} ms, p99 {writing['p99_ms']} ms, "
              f"max {writing['max_ms']} ms, failures {writing['failures']}")
    memory = report["memory"]
    print()
    print(f"resident memory after the run: supervisor pid {memory['supervisor']['pid']} "
          f"{memory['supervisor']['rss_mib']} MiB")
    for worker in memory["workers"]:
        print(f"  worker pid {worker['pid']}: {worker['rss_mib']} MiB")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def interrupted(signum, frame):  # SIGTERM ends the run like Ctrl-C: the finally blocks stop the server
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with SIGINT ignored
    work_dir = Path(tempfile.mkdtemp(prefix="block-bench-"))
    try:
        report = bench(args, work_dir)
    except KeyboardInterrupt:
        print("\ninterrupted: server stopped", file=sys.stderr)
        return 130
    except ServerError as error:  # BenchError too
        print(f"bench: {error}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"work folder kept: {work_dir}", file=sys.stderr)
        else:
            shutil.rmtree(work_dir, ignore_errors=True)
    print_report(report)
    results_dir = BENCH_DIR / "results"
    results_dir.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = results_dir / f"{stamp}-{args.engine}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(f"\nwritten to {path.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
