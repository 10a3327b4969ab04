"""Throughput of the real server: seed a block, start `block-service serve`, drive every public page with wrk.

    .venv/bin/python bench/run.py --engine sqlite
    .venv/bin/python bench/run.py --engine postgres --redis-url redis://127.0.0.1:6379/0
    .venv/bin/python bench/run.py --short --pages /threads /shops --modes signed-in

Every page runs in the same server (2 workers by default), one after another, each for --duration
seconds with --connections connections (wrk -t1): first anonymously, then signed in. Signed in means
real sessions: before the clock starts, --signed-in seeded people (half merchants, half residents) log
in through the log-in form; their session cookies are handed round the requests by a small wrk Lua
script, and the workers share the sessions through the shared store (var/shared-state.db) or Redis
(--redis-url). The script checks that the responses really are signed in: before any clock starts,
every page once per mode (a signed-in HTML page shows the person's name and the log-out button, an
anonymous one neither); during each signed-in warm-up, every response (200, and the log-out button
on HTML pages: wrk reads the bodies only then); after all runs, every session again (/me answers 200
with the name); and wrk's count of non-2xx/3xx responses and socket errors must be 0. Otherwise the
table is printed with the problems and the script exits 1.

The table (markdown) gives for each page and mode requests/s, the share of /healthz's requests/s in
the same run (the mean of its runs before and after the pages, which shows the drift), and p50/p99; then
the posting writers and each worker's resident memory. The same goes to
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
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import httpx
import seed_bulk  # beside this file, which Python puts first on sys.path when it runs bench/run.py
import seed_motions
import seed_notices
import seed_offers
import seed_projects
import servers
import writers
from servers import ServerError, children_of, log_tail, pg_admin, run_cli

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
REFERENCE_PAGE = "/healthz"
# Every public page; {group}, {election} and {meeting} are filled in from the running server's API (the
# regional group with the most open shops; the newest election; the latest past meeting, minutes and all, else
# the soonest upcoming one) before the runs.
PUBLIC_PAGES = [
    "/",
    "/threads",
    "/threads/1",
    "/threads?q=油烟",
    "/shops",
    "/shops/1",
    "/groups",
    "/groups/{group}",
    "/council",
    "/elections/{election}",
    "/council/motions",
    "/motions/1",
    "/meetings",
    "/meetings/{meeting}",
    "/privacy",
    "/offers",
    "/offers?open_now=1",
    "/needs",
    "/plans",
    "/plans/environment",
    "/proposals",
    "/proposals/1",
    "/projects",
    "/projects/1",
    "/funds",
    "/api/threads",
    "/api/shops",
    "/api/proposals",
    "/api/motions/1",
    "/api/projects",
    "/dashboard",
    "/api/dashboard",
    "/api/plans/environment/indicators",
    "/data/threads.csv",
]
# Driven in the signed-in mode by the logged-in merchants only, whose inboxes hold the 50 seeded notices
# (bench/seed_notices.py): a merchant's inbox and notice list. Shown as "<path> · merchants".
MERCHANT_PAGES = ["/inbox", "/notices"]
MODES = ("anonymous", "signed-in")
# --short: a tenth of the data, two seconds a page, no writers; explicit options still win.
SHORT = {"shops": 50, "people": 500, "threads": 1000, "duration": 2, "warmup": 0, "writers": 0}
PG_DATABASE = "bench_block"
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


class BenchError(ServerError):
    pass


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--short",
        action="store_true",
        help="quick check: " + ", ".join(f"--{key} {value}" for key, value in SHORT.items()),
    )
    parser.add_argument("--shops", type=int, default=500, help="shops to seed")
    parser.add_argument("--people", type=int, default=5000, help="people to seed (all residents)")
    parser.add_argument("--threads", type=int, default=10000, help="threads to seed (thread 1 has 20 answers)")
    parser.add_argument(
        "--pages",
        nargs="+",
        default=PUBLIC_PAGES,
        metavar="PATH",
        help=f"paths to drive ({REFERENCE_PAGE} always runs first, as the reference)",
    )
    parser.add_argument(
        "--merchant-pages",
        nargs="*",
        default=MERCHANT_PAGES,
        metavar="PATH",
        help="paths driven signed in by the merchants only (each has 50 notices); none: skip",
    )
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES), help="run each page in these modes")
    parser.add_argument(
        "--signed-in",
        type=int,
        default=16,
        metavar="N",
        help="seeded people logged in for the signed-in mode (half merchants, half residents)",
    )
    parser.add_argument(
        "--redis-url",
        help="share sessions through Redis (BLOCK_REDIS_URL) instead of the shared store var/shared-state.db",
    )
    parser.add_argument(
        "--writers", type=int, default=16, help="after the pages, this many people post answers at once (0: skip)"
    )
    parser.add_argument("--writers-duration", type=int, default=10, help="seconds of posting answers")
    parser.add_argument("--workers", type=int, default=2, help="block-service serve --workers")
    parser.add_argument("--connections", type=int, default=32, help="wrk -c")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page and mode")
    parser.add_argument(
        "--warmup",
        type=int,
        default=3,
        help="unmeasured seconds per page and mode first (each signed-in person's first visit renders their page)",
    )
    parser.add_argument("--port", type=int, default=0, help="server port (0: a free one)")
    parser.add_argument(
        "--log-level", default=None, help="serve --log-level; unset: the CLI's own (info, logs each request)"
    )
    parser.add_argument(
        "--pg-admin-url",
        help="where CREATE/DROP DATABASE bench_block is run",
        default=os.environ.get("BLOCK_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (SQLite file, server log)")
    parser.add_argument(
        "--no-shared-pages",
        action="store_true",
        help="BLOCK_SHARED_PAGES=false: render every anonymous page (what a signed-in visitor costs)",
    )
    args = parser.parse_args(argv)
    if args.short:
        parser.set_defaults(**SHORT)
        args = parser.parse_args(argv)
    for name in ("shops", "people", "workers", "connections", "duration"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if "signed-in" in args.modes and args.signed_in < 1:
        parser.error("--signed-in must be at least 1 when the signed-in mode runs")
    if not all(page.startswith("/") for page in [*args.pages, *args.merchant_pages]):
        parser.error("every --pages entry is a path starting with /")
    args.modes = [mode for mode in MODES if mode in args.modes]  # always anonymous first
    return args


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


# A request unanswered this long counts as a socket error; wrk's own 2 s would count each download of the
# open data's threads.csv (1.4 MB at 10k threads, streamed batch by batch) as one.
WRK_TIMEOUT = "10s"


def run_wrk(url: str, connections: int, seconds: int, script: Path | None = None) -> str:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", f"--timeout={WRK_TIMEOUT}", "--latency", url]
    if script is not None:
        command[1:1] = ["-s", str(script)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, stdin=subprocess.DEVNULL)
    if result.returncode != 0 or result.stderr.strip():  # wrk runs on without a script it cannot load
        raise BenchError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


# ---- signed-in people --------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedIn:
    person_id: int
    name: str
    role: str  # "merchant" or "resident"
    cookie: str  # the Cookie header a browser would send: session and CSRF cookies


def choose_people(count: int, shops: int, people: int) -> list[tuple[int, str]]:
    """Half merchants (the people who keep the first shops), half residents without a shop (the last people),
    as (person id, role). Writers post as people 1..--writers, in sessions of their own."""
    merchant_ids = list(range(1, min(shops, people) + 1))
    resident_ids = list(range(people, min(shops, people), -1))
    want_merchants = min(len(merchant_ids), max(count - len(resident_ids), (count + 1) // 2))
    chosen = [(person, "merchant") for person in merchant_ids[:want_merchants]]
    chosen += [(person, "resident") for person in resident_ids[: count - want_merchants]]
    if len(chosen) < count:
        raise BenchError(f"--signed-in {count} is more than the {people} seeded people")
    return chosen


def sign_in(base_url: str, chosen: list[tuple[int, str]]) -> list[SignedIn]:
    """Log each person in through the real form (POST /login with the CSRF cookie and token)."""

    async def main() -> list[writers.Cookies | None]:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            return await asyncio.gather(*[writers.log_in(client, person) for person, _role in chosen])

    sessions = asyncio.run(main())
    failed = [person for (person, _role), cookies in zip(chosen, sessions, strict=True) if cookies is None]
    if failed:
        raise BenchError(f"people {failed} could not log in (password {seed_bulk.PASSWORD!r})")
    return [
        SignedIn(person_id=person, name=seed_bulk.person_name(person), role=role, cookie=cookies.header()["cookie"])
        for (person, role), cookies in zip(chosen, sessions, strict=True)
    ]


def fetch(base_url: str, path: str, cookie: str | None = None) -> httpx.Response:
    headers = {"cookie": cookie} if cookie else {}
    return httpx.get(base_url + path, headers=headers, follow_redirects=False, timeout=30)


def check_page(base_url: str, page: str, mode: str, people: list[SignedIn]) -> str | None:
    """None when `page` answers 200 as `mode` expects; else what is wrong. A signed-in HTML page shows the
    person's name and the log-out button; an anonymous one shows neither. JSON is checked for its status
    (whose session it ran under is checked by check_sessions)."""
    person = people[0] if mode == "signed-in" else None
    response = fetch(base_url, page, person.cookie if person else None)
    if response.status_code != 200:
        return f"{page} ({mode}) answered {response.status_code}, not 200"
    if not response.headers.get("content-type", "").startswith("text/html"):
        return None
    body = response.text
    signed_in = 'action="/logout"' in body
    if person is not None and not (signed_in and person.name in body):
        return f"{page} with {person.name}'s session does not show their name and the log-out button"
    if person is None and signed_in:
        return f"{page} without a session shows a log-out button"
    return None


def check_sessions(base_url: str, people: list[SignedIn]) -> list[str]:
    """Every person's session still signs them in: /me answers 200 with their name (anonymous: a redirect)."""
    problems = []
    for person in people:
        response = fetch(base_url, "/me", person.cookie)
        if response.status_code != 200 or person.name not in response.text:
            problems.append(f"{person.name}'s session is not signed in: /me answered {response.status_code}")
    return problems


