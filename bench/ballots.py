"""Concurrent ballots through the real server: every shop submits its ballot twice at the same moment.

    .venv/bin/python bench/ballots.py --engine sqlite
    .venv/bin/python bench/ballots.py --engine postgres --shops 1000 --connections 64

Seeds a fresh database with N open shops, each with its own merchant, and an election in its voting phase
(8 candidates, 5 seats); starts `block-service serve --workers 2`; logs every merchant in; then, all at
once over --connections connections, every shop posts its ballot form twice, both requests sent together.
Afterwards the election is closed and counted with the service's own close (in a separate process) and
the script checks: exactly N ballots counted, 0 lost (every ballot acknowledged with a redirect is in the
count, with the approvals it carried), every second submission refused with the "already voted" answer
(409), and no other status (no 500). The report goes to stdout and to bench/results/<time>-ballots-<engine>.json.
tests/test_council_ballot_load.py runs a short form (100 shops) on the engine of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime as dt
import http.cookiejar
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import run as bench_run  # noqa: E402  (beside this file: BenchError, git_commit)
import seed_bulk  # noqa: E402
import servers  # noqa: E402  (the real server's start and stop)
from seed_bulk import PASSWORD  # noqa: E402
from writers import Cookies  # noqa: E402

CANDIDATES = 8
SEATS = 5
ELECTION_ID = 1
# The refusal of a second ballot, in either language (a merchant's profile language wins over the header).
ALREADY_VOTED = ("This shop has already voted in this election.", "本店已在本次选举中投票。")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--shops", type=int, default=1000, help="shops, each with one merchant who votes")
    parser.add_argument("--connections", type=int, default=64, help="HTTP connections the client keeps open")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--redis-url",
        default=None,
        help="BLOCK_REDIS_URL for the server (sessions shared by the workers through Redis)",
    )
    parser.add_argument("--close-election", type=int, help=argparse.SUPPRESS)  # internal: the count, in a child
    return parser.parse_args(argv)


def choices_of(shop_id: int, candidates: list[int]) -> list[int]:
    """What a shop approves: 1 to SEATS distinct candidates, spread so that every candidate gets votes."""
    count = 1 + shop_id % SEATS
    return sorted({candidates[(shop_id + step * 3) % len(candidates)] for step in range(count)})


# ---- the election, written straight into the seeded database -----------------------------------------


def _election_rows(now: dt.datetime) -> list[tuple[str, tuple]]:
    today = now.date()
    rows = [
        (
            "INSERT INTO council_term (id, number, starts_on, ends_on, seats, created_at) VALUES ({})",
            (1, 1, today - dt.timedelta(days=30), today + dt.timedelta(days=700), SEATS, now),
        ),
        (
            "INSERT INTO council_election (id, term, phase, created_at, voting_opened_at) VALUES ({})",
            (ELECTION_ID, 1, "voting", now, now),
        ),
    ]
    for number in range(1, CANDIDATES + 1):
        # Candidate n is the merchant (person n) of shop n; accepted one minute apart.
        accepted = now - dt.timedelta(minutes=CANDIDATES - number)
        rows.append(
            (
                "INSERT INTO council_nomination (id, election, nominee, shop, nominated_by, statement, status, "
                "created_at, accepted_at) VALUES ({})",
                (number, ELECTION_ID, number, number, number, "为街区多跑腿。", "accepted", accepted, accepted),
            )
        )
        rows.append(("INSERT INTO council_tally (election, nomination, votes) VALUES ({})", (ELECTION_ID, number, 0)))
    return rows


def seed_election(database_url: str) -> list[int]:
    """Every shop open, a term of SEATS seats, its election in voting with CANDIDATES candidates."""
    now = dt.datetime.now(dt.UTC)
    rows = _election_rows(now)
    if database_url.startswith("sqlite:///"):
        from block_service.settings import sqlite_file

        connection = sqlite3.connect(sqlite_file(database_url), timeout=30)
        try:
            with connection:
                connection.execute("UPDATE shop SET status = 'open'")
                for sql, values in rows:
                    connection.execute(
                        sql.format(", ".join("?" * len(values))),
                        [str(v) if isinstance(v, (dt.datetime, dt.date)) else v for v in values],
                    )
        finally:
            connection.close()
    else:

        async def write() -> None:
            import asyncpg

            connection = await asyncpg.connect(database_url, timeout=10)
            try:
                async with connection.transaction():
                    await connection.execute("UPDATE shop SET status = 'open'")
                    for sql, values in rows:
                        await connection.execute(
                            sql.format(", ".join(f"${n}" for n in range(1, len(values) + 1))), *values
                        )
                    for table in ("council_term", "council_election", "council_nomination"):
                        await connection.execute(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                        )
            finally:
                await connection.close()

        asyncio.run(write())
    return list(range(1, CANDIDATES + 1))


# ---- the load -------------------------------------------------------------------------------------------


def _csrf_token(cookies: Cookies) -> str:
    """The CSRF cookie's value, whatever prefix its name carries (__Host- outside debug, or not)."""
    return next(value for name, value in cookies.values.items() if name.endswith("csrf"))


