"""Worker memory under hostile and large uploads: the upload corpus, then a burst of large photos, against a
real `block-service serve` process whose resident memory (VmRSS, VmHWM) is read from /proc throughout.

    .venv/bin/python bench/upload_memory.py                 # full form: 8 people × 3 reports × 3 large photos
    .venv/bin/python bench/upload_memory.py --short --json  # what tests/test_upload_corpus.py runs in CI

It prints the memory before (after one small upload has warmed the worker), the peak while the corpus and
the burst were sent (the kernel's VmHWM, reset before each phase, so no spike between samples is missed),
and after (once the burst has been answered, the lowest of a few samples); and every upload whose answer
was not the expected one (a corpus refusal, or 303 for an allowed photo).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import run  # beside this file: run_cli, BenchError
import seed_bulk
import servers
import upload_files
from writers import Cookies, log_in

SAMPLE_EVERY_SECONDS = 0.02
SETTLE_SECONDS = 2.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--people", type=int, default=8, help="people uploading at once in the burst")
    parser.add_argument("--rounds", type=int, default=3, help="reports each person sends in the burst")
    parser.add_argument("--short", action="store_true", help="CI form: 2 people, 1 round")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON line at the end")
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="where the database and the server log go (default: a temporary folder)",
    )
    parser.add_argument(
        "--pg-admin-url", default=os.environ.get("BLOCK_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    args = parser.parse_args(argv)
    if args.short:
        args.people, args.rounds = 2, 1
    return args


def reset_peak(pid: int) -> None:
    """Start VmHWM afresh (Linux: clear_refs 5), so each phase's peak is its own, not a sampled guess."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def memory_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process, in KiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))
    hwm = int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1))
    return rss, hwm