def lua_string(text: str) -> str:
    """A Lua string literal: JSON's escapes of printable ASCII mean the same in Lua."""
    literal = json.dumps(text)
    if not literal.isascii() or "\\u" in literal:
        raise BenchError(f"cannot put {text!r} in a wrk script")
    return literal


SIGNED_IN_MARKER = 'action="/logout"'  # the log-out button, on every HTML page of a signed-in person
CHECK_LINE = re.compile(r"^signed-in check: (\d+) responses, (\d+) not 200, (\d+) without the log-out button$", re.M)


def wrk_script(people: list[SignedIn], check_html: bool | None = None) -> str:
    """wrk Lua: one request built per person at start, then handed out in turn over all connections.

    With `check_html` not None the script also reads every response (which costs wrk time, so only the
    unmeasured warm-up does it) and counts those that are not 200 (a redirect to the log-in page is a
    3xx, which wrk itself does not count) and, for HTML pages, those without the log-out button."""
    cookies = ",\n  ".join(lua_string(person.cookie) for person in people)
    script = f"""-- written by bench/run.py: the signed-in people's cookies, taken in turn
local cookies = {{
  {cookies}
}}
local requests = {{}}
local turn = 0

function init(args)
  for n, cookie in ipairs(cookies) do
    requests[n] = wrk.format(nil, nil, {{["Cookie"] = cookie}})
  end
end

function request()
  turn = turn % #requests + 1
  return requests[turn]
end
"""
    if check_html is None:
        return script
    return (
        script
        + f"""
checked, not_ok, not_signed_in = 0, 0, 0
local marker = {lua_string(SIGNED_IN_MARKER) if check_html else "nil"}
local threads = {{}}

function setup(thread)
  table.insert(threads, thread)
end

function response(status, headers, body)
  checked = checked + 1
  if status ~= 200 then
    not_ok = not_ok + 1
  elseif marker and not string.find(body, marker, 1, true) then
    not_signed_in = not_signed_in + 1
  end
end

function done(summary, latency, requests)
  local total, bad_status, unsigned = 0, 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("checked")
    bad_status = bad_status + thread:get("not_ok")
    unsigned = unsigned + thread:get("not_signed_in")
  end
  io.write(string.format("signed-in check: %d responses, %d not 200, %d without the log-out button\\n",
                         total, bad_status, unsigned))
end
"""
    )


