"""Durability: every write the server acknowledged survives `kill -9` of all its processes.

    .venv/bin/python bench/durability.py --engine sqlite
    .venv/bin/python bench/durability.py --engine postgres --shops 300 --writers 16 --seconds 10
    .venv/bin/python bench/durability.py --engine sqlite --short      # what CI runs (a few seconds of load)

A block is seeded straight into a fresh database (people, shops, one thread per writer, an election in
voting with three candidates), then `block-service serve --workers 2` is started. Writers post answers
to their threads as fast as they can while the shops' merchants cast their ballots through the ballot
form; after --seconds, SIGKILL goes to the supervisor and every worker at once. The server is started
again and each write is looked for:

- an answer by its unique text, through the threads' tables;
- a ballot through the service: the same shop's ballot again must be refused as "already voted"
  (a ballot that is not there is cast by that probe, and counted as lost if it had been acknowledged).

Then integrity: SQLite's integrity_check and foreign_key_check; on PostgreSQL every foreign key validated
and every B-tree index checked with amcheck (when the extension is available); on both, each thread's
message_count still matches its messages. The report gives acknowledged vs found per kind of write;
found-but-not-acknowledged writes were in flight at the kill (committed, answer lost), which is fine.
Exit code 1 if an acknowledged write is missing or a check fails. --json PATH writes the report.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import seed_bulk  # noqa: E402  (beside this file)
import servers  # noqa: E402

CANDIDATES = 3
SEATS = 5


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--shops", type=int, default=300, help="shops that vote (every 25th is closed and does not)")
    parser.add_argument(
        "--writers", type=int, default=16, help="people posting answers at once; they are also the shops' merchants"
    )
    parser.add_argument("--voters", type=int, default=8, help="ballots submitted at once")
    parser.add_argument("--seconds", type=float, default=10, help="seconds of load before the kill")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--short", action="store_true", help="CI form: 40 shops, 6 writers, 3 s of load")
    parser.add_argument("--seed", type=int, default=None, help="random seed (kill time jitter)")
    parser.add_argument("--json", type=Path, default=None, help="write the report here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (database, server logs)")
    parser.add_argument("--pg-admin-url", default=servers.PG_ADMIN_URL)
    args = parser.parse_args(argv)
    if args.short:
        args.shops, args.writers, args.voters, args.seconds = 40, 6, 4, 3.0
    if args.writers < CANDIDATES or args.writers > args.shops:
        parser.error(f"--writers: from {CANDIDATES} (the candidates) to --shops")
    return args


@dataclass
class Tally:
    acknowledged: int = 0
    found_of_acknowledged: int = 0
    lost: list[str] = field(default_factory=list)
    in_flight: int = 0  # sent, no success seen (refused, or cut by the kill)
    found_of_in_flight: int = 0

    def line(self, name: str) -> str:
        return (
            f"{name:8s} acknowledged {self.acknowledged:5d}  found {self.found_of_acknowledged:5d}  "
            f"lost {len(self.lost):3d}   not acknowledged {self.in_flight:3d} (of which found "
            f"{self.found_of_in_flight})"
        )


# ---------------------------------------------------------------- seeding (in-process, before the server)


def merchant_of(shop: int, people: int) -> int:
    """seed_bulk gives shop i to person ((i - 1) mod people) + 1: each writer acts for several shops."""
    return (shop - 1) % people + 1


async def _seed_election(shop_count: int, people: int) -> dict[str, object]:
    """A term and an election in voting, made through the council services as staff would."""
    from block_service import clock
    from block_service.accounts.roles import create_staff
    from block_service.accounts.schemas import Viewer
    from block_service.council import ballots, nominations, terms
    from block_service.council.schemas import ElectionForm, StandForm, TermForm
    from block_service.db import close_database, open_database

    await open_database(2)
    try:
        staff_id = await create_staff("durability@lingyan.example", seed_bulk.PASSWORD, "耐久测试")
        staff = Viewer(person_id=staff_id, roles=frozenset({"staff"}))
        starts = clock.block_today()
        term_id = await terms.create_term(
            staff,
            TermForm(
                number=1,
                starts_on=starts.isoformat(),
                ends_on=(starts + dt.timedelta(days=730)).isoformat(),
                seats=SEATS,
            ),
        )
        election_id = await nominations.open_election(staff, term_id, ElectionForm())
        candidates = []
        for shop_id in range(1, CANDIDATES + 1):
            candidate = Viewer(
                person_id=merchant_of(shop_id, people),
                roles=frozenset({"resident", "merchant"}),
                shop_ids=frozenset({shop_id}),
            )
            candidates.append(
                await nominations.stand(candidate, election_id, StandForm(shop_id=shop_id, statement="为街区多跑腿。"))
            )
        await ballots.open_voting(staff, election_id)
    finally:
        await close_database()
    voters = [shop for shop in range(1, shop_count + 1) if shop % 25 != 0]  # every 25th shop is closed
    return {"election_id": election_id, "nominations": candidates, "voting_shops": voters}


async def _message_counts(thread_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per thread: (message_count column, messages counted), through the threads' tables."""
    from block_service.threads.tables import Message, Thread

    rows = await Thread.select(Thread.id, Thread.message_count).where(Thread.id.is_in(thread_ids))
    counted = {thread_id: 0 for thread_id in thread_ids}
    for row in await Message.select(Message.thread).where(Message.thread.is_in(thread_ids)):
        counted[row["thread"]] += 1
    return {row["id"]: (row["message_count"], counted[row["id"]]) for row in rows}