async def _log_in(client, number: int) -> Cookies | None:
    """Merchant `number` (of shop `number`) logs in with the seeded password, as bench/writers.py does."""
    cookies = Cookies()
    cookies.take(await client.get("/healthz"))
    login = await client.post(
        "/login",
        data={"contact": f"139{number:08d}", "password": PASSWORD, "next": "/"},
        headers={"x-csrftoken": _csrf_token(cookies), **cookies.header()},
    )
    cookies.take(login)
    return cookies if login.status_code == 303 else None


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """One client serves every merchant: each request carries its own session by hand (writers.Cookies)."""

    def set_ok(self, cookie, request) -> bool:
        return False


async def _load(base_url: str, shops: int, connections: int, candidates: list[int]) -> dict[str, object]:
    import httpx

    # Idle connections are dropped before uvicorn's 5 s keep-alive ends, so none is reused as the server closes it.
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=1.0)
    async with httpx.AsyncClient(
        base_url=base_url, timeout=120, limits=limits, headers={"accept-language": "en"}
    ) as client:
        client.cookies.jar.set_policy(_NoCookies())
        started = time.perf_counter()
        gate = asyncio.Semaphore(connections)

        async def log_in(number: int) -> Cookies | None:
            async with gate:
                try:
                    return await _log_in(client, number)
                except httpx.TransportError:  # a log-in may simply be tried again
                    return await _log_in(client, number)

        sessions = await asyncio.gather(*[log_in(number) for number in range(1, shops + 1)])
        login_seconds = time.perf_counter() - started
        missing = [number for number, cookies in enumerate(sessions, start=1) if cookies is None]
        if missing:
            raise bench_run.BenchError(f"{len(missing)} merchants could not log in (first: {missing[:5]})")

        outcomes: collections.Counter[str] = collections.Counter()
        latencies: list[float] = []
        accepted: dict[int, list[int]] = {}
        oddities: list[str] = []
        start = asyncio.Event()

        async def submit(shop_id: int, cookies: Cookies) -> None:
            await start.wait()
            sent = time.perf_counter()
            try:
                response = await client.post(
                    f"/elections/{ELECTION_ID}/ballot",
                    data={"shop_id": str(shop_id), "candidates": [str(c) for c in choices_of(shop_id, candidates)]},
                    headers={"x-csrftoken": _csrf_token(cookies), **cookies.header()},
                )
            except httpx.TransportError as error:  # no answer: the ballot may or may not have been stored
                outcomes[f"no_answer_{type(error).__name__}"] += 1
                return
            latencies.append((time.perf_counter() - sent) * 1000)
            if response.status_code == 303:
                outcomes["accepted"] += 1
                accepted.setdefault(shop_id, []).append(1)
            elif response.status_code == 409 and any(text in response.text for text in ALREADY_VOTED):
                outcomes["refused_as_duplicate"] += 1
            else:
                outcomes[f"status_{response.status_code}"] += 1
                if len(oddities) < 5:
                    oddities.append(f"shop {shop_id}: {response.status_code} {response.text[:200]!r}")

        # Both submissions of every shop are created together and released at the same moment.
        tasks = [
            asyncio.create_task(submit(shop_id, cookies))
            for shop_id, cookies in enumerate(sessions, start=1)
            for _twice in range(2)
        ]
        burst_started = time.perf_counter()
        start.set()
        await asyncio.gather(*tasks)
        burst_seconds = time.perf_counter() - burst_started

    ordered = sorted(latencies)

    def percentile(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1) if ordered else 0.0

    return {
        "login_seconds": round(login_seconds, 2),
        "burst_seconds": round(burst_seconds, 2),
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / burst_seconds, 1),
        "p50_ms": percentile(0.5),
        "p99_ms": percentile(0.99),
        "max_ms": percentile(1.0),
        "outcomes": dict(outcomes),
        "double_acknowledged": sorted(shop for shop, acks in accepted.items() if len(acks) > 1),
        "acknowledged_shops": sorted(accepted),
        "first_oddities": oddities,
    }