class Sampler(threading.Thread):
    """Reads a process's VmRSS every 20 ms and keeps the highest seen."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kib, self.stopped = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(SAMPLE_EVERY_SECONDS):
            try:
                self.peak_kib = max(self.peak_kib, memory_kib(self.pid)[0])
            except (OSError, AttributeError):
                return


async def _report_category(client: httpx.AsyncClient, cookies: Cookies) -> str:
    """The first category the report form offers."""
    form = await client.get("/threads/new?layout=one-page", headers=cookies.header())
    match = re.search(r'<option value="(\d+)"', form.text[form.text.index('name="category_id"') :])
    if match is None:
        raise run.BenchError(f"the report form offers no category ({form.status_code})")
    return match.group(1)


async def _report(
    client: httpx.AsyncClient, cookies: Cookies, category: str, files: list[tuple[str, bytes, str]]
) -> int:
    data = {
        "kind": "report",
        "title": "门口堆放纸箱占道",
        "body": "人行道被堵住了。",
        "category_id": category,
        "house_number": "1143号",
    }
    response = await client.post(
        "/threads/new",
        data=data,
        files=[("photos", file) for file in files],
        headers={"x-csrftoken": cookies.csrf, "accept-language": "en", **cookies.header()},
    )
    return response.status_code


async def drive(base_url: str, pid: int, people: int, rounds: int) -> dict[str, object]:
    failures: list[str] = []
    large = upload_files.large_photos(3)
    corpus = upload_files.corpus()
    bombs = [("bomb.png", upload_files.png_bomb(7000, 7000), "image/png")] * 3
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
        sessions = await asyncio.gather(*[log_in(client, n) for n in range(1, people + 1)])
        if any(cookies is None for cookies in sessions):
            raise run.BenchError("a seeded person could not log in")
        first = sessions[0]
        category = await _report_category(client, first)
        if (status := await _report(client, first, category, [("warm.jpg", upload_files.jpeg(), "image/jpeg")])) != 303:
            raise run.BenchError(f"a small photo was answered {status}, not 303")
        started_kib = memory_kib(pid)[0]
        phases: dict[str, float] = {}
        sampler = Sampler(pid)
        sampler.start()
        began = time.perf_counter()
        reset_peak(pid)
        for sample in corpus:
            status = await _report(client, first, category, [(sample.filename, sample.data, sample.content_type)])
            if status != (422 if sample.refusal else 303):
                failures.append(f"{sample.name}: {status}")
        phases["corpus"] = round(memory_kib(pid)[1] / 1024, 1)
        reset_peak(pid)
        if (status := await _report(client, first, category, bombs)) != 422:
            failures.append(f"three 7000×7000 PNGs in one request: {status}")
        phases["three_bombs"] = round(memory_kib(pid)[1] / 1024, 1)
        reset_peak(pid)

        async def burst(cookies: Cookies, number: int) -> None:
            for round_number in range(rounds):
                files = [
                    (
                        f"big-{number}-{round_number}-{n}.{'jpg' if n % 2 == 0 else 'png'}",
                        data,
                        "image/jpeg" if n % 2 == 0 else "image/png",
                    )
                    for n, data in enumerate(large)
                ]
                if (status := await _report(client, cookies, category, files)) != 303:
                    failures.append(f"person {number}, round {round_number}: large photos answered {status}")

        await asyncio.gather(*[burst(cookies, n) for n, cookies in enumerate(sessions, start=1)])
        seconds = time.perf_counter() - began
        phases["burst"] = round(memory_kib(pid)[1] / 1024, 1)
        # After: the lowest of the samples over a short while (a sample may catch the last free in flight).
        settle_until = time.monotonic() + SETTLE_SECONDS
        after_kib = memory_kib(pid)[0]
        while time.monotonic() < settle_until:
            await asyncio.sleep(0.2)
            after_kib = min(after_kib, memory_kib(pid)[0])
        sampler.stopped.set()
        sampler.join()
    uploads = len(corpus) + 1 + people * rounds
    return {
        "people": people,
        "rounds": rounds,
        "requests": uploads,
        "large_photos": people * rounds * len(large),
        "seconds": round(seconds, 1),
        "before_mib": round(started_kib / 1024, 1),
        "peak_mib": max(round(sampler.peak_kib / 1024, 1), *phases.values()),
        "peak_by_phase_mib": phases,
        "after_mib": round(after_kib / 1024, 1),
        "failures": failures,
    }


def measure(args: argparse.Namespace, work_dir: Path) -> dict[str, object]:
    env = servers.bench_env(work_dir)
    database = f"upload_memory_{secrets.token_hex(4)}"
    if args.engine == "postgres":
        servers.pg_admin(args.pg_admin_url, f'CREATE DATABASE "{database}"')
        env["BLOCK_DATABASE_URL"] = f"{args.pg_admin_url.rsplit('/', 1)[0]}/{database}"
    else:
        env["BLOCK_DATABASE_URL"] = f"sqlite:///{work_dir / 'uploads.db'}"
    try:
        servers.run_cli(env, "migrate")
        seed_bulk.seed(env["BLOCK_DATABASE_URL"], 1, args.people)
        # One worker: uvicorn then serves in the process it started, whose pid is the one to watch.
        with servers.start_server(
            env, log_path=work_dir / "server.log", workers=1, extra_args=("--log-level", "warning")
        ) as server:
            report = asyncio.run(drive(server.base_url, server.pid, args.people, args.rounds))
    finally:
        if args.engine == "postgres":
            servers.pg_admin(args.pg_admin_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    return {"engine": args.engine, **report}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.work_dir is not None:
        args.work_dir.mkdir(parents=True, exist_ok=True)
        report = measure(args, args.work_dir)
    else:
        with tempfile.TemporaryDirectory(prefix="upload-memory-") as folder:
            report = measure(args, Path(folder))
    print(
        f"{report['requests']} upload requests ({report['large_photos']} large photos, "
        f"{report['people']} people at once) in {report['seconds']} s on {report['engine']}"
    )
    print(
        f"worker RSS: before {report['before_mib']} MiB, peak {report['peak_mib']} MiB, after {report['after_mib']} MiB"
    )
    print(
        "peak (VmHWM) by phase: "
        + ", ".join(f"{phase} {mib} MiB" for phase, mib in report["peak_by_phase_mib"].items())
    )
    for failure in report["failures"]:
        print(f"unexpected answer: {failure}")
    if args.json:
        print(json.dumps(report))
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