async def _answer_bodies(thread_ids: list[int]) -> set[str]:
    from block_service.threads.tables import Message

    rows = await Message.select(Message.body).where(Message.thread.is_in(thread_ids))
    return {row["body"] for row in rows}


async def _in_database(work):
    from block_service.db import close_database, open_database

    await open_database(2)
    try:
        return await work()
    finally:
        await close_database()


# ---------------------------------------------------------------- load (HTTP, like browsers)


def _csrf(client) -> str:
    return next(value for name, value in client.cookies.items() if name.endswith("csrf"))


async def _log_in(client, person_id: int) -> bool:
    await client.get("/healthz")
    response = await client.post(
        "/login",
        data={"contact": f"139{person_id:08d}", "password": seed_bulk.PASSWORD, "next": "/"},
        headers={"x-csrftoken": _csrf(client)},
    )
    return response.status_code == 303


@dataclass
class Load:
    stop: asyncio.Event
    answers_acknowledged: list[str] = field(default_factory=list)
    answers_unacknowledged: list[str] = field(default_factory=list)
    ballots_acknowledged: list[int] = field(default_factory=list)
    ballots_unacknowledged: list[int] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


async def _write_answers(client, writer: int, run_id: str, load: Load) -> None:
    import httpx

    sent = 0
    while not load.stop.is_set():
        sent += 1
        body = f"耐久{run_id}-w{writer}-n{sent}"
        try:
            response = await client.post(
                f"/threads/{writer}/answers", data={"body": body}, headers={"x-csrftoken": _csrf(client)}
            )
        except httpx.HTTPError:
            load.answers_unacknowledged.append(body)
            return  # the server is gone
        if response.status_code == 303:
            load.answers_acknowledged.append(body)
        else:
            load.answers_unacknowledged.append(body)
            load.refused.append(f"answer {body}: {response.status_code}")


async def _cast_ballots(
    clients: dict[int, object], queue: asyncio.Queue, election: dict, pace: float, load: Load
) -> None:
    import httpx

    nominations = election["nominations"]
    while not load.stop.is_set():
        try:
            shop = queue.get_nowait()
        except asyncio.QueueEmpty:
            return
        client = clients[shop]
        chosen = nominations[: 1 + shop % len(nominations)]
        try:
            response = await client.post(
                f"/elections/{election['election_id']}/ballot",
                data={"shop_id": str(shop), "candidates": [str(n) for n in chosen]},
                headers={"x-csrftoken": _csrf(client)},
            )
        except httpx.HTTPError:
            load.ballots_unacknowledged.append(shop)
            return
        if response.status_code == 303:
            load.ballots_acknowledged.append(shop)
        else:
            load.ballots_unacknowledged.append(shop)
            load.refused.append(f"ballot of shop {shop}: {response.status_code}")
        await asyncio.sleep(pace)  # spread the ballots over the load, so some are in flight at the kill