def close_and_count(env: dict[str, str]) -> dict[str, object]:
    """The real close and count, in a child process on the same database (the server has stopped)."""
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--close-election", str(ELECTION_ID)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        raise bench_run.BenchError(f"closing the election failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


async def _close_here(election_id: int) -> dict[str, object]:
    from block_service.accounts.schemas import Viewer
    from block_service.council import ballots
    from block_service.council.tables import Approval, Election, ShopVoted
    from block_service.db import close_database, open_database

    await open_database(2)
    try:
        staff = Viewer(person_id=None, roles=frozenset({"staff"}))
        started = time.perf_counter()
        result = await ballots.close_election(staff, election_id)
        close_seconds = time.perf_counter() - started
        turnout = json.loads(
            (await Election.select(Election.turnout).where(Election.id == election_id).first())["turnout"]
        )
        return {
            "votes": {str(p.candidate_id): p.votes for p in result.elected + result.runners_up},
            "elected": [p.candidate_id for p in result.elected],
            "voter_roll": await ShopVoted.count().where(ShopVoted.election == election_id),
            "voter_roll_shops": sorted(
                row["shop"] for row in await ShopVoted.select(ShopVoted.shop).where(ShopVoted.election == election_id)
            ),
            "approvals": await Approval.count().where(Approval.election == election_id),
            "turnout_voted": turnout["voted"],
            "close_seconds": round(close_seconds, 2),
        }
    finally:
        await close_database()


# ---- the whole run -----------------------------------------------------------------------------------