def read_check(output: str) -> tuple[int, int, int]:
    match = CHECK_LINE.search(output)
    if not match:
        raise BenchError(f"the checking wrk script printed no result:\n{output}")
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


# ---- pages -------------------------------------------------------------------------------------


def resolve_pages(base_url: str, pages: list[str]) -> tuple[list[str], list[str]]:
    """Fill {group}, {election} and {meeting} in from the server's API; (pages, notes on pages left out)."""
    values: dict[str, str | None] = {}
    if any("{group}" in page for page in pages):
        groups = fetch(base_url, "/api/groups").json()
        regional = [group for group in groups if group["kind"] == "regional"] or groups
        values["group"] = max(regional, key=lambda group: group["open_shops"])["slug"] if regional else None
    if any("{election}" in page for page in pages):
        elections = fetch(base_url, "/api/council").json()["elections"]
        values["election"] = str(max(election["id"] for election in elections)) if elections else None
    if any("{meeting}" in page for page in pages):
        meetings = fetch(base_url, "/api/meetings?when=past").json()["items"]
        meetings = meetings or fetch(base_url, "/api/meetings").json()["items"]
        values["meeting"] = str(meetings[0]["id"]) if meetings else None
    resolved, notes = [], []
    for page in pages:
        names = re.findall(r"{(\w+)}", page)
        missing = [name for name in names if values.get(name) is None]
        if missing:
            notes.append(f"{page} left out: the seed has no {missing[0]}")
            continue
        resolved.append(page.format(**{name: values[name] for name in names}))
    return resolved, notes