async def _drive(
    server: servers.Server, args, election: dict, run_id: str, kill_after: float
) -> tuple[Load, list[int]]:
    import httpx

    voting_shops = election["voting_shops"]
    limits = httpx.Limits(max_connections=4)
    writer_clients = {
        n: httpx.AsyncClient(base_url=server.base_url, timeout=30, limits=limits) for n in range(1, args.writers + 1)
    }
    # Each writer is also the merchant of several shops and casts their ballots (one login per person:
    # argon2 is meant to be slow).
    clients = {shop: writer_clients[merchant_of(shop, args.writers)] for shop in voting_shops}
    try:
        gate = asyncio.Semaphore(8)  # argon2 is meant to be slow: log everybody in first, a few at a time

        async def log_in(client, person_id):
            async with gate:
                if not await _log_in(client, person_id):
                    raise servers.ServerError(f"person {person_id} could not log in")

        await asyncio.gather(*[log_in(client, n) for n, client in writer_clients.items()])
        _step("everybody logged in; load")
        load = Load(stop=asyncio.Event())
        queue: asyncio.Queue[int] = asyncio.Queue()
        for shop in voting_shops:
            queue.put_nowait(shop)
        # Paced so that the ballots would take 1.5 times the load: a third of them are still to come at the kill.
        pace = args.voters * args.seconds * 1.5 / len(voting_shops)
        tasks = [asyncio.create_task(_write_answers(client, n, run_id, load)) for n, client in writer_clients.items()]
        tasks += [asyncio.create_task(_cast_ballots(clients, queue, election, pace, load)) for _ in range(args.voters)]
        await asyncio.sleep(kill_after)
        killed = await asyncio.to_thread(server.kill)
        load.stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 60)
        return load, killed
    finally:
        for client in writer_clients.values():
            await client.aclose()


async def _probe_ballots(server: servers.Server, election: dict, shops: list[int], people: int) -> dict[int, bool]:
    """Was each shop's ballot stored? Asked through the service: the same ballot again is refused (409) as
    already cast when it is there; when it is not, the probe casts it (answer 303)."""
    import httpx

    found: dict[int, bool] = {}
    merchants = sorted({merchant_of(shop, people) for shop in shops})
    clients = {person: httpx.AsyncClient(base_url=server.base_url, timeout=30) for person in merchants}

    async def log_in(person: int) -> None:
        if not await _log_in(clients[person], person):
            raise servers.ServerError(f"merchant {person} could not log in after the restart")

    async def probe(shop: int) -> None:
        client = clients[merchant_of(shop, people)]
        response = await client.post(
            f"/elections/{election['election_id']}/ballot",
            data={"shop_id": str(shop), "candidates": [str(election["nominations"][0])]},
            headers={"x-csrftoken": _csrf(client)},
        )
        if response.status_code == 409:
            found[shop] = True
        elif response.status_code == 303:
            found[shop] = False
        else:
            raise servers.ServerError(f"probing the ballot of shop {shop}: {response.status_code}")

    try:
        await asyncio.gather(*[log_in(person) for person in merchants])
        await asyncio.gather(*[probe(shop) for shop in shops])
    finally:
        for client in clients.values():
            await client.aclose()
    return found


# ---------------------------------------------------------------- integrity


def _sqlite_integrity(path: Path) -> list[str]:
    problems = []
    with sqlite3.connect(path) as connection:
        result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            problems.append(f"integrity_check: {result[:5]}")
        orphans = connection.execute("PRAGMA foreign_key_check").fetchall()
        if orphans:
            problems.append(f"foreign_key_check: {len(orphans)} rows, e.g. {orphans[:3]}")
    return problems


async def _postgres_integrity(database_url: str) -> tuple[list[str], str]:
    import asyncpg

    problems = []
    connection = await asyncpg.connect(database_url)
    try:
        unvalidated = await connection.fetch(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND NOT convalidated"
        )
        if unvalidated:
            problems.append(f"foreign keys not validated: {[row['conname'] for row in unvalidated]}")
        try:
            await connection.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        except asyncpg.PostgresError as error:
            return problems, f"amcheck not available ({error.__class__.__name__})"
        indexes = await connection.fetch(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE am.amname = 'btree' AND n.nspname = 'public'"
        )
        for row in indexes:
            try:
                await connection.execute("SELECT bt_index_check(to_regclass($1), true)", row["relname"])
            except asyncpg.PostgresError as error:
                problems.append(f"amcheck {row['relname']}: {error}")
        return problems, f"amcheck: {len(indexes)} B-tree indexes checked (heapallindexed)"
    finally:
        await connection.close()


# ---------------------------------------------------------------- the run

_STARTED = time.monotonic()