def run_ballots(
    engine: str,
    shops: int,
    connections: int = 64,
    workers: int = 2,
    pg_admin_url: str = "postgresql://postgres@127.0.0.1:5432/postgres",
    work_dir: Path | None = None,
    redis_url: str | None = None,
) -> dict[str, object]:
    work_dir = Path(work_dir or tempfile.mkdtemp(prefix="bench-ballots-"))
    env = servers.bench_env(work_dir)
    if redis_url:
        env["BLOCK_REDIS_URL"] = redis_url
    pg_database = f"bench_ballots_{os.getpid()}_{secrets.token_hex(3)}"
    if engine == "postgres":
        servers.pg_admin(pg_admin_url, f'CREATE DATABASE "{pg_database}"')
        env["BLOCK_DATABASE_URL"] = f"{pg_admin_url.rsplit('/', 1)[0]}/{pg_database}"
    else:
        env["BLOCK_DATABASE_URL"] = f"sqlite:///{work_dir / 'ballots.db'}"
    try:
        servers.run_cli(env, "migrate")
        seed_bulk.seed(env["BLOCK_DATABASE_URL"], shops, shops, 0)
        candidates = seed_election(env["BLOCK_DATABASE_URL"])
        with servers.start_server(env, log_path=work_dir / "server.log", workers=workers) as server:
            load = asyncio.run(_load(server.base_url, shops, connections, candidates))
        count = close_and_count(env)
    finally:
        if engine == "postgres":
            servers.pg_admin(pg_admin_url, f'DROP DATABASE IF EXISTS "{pg_database}" WITH (FORCE)')

    expected = collections.Counter(c for shop_id in load["acknowledged_shops"] for c in choices_of(shop_id, candidates))
    counted_votes = {int(key): value for key, value in count["votes"].items()}
    acknowledged = set(load["acknowledged_shops"])
    in_roll = set(count["voter_roll_shops"])
    outcomes = load["outcomes"]
    return {
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "engine": engine,
        "shops": shops,
        "workers": workers,
        "connections": connections,
        "redis": bool(redis_url),
        "submissions": 2 * shops,
        "counted": count["voter_roll"],
        "turnout_voted": count["turnout_voted"],
        "lost": len(acknowledged - in_roll),
        "counted_without_acknowledgement": len(in_roll - acknowledged),
        "accepted": outcomes.get("accepted", 0),
        "duplicates_refused": outcomes.get("refused_as_duplicate", 0),
        "other_responses": {k: v for k, v in outcomes.items() if k not in ("accepted", "refused_as_duplicate")},
        "server_errors": sum(v for k, v in outcomes.items() if k.startswith("status_5")),
        "double_acknowledged": load["double_acknowledged"],
        "votes_match": counted_votes == {c: expected.get(c, 0) for c in candidates},
        "approvals": count["approvals"],
        "approvals_expected": sum(expected.values()),
        "votes": counted_votes,
        "login_seconds": load["login_seconds"],
        "burst_seconds": load["burst_seconds"],
        "requests_per_s": load["requests_per_s"],
        "p50_ms": load["p50_ms"],
        "p99_ms": load["p99_ms"],
        "max_ms": load["max_ms"],
        "close_seconds": count["close_seconds"],
        "first_oddities": load["first_oddities"],
        "commit": bench_run.git_commit(),
    }


def passed(report: dict[str, object]) -> bool:
    shops = report["shops"]
    return (
        report["counted"] == shops
        and report["lost"] == 0
        and report["accepted"] == shops
        and report["duplicates_refused"] == shops
        and not report["other_responses"]
        and report["votes_match"]
        and report["approvals"] == report["approvals_expected"]
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.close_election:
        print(json.dumps(asyncio.run(_close_here(args.close_election))))
        return 0
    print(
        f"{args.shops} shops, each submitting its ballot twice at once, {args.engine}, "
        f"{args.workers} workers, {args.connections} connections …",
        flush=True,
    )
    report = run_ballots(
        args.engine, args.shops, args.connections, args.workers, args.pg_admin_url, redis_url=args.redis_url
    )
    results = BENCH_DIR / "results"
    results.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    (results / f"{stamp}-ballots-{args.engine}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(
        f"counted {report['counted']} of {report['shops']}, lost {report['lost']}, "
        f"duplicates refused {report['duplicates_refused']}, other responses {report['other_responses'] or 0}, "
        f"votes match {report['votes_match']}"
    )
    print(
        f"{report['submissions']} submissions in {report['burst_seconds']} s ({report['requests_per_s']}/s), "
        f"p50 {report['p50_ms']} ms, p99 {report['p99_ms']} ms (from release to answer, waiting for one of the "
        f"{report['connections']} connections included); log-ins {report['login_seconds']} s; "
        f"close and count {report['close_seconds']} s"
    )
    return 0 if passed(report) else 1


if __name__ == "__main__":
    sys.exit(main())