def url_of(base_url: str, page: str) -> str:
    return base_url + urllib.parse.quote(page, safe="/?=&%:+,")


def measure(
    base_url: str, page: str, mode: str, args: argparse.Namespace, people: list[SignedIn], work_dir: Path
) -> dict[str, object]:
    """One page in one mode: the warm-up (signed in: reading every response, see wrk_script), then the run."""
    url = url_of(base_url, page)
    script, checked = None, None
    if mode == "signed-in":
        html = fetch(base_url, page, people[0].cookie).headers.get("content-type", "").startswith("text/html")
        check_script = work_dir / "signed-in-check.lua"
        check_script.write_text(wrk_script(people, check_html=html))
        total, not_ok, unsigned = read_check(run_wrk(url, args.connections, max(args.warmup, 1), check_script))
        checked = {"responses": total, "not_200": not_ok, "without_log_out_button": unsigned, "html": html}
        script = work_dir / "signed-in.lua"
        script.write_text(wrk_script(people))
    elif args.warmup:
        run_wrk(url, args.connections, args.warmup)
    label = "" if mode == "anonymous" else f" signed in ({len(people)} people)"
    print(f"  {page}{label}: {args.duration} s with {args.connections} connections …", flush=True)
    row = {"page": page, "mode": mode, **parse_wrk(run_wrk(url, args.connections, args.duration, script))}
    if checked is not None:
        row["signed_in_check"] = checked
    return row


# ---- the table ---------------------------------------------------------------------------------


def format_table(rows: list[dict[str, object]], modes: list[str] | tuple[str, ...] = MODES) -> str:
    """Markdown: one line per page, for each mode requests/s, share of /healthz, p50 and p99; then errors
    (non-2xx/3xx responses and socket errors, all modes together)."""
    by_page: dict[str, dict[str, dict[str, object]]] = {}
    for row in rows:
        by_page.setdefault(str(row["page"]), {})[str(row.get("mode", "anonymous"))] = row
    shown = [mode for mode in modes if any(mode in cells for cells in by_page.values())]
    header = ["page"]
    for mode in shown:
        label = mode.replace("-", " ")
        header += [f"{label} req/s", f"{label} % of /healthz", f"{label} p50 ms", f"{label} p99 ms"]
    header.append("errors")
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    for page, cells in by_page.items():
        line = [f"`{page}`"]
        errors = 0
        for mode in shown:
            row = cells.get(mode)
            if row is None:
                line += ["–"] * 4
                continue
            ratio = row.get("ratio_to_healthz")
            line += [
                f"{row['requests_per_s']:,.0f}",
                f"{ratio:.0%}" if ratio is not None else "–",
                f"{row['p50_ms']:.1f}",
                f"{row['p99_ms']:.1f}",
            ]
            errors += int(row["non_2xx_3xx"]) + int(row["socket_errors"])
        line.append(str(errors))
        lines.append("| " + " | ".join(line) + " |")
    return "\n".join(lines)


