"""Where a page's time goes, in-process: the app called through ASGI directly, no HTTP client or server.

Seed a database first (bench/seed_bulk.py, after `block-service migrate`), then:

    BLOCK_DATABASE_URL=sqlite:///var/bench.db BLOCK_SECRET_KEY=... \\
        .venv/bin/python bench/inprocess.py /healthz /threads /threads/1
    ... bench/inprocess.py --cprofile /threads            # the 35 costliest functions
    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out \\
        .venv/bin/python bench/inprocess.py --callgrind /healthz /threads
    ... bench/inprocess.py --read-callgrind /tmp/cg.out   # instructions per request (one dump per page):
                                                           # steady even on a busy machine

Without an option it prints the best and the median CPU time per request over batches.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import gc
import os
import pstats
import re
import statistics
import subprocess
import time
from pathlib import Path


def _scope(path: str, cookie: str = "") -> dict:
    bare, _, query = path.partition("?")
    headers = [(b"host", b"127.0.0.1:8000"), (b"accept-language", b"zh-CN")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": bare,
        "raw_path": bare.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 5555),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def _request(app, path: str, cookie: str = "") -> int:
    status: list[int] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(_scope(path, cookie), receive, send)
    return status[0]


async def _sign_in(app, number: int) -> str:
    """Log seeded person `number` in through the real form; their Cookie header."""
    import httpx
    from writers import log_in  # beside this file, first on sys.path when Python runs it

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://127.0.0.1:8000") as client:
        cookies = await log_in(client, number)
    if cookies is None:
        raise SystemExit(f"person {number} could not log in")
    return cookies.header()["cookie"]


def _callgrind(*arguments: str) -> None:
    """Tell the valgrind this process runs under to zero (-z) or dump (-d label) its counters."""
    subprocess.run(["callgrind_control", *arguments, str(os.getpid())], check=True, capture_output=True)


async def main(args: argparse.Namespace) -> None:
    from block_service.app import create_app

    app = create_app()
    async with app.lifespan():
        cookie = await _sign_in(app, args.signed_in) if args.signed_in else ""
        request = functools.partial(_request, cookie=cookie)
        for path in args.paths:
            for _ in range(args.warmup):
                status = await request(app, path)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
        for path in args.paths:
            if args.callgrind:
                _callgrind("-z")
                for _ in range(args.requests):
                    await request(app, path)
                _callgrind("-d", path.replace("/", "_"))
                continue
            if args.cprofile:
                profile = cProfile.Profile()
                profile.enable()
                for _ in range(args.requests):
                    await request(app, path)
                profile.disable()
                print(f"== {path}: {args.requests} requests")
                pstats.Stats(profile).sort_stats("tottime").print_stats(35)
                continue
            times = []
            for _ in range(args.batches):
                started = time.process_time()
                for _ in range(args.requests):
                    await request(app, path)
                times.append((time.process_time() - started) / args.requests * 1000)
                gc.collect()
            print(f"{path:<24} best {min(times):6.2f} ms   median {statistics.median(times):6.2f} ms CPU per request")


def callgrind_totals(out_file: Path, requests: int) -> None:
    """Read the dumps valgrind wrote beside --callgrind-out-file (one per page) and print per-request counts."""
    for dump in sorted(out_file.parent.glob(out_file.name + ".*")):
        text = dump.read_text(errors="replace")
        trigger = re.search(r"^desc: Trigger: Client Request: (.*)$|^desc: Trigger: (.*)$", text, re.M)
        total = re.search(r"^(?:totals|summary): (\d+)", text, re.M)
        if trigger and total:
            label = (trigger.group(1) or trigger.group(2)).removeprefix("dump ").replace("_", "/")
            print(f"{label:<40} {int(total.group(1)) / requests / 1e6:8.2f} M instructions per request")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__
    )
    parser.add_argument("paths", nargs="*", help="GET paths, e.g. /threads")
    parser.add_argument("--requests", type=int, default=40, help="requests per batch (or per profile)")
    parser.add_argument("--batches", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--signed-in", type=int, metavar="PERSON", help="as this seeded person, logged in first")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--cprofile", action="store_true", help="print cProfile's costliest functions per page")
    mode.add_argument(
        "--callgrind",
        action="store_true",
        help="under valgrind --tool=callgrind: dump one profile per page, for callgrind_annotate",
    )
    mode.add_argument(
        "--read-callgrind",
        metavar="OUT_FILE",
        type=Path,
        help="print instructions per request from the dumps of an earlier --callgrind run",
    )
    parsed = parser.parse_args()
    if not parsed.paths and not parsed.read_callgrind:
        parser.error("name at least one path")
    if parsed.read_callgrind:
        callgrind_totals(parsed.read_callgrind, parsed.requests)
    else:
        asyncio.run(main(parsed))