def _step(text: str) -> None:
    print(f"[{time.monotonic() - _STARTED:6.1f} s] {text}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> dict[str, object]:
    rng = random.Random(args.seed)
    work_dir = Path(tempfile.mkdtemp(prefix="block-durability-"))
    run_id = uuid.uuid4().hex[:6]
    name = f"block_durability_{os.getpid()}_{run_id}"
    report: dict[str, object] = {
        "engine": args.engine,
        "workers": args.workers,
        "shops": args.shops,
        "writers": args.writers,
        "seconds": args.seconds,
        "work_dir": str(work_dir),
    }
    try:
        with servers.database(args.engine, work_dir, name, args.pg_admin_url) as database_url:
            env = servers.server_env(
                database_url, work_dir / "var", login_rate_per_minute="100000", migrate_on_start="false"
            )
            # The in-process parts (seeding, reading what was stored) use the same database; block_service
            # reads it from the environment when first imported.
            os.environ.update({key: value for key, value in env.items() if key.startswith("BLOCK_")})
            _step("migrating and seeding")
            servers.run_cli(env, "migrate")
            seed_bulk.seed(database_url, args.shops, args.writers, args.writers)
            election = asyncio.run(_seed_election(args.shops, args.writers))
            threads = list(range(1, args.writers + 1))
            before = asyncio.run(_in_database(lambda: _message_counts(threads)))

            _step("starting the server")
            server = servers.start_server(env, log_path=work_dir / "server-1.log", workers=args.workers)
            _step("logging in, then the load")
            kill_after = args.seconds * rng.uniform(0.8, 1.2)
            try:
                load, killed = asyncio.run(_drive(server, args, election, run_id, kill_after))
            finally:
                server.stop()
            report["killed_processes"] = len(killed)
            report["killed_after_seconds"] = round(kill_after, 2)

            _step("restarting after the kill")
            restarted = servers.start_server(env, log_path=work_dir / "server-2.log", workers=args.workers)
            try:
                attempted = sorted({*load.ballots_acknowledged, *load.ballots_unacknowledged})
                _step("probing the ballots")
                probed = asyncio.run(_probe_ballots(restarted, election, attempted, args.writers))
            finally:
                restarted.stop()

            _step("reading the answers, integrity checks")
            bodies = asyncio.run(_in_database(lambda: _answer_bodies(threads)))
            after = asyncio.run(_in_database(lambda: _message_counts(threads)))

            answers = Tally(acknowledged=len(load.answers_acknowledged), in_flight=len(load.answers_unacknowledged))
            answers.lost = [body for body in load.answers_acknowledged if body not in bodies]
            answers.found_of_acknowledged = answers.acknowledged - len(answers.lost)
            answers.found_of_in_flight = sum(body in bodies for body in load.answers_unacknowledged)
            ballots = Tally(acknowledged=len(load.ballots_acknowledged), in_flight=len(load.ballots_unacknowledged))
            ballots.lost = [f"shop {shop}" for shop in load.ballots_acknowledged if not probed[shop]]
            ballots.found_of_acknowledged = ballots.acknowledged - len(ballots.lost)
            ballots.found_of_in_flight = sum(probed[shop] for shop in load.ballots_unacknowledged)

            problems = []
            for thread_id in threads:
                (column_before, counted_before), (column_after, counted_after) = before[thread_id], after[thread_id]
                if column_after - counted_after != column_before - counted_before:
                    problems.append(
                        f"thread {thread_id}: message_count {column_after} but {counted_after} messages "
                        f"(before the load {column_before} and {counted_before})"
                    )
            if args.engine == "postgres":
                found_problems, note = asyncio.run(_postgres_integrity(database_url))
                problems += found_problems
                report["integrity_note"] = note
            else:
                problems += _sqlite_integrity(Path(database_url.removeprefix("sqlite:///")))
                report["integrity_note"] = "integrity_check, foreign_key_check"
            report.update(
                {
                    "answers": asdict(answers),
                    "ballots": asdict(ballots),
                    "integrity_problems": problems,
                    "refused_during_load": load.refused[:20],
                }
            )
    finally:
        if not args.keep:
            shutil.rmtree(work_dir, ignore_errors=True)
    return report


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    report = run(args)
    report["total_seconds"] = round(time.monotonic() - started, 1)
    answers, ballots = Tally(**report["answers"]), Tally(**report["ballots"])
    print(
        f"durability, {args.engine}, {args.workers} workers: kill -9 of {report['killed_processes']} processes "
        f"after {report['killed_after_seconds']} s of load"
    )
    print(answers.line("answers"))
    print(ballots.line("ballots"))
    print(
        f"integrity ({report['integrity_note']}): "
        + ("ok" if not report["integrity_problems"] else "; ".join(report["integrity_problems"]))
    )
    if report["refused_during_load"]:
        print("refused during the load (before the kill):", *report["refused_during_load"], sep="\n  ")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    failed = answers.lost or ballots.lost or report["integrity_problems"]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