def git_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() or None


def bench(args: argparse.Namespace, work_dir: Path) -> dict[str, object]:
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed: apt-get install -y wrk")
    env = servers.bench_env(work_dir, shared_pages="false" if args.no_shared_pages else "true")
    if args.redis_url:
        env["BLOCK_REDIS_URL"] = args.redis_url
    if args.engine == "postgres":
        pg_admin(
            args.pg_admin_url,
            f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)',
            f'CREATE DATABASE "{PG_DATABASE}"',
        )
        env["BLOCK_DATABASE_URL"] = f"{args.pg_admin_url.rsplit('/', 1)[0]}/{PG_DATABASE}"
    else:
        env["BLOCK_DATABASE_URL"] = f"sqlite:///{work_dir / 'bench.db'}"

    print(f"migrating a fresh {args.engine} database …", flush=True)
    run_cli(env, "migrate")
    started = time.perf_counter()
    counts = seed_bulk.seed(env["BLOCK_DATABASE_URL"], args.shops, args.people, args.threads, election=True)
    counts.update(seed_motions.seed(env["BLOCK_DATABASE_URL"]))
    counts.update(seed_notices.seed(env["BLOCK_DATABASE_URL"]))
    counts.update(seed_offers.seed(env["BLOCK_DATABASE_URL"]))
    counts.update(seed_projects.seed(env["BLOCK_DATABASE_URL"]))
    seed_seconds = round(time.perf_counter() - started, 2)
    print(f"seeded {counts} in {seed_seconds} s", flush=True)

    log_path = work_dir / "server.log"
    extra_args = ("--log-level", args.log_level) if args.log_level else ()
    rows: list[dict[str, object]] = []
    problems: list[str] = []
    people: list[SignedIn] = []
    server = servers.start_server(env, log_path=log_path, workers=args.workers, port=args.port, extra_args=extra_args)
    base_url = server.base_url
    command = server.process.args
    try:
        print(
            f"server up: {' '.join(command[1:])} (pid {server.pid}), sessions in "
            f"{'Redis' if args.redis_url else 'var/shared-state.db'}",
            flush=True,
        )
        pages, notes = resolve_pages(base_url, [page for page in args.pages if page != REFERENCE_PAGE])
        for note in notes:
            print(f"  {note}", flush=True)
        if "signed-in" in args.modes:
            people = sign_in(base_url, choose_people(args.signed_in, args.shops, args.people))
            problems += check_sessions(base_url, people)
            if problems:
                raise BenchError("the log-ins did not give signed-in sessions:\n" + "\n".join(problems))
            merchants = sum(person.role == "merchant" for person in people)
            print(
                f"  {len(people)} people logged in ({merchants} merchants, {len(people) - merchants} residents)",
                flush=True,
            )
        load_before = os.getloadavg()
        # Every page is checked in every mode before any clock starts: a wrong page list fails at once.
        for page in pages:
            for mode in args.modes:
                problem = check_page(base_url, page, mode, people)
                if problem:
                    raise BenchError(f"{problem}: fix the page list or the seed\n{log_tail(log_path)}")
        rows.append(measure(base_url, REFERENCE_PAGE, "anonymous", args, people, work_dir))
        for page in pages:
            for mode in args.modes:
                rows.append(measure(base_url, page, mode, args, people, work_dir))
        merchants_only = [person for person in people if person.role == "merchant"]
        if merchants_only and args.merchant_pages:
            for page in args.merchant_pages:
                problem = check_page(base_url, page, "signed-in", merchants_only)
                if problem:
                    raise BenchError(f"{problem}: fix the merchant page list or the seed\n{log_tail(log_path)}")
            for page in args.merchant_pages:
                row = measure(base_url, page, "signed-in", args, merchants_only, work_dir)
                rows.append({**row, "page": f"{page} · merchants"})
        healthz_after = measure(base_url, REFERENCE_PAGE, "anonymous", args, people, work_dir)
        load_after = os.getloadavg()
        if people:
            problems += check_sessions(base_url, people)
        writing = None
        if args.writers:
            print(f"  {args.writers} people posting answers for {args.writers_duration} s …", flush=True)
            writing = writers.run_writers(base_url, args.writers, args.writers_duration)
        memory = server_memory(server.pid)
    finally:
        server.stop()

    # The reference is the mean of /healthz before and after the pages: a machine that got busier or
    # quieter during the run then biases the shares less than with either run alone.
    healthz = (rows[0]["requests_per_s"] + healthz_after["requests_per_s"]) / 2
    for row in rows:
        row["ratio_to_healthz"] = round(row["requests_per_s"] / healthz, 4) if healthz else None
        if row["non_2xx_3xx"] or row["socket_errors"]:
            problems.append(
                f"{row['page']} ({row['mode']}): {row['non_2xx_3xx']} non-2xx/3xx responses, "
                f"{row['socket_errors']} socket errors"
            )
        check = row.get("signed_in_check")
        if check and (not check["responses"] or check["not_200"] or check["without_log_out_button"]):
            problems.append(
                f"{row['page']} (signed in, warm-up): of {check['responses']} responses "
                f"{check['not_200']} were not 200 and {check['without_log_out_button']} "
                "had no log-out button"
            )
    healthz_after["ratio_to_healthz"] = round(healthz_after["requests_per_s"] / healthz, 4) if healthz else None
    rows[0]["reference_requests_per_s"] = round(healthz, 1)
    return {
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "engine": args.engine,
        "shops": args.shops,
        "people": args.people,
        "threads": args.threads,
        "workers": args.workers,
        "shared_pages": not args.no_shared_pages,
        "sessions": "redis" if args.redis_url else "shared store (var/shared-state.db)",
        "modes": args.modes,
        "signed_in": [{"person_id": person.person_id, "role": person.role} for person in people],
        "connections": args.connections,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "server_command": " ".join(["block-service", *command[1:]]),
        "wrk": f"wrk -t1 -c{args.connections} -d{args.duration}s --timeout={WRK_TIMEOUT} --latency",
        "seeded_rows": counts,
        "seed_seconds": seed_seconds,
        "cpus": os.cpu_count(),
        "load_average": {
            "before": [round(value, 2) for value in load_before],
            "after": [round(value, 2) for value in load_after],
        },
        "python": platform.python_version(),
        "commit": git_commit(),
        "argv": sys.argv[1:],
        "pages_left_out": notes,
        "results": rows,
        "healthz_after": healthz_after,
        "table_markdown": format_table(rows, args.modes),
        "problems": problems,
        "writers": writing,
        "memory": memory,
    }


def print_report(report: dict[str, object]) -> None:
    load = report["load_average"]
    print()
    print(
        f"engine {report['engine']}, {report['shops']} shops, {report['people']} people, {report['threads']} "
        f"threads, {report['workers']} workers, sessions in {report['sessions']}, shared pages "
        f"{'on' if report['shared_pages'] else 'off'}, {report['wrk']} per page and mode, {report['cpus']} CPUs, "
        f"load average {' '.join(map(str, load['before']))} before, {' '.join(map(str, load['after']))} after"
    )
    print()
    print(report["table_markdown"])
    after = report["healthz_after"]
    print(
        f"\nshares are of the mean of {REFERENCE_PAGE} before the pages (the first line) and after them: "
        f"{after['requests_per_s']:,.0f} req/s, p99 {after['p99_ms']:.1f} ms"
    )
    for note in report["pages_left_out"]:
        print(note)
    writing = report.get("writers")
    if writing:
        print(
            f"\nposting answers: {writing['writers']} writers for {writing['seconds']} s: "
            f"{writing['answers']} answers ({writing['answers_per_s']}/s), p50 {writing['p50_ms']} ms, "
            f"p99 {writing['p99_ms']} ms, "
            f"max {writing['max_ms']} ms, failures {writing['failures']}"
        )
    memory = report["memory"]
    print()
    print(
        f"resident memory after the run: supervisor pid {memory['supervisor']['pid']} "
        f"{memory['supervisor']['rss_mib']} MiB"
    )
    for worker in memory["workers"]:
        print(f"  worker pid {worker['pid']}: {worker['rss_mib']} MiB")
    if report["problems"]:
        print("\nTHE FIGURES ARE NOT TRUSTWORTHY:", *report["problems"], sep="\n  ")


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
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
