"""bench/run.py without the service: its options and page list, its table, who it signs in, and its wrk
script (against a stand-in server of a few lines, when wrk is installed)."""

from __future__ import annotations

import http.server
import importlib.util
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def run():
    # run.py imports its neighbours (seed_bulk, servers, writers) as top-level modules, as when it is run.
    sys.path.insert(0, str(BENCH_DIR))
    try:
        spec = importlib.util.spec_from_file_location("bench_run", BENCH_DIR / "run.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_run"] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("bench_run", None)
        sys.path.remove(str(BENCH_DIR))


def test_help_runs():
    result = subprocess.run(
        [sys.executable, str(BENCH_DIR / "run.py"), "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "--modes" in result.stdout and "--short" in result.stdout


def test_every_public_page_in_both_modes_by_default(run):
    args = run.parse_args([])
    assert args.pages == [
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
    assert args.modes == ["anonymous", "signed-in"]
    assert (args.threads, args.duration, args.signed_in) == (10000, 10, 16)


def test_short_form_is_a_tenth_of_the_data_and_explicit_options_win(run):
    args = run.parse_args(["--short", "--duration", "3", "--modes", "signed-in", "anonymous"])
    assert (args.shops, args.people, args.threads, args.writers, args.warmup) == (50, 500, 1000, 0, 0)
    assert args.duration == 3
    assert args.modes == ["anonymous", "signed-in"]  # always anonymous first


def test_half_merchants_half_residents(run):
    assert run.choose_people(4, shops=50, people=500) == [
        (1, "merchant"),
        (2, "merchant"),
        (500, "resident"),
        (499, "resident"),
    ]
    # Fewer residents without a shop than wanted: merchants make up the rest.
    assert run.choose_people(3, shops=10, people=11) == [(1, "merchant"), (2, "merchant"), (11, "resident")]


def test_table_is_markdown_with_both_modes_on_one_line(run):
    def row(page, mode, rps, ratio, p50, p99, non_2xx=0):
        return {
            "page": page,
            "mode": mode,
            "requests_per_s": rps,
            "ratio_to_healthz": ratio,
            "p50_ms": p50,
            "p99_ms": p99,
            "non_2xx_3xx": non_2xx,
            "socket_errors": 0,
        }

    table = run.format_table(
        [
            row("/healthz", "anonymous", 4000.0, 1.0, 7.0, 20.0),
            row("/threads", "anonymous", 3200.4, 0.8001, 9.0, 30.0),
            row("/threads", "signed-in", 640.0, 0.16, 45.5, 123.04, non_2xx=2),
        ]
    )
    assert table.splitlines() == [
        "| page | anonymous req/s | anonymous % of /healthz | anonymous p50 ms | anonymous p99 ms "
        "| signed in req/s | signed in % of /healthz | signed in p50 ms | signed in p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        "| `/healthz` | 4,000 | 100% | 7.0 | 20.0 | – | – | – | – | 0 |",
        "| `/threads` | 3,200 | 80% | 9.0 | 30.0 | 640 | 16% | 45.5 | 123.0 | 2 |",
    ]


class _StandIn(http.server.BaseHTTPRequestHandler):
    """Answers every GET with a page that has the log-out button only for the cookie "s=in"."""

    cookies: list[str] = []

    def do_GET(self):
        cookie = self.headers.get("cookie", "")
        self.cookies.append(cookie)
        body = b'<form action="/logout"></form>' if cookie == "s=in" else b"<a href=/login>log in</a>"
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install -y wrk)")
def test_wrk_script_sends_each_persons_cookie_and_counts_pages_without_log_out(run, tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/threads"
    people = [
        run.SignedIn(person_id=n, name=f"居民{n}", role="resident", cookie=cookie)
        for n, cookie in enumerate(["s=in", "s=out"], start=1)
    ]
    script = tmp_path / "check.lua"
    try:
        script.write_text(run.wrk_script(people, check_html=True))
        responses, not_ok, unsigned = run.read_check(run.run_wrk(url, 2, 1, script))
        script.write_text(run.wrk_script(people[:1], check_html=True))
        only_signed_in = run.read_check(run.run_wrk(url, 2, 1, script))
    finally:
        server.shutdown()
        server.server_close()
    assert set(_StandIn.cookies) == {"s=in", "s=out"}
    assert responses > 0 and not_ok == 0
    assert abs(unsigned - responses / 2) <= 2  # the people take turns, so half of the pages are signed out
    assert only_signed_in[0] > 0 and only_signed_in[1:] == (0, 0)


def test_the_motions_seed_gives_a_closed_roll_call_and_an_open_vote(run):
    import datetime as dt

    import seed_motions

    rows = seed_motions.plan([(person, person + 100) for person in range(1, 8)], dt.datetime.now(dt.UTC))
    assert [seat[3] for seat in rows["council_seat"]] == ["chair", "member", "member", "member", "member"]
    closed, opened = rows["council_motion"]
    assert (closed[6], closed[12], closed[13:]) == ("closed", "passed", (4, 2, 1, 1))
    assert opened[6] == "open"
    assert [vote[2] for vote in rows["council_motion_vote"] if vote[0] == 1] == ["yes", "yes", "no", "abstain"]
    assert sum(1 for member in rows["council_motion_member"] if member[3] == "recused") == 1


def test_the_meetings_seed_gives_a_past_hearing_with_minutes_and_upcoming_meetings(run):
    import datetime as dt

    import seed_motions

    moment = dt.datetime.now(dt.UTC)
    rows = seed_motions.plan([(person, person + 100) for person in range(1, 8)], moment)
    meetings = rows["meeting"]
    assert [meeting[0] for meeting in meetings] == ["hearing", "coordination", "council", "evaluation"]
    hearing = dict(zip(seed_motions.MEETING, meetings[0], strict=True))
    assert hearing["ends_at"] < moment and hearing["minutes_published_at"] and hearing["proposal_id"] == 1
    assert all(meeting[3] > moment for meeting in meetings[1:])
    assert all(len(row) == len(seed_motions.COLUMNS[table]) for table, items in rows.items() for row in items)
    for number, meeting in enumerate(meetings, start=1):  # "going" is the number of yes answers
        assert meeting[9] == sum(1 for answer in rows["meeting_rsvp"] if answer[:1] == (number,) and answer[2] == "yes")
    assert [item[5] != "" for item in rows["meeting_agenda_item"] if item[0] == 1] == [True, True, True]


def test_meeting_pages_are_filled_from_the_api_past_first(run, monkeypatch):
    class Answer:
        def __init__(self, data):
            self.data = data

        def json(self):
            return self.data

    listings = {"/api/meetings?when=past": {"items": [{"id": 7}, {"id": 3}]}, "/api/meetings": {"items": [{"id": 9}]}}
    monkeypatch.setattr(run, "fetch", lambda base_url, path: Answer(listings[path]))
    assert run.resolve_pages("http://stand-in", ["/meetings", "/meetings/{meeting}"]) == (
        ["/meetings", "/meetings/7"],
        [],
    )
    listings["/api/meetings?when=past"] = {"items": []}
    assert run.resolve_pages("http://stand-in", ["/meetings/{meeting}"])[0] == ["/meetings/9"]
    listings["/api/meetings"] = {"items": []}
    assert run.resolve_pages("http://stand-in", ["/meetings/{meeting}"]) == (
        [],
        ["/meetings/{meeting} left out: the seed has no meeting"],
    )


def test_the_notices_seed_gives_each_merchant_50_notices_half_read(run):
    import datetime as dt

    import seed_notices

    rows = seed_notices.plan([(shop, shop + 100) for shop in range(1, 4)], 1, dt.datetime.now(dt.UTC))
    assert len(rows["notice"]) == 50 and all(n[7] == 3 for n in rows["notice"])
    assert len(rows["notice_audience"]) == 150 and len(rows["notice_recipient"]) == 150
    assert sum(1 for entry in rows["inbox_entry"] if entry[0] == 101) == 50
    assert sum(1 for read in rows["notice_read"] if read[1] == 101) == 25


def test_merchant_pages_run_signed_in_by_default(run):
    assert run.parse_args([]).merchant_pages == ["/inbox", "/notices"]
    assert run.parse_args(["--merchant-pages"]).merchant_pages == []


def test_the_projects_seed_keeps_the_ledger_rules_and_makes_project_1_rich(run):
    import datetime as dt

    import seed_projects

    now = dt.datetime.now(dt.UTC)
    sizes = ("large", "small", "mini")
    proposals = [(pid, 1 + pid % 6, 1, sizes[(pid - 1) % 3], pid, f"提案：第{pid}件事") for pid in range(1, 101)]
    served = {pid: [pid, pid + 1, pid + 2] for pid in range(1, 101)}
    seats = [(seat, seat + 10) for seat in range(1, 6)]
    rows, moved = seed_projects.plan(proposals, served, seats, [(s, s) for s in range(1, 51)], 500, 3, now)
    assert all(len(row) == len(seed_projects.COLUMNS[table]) for table, items in rows.items() for row in items)
    projects = [dict(zip(seed_projects.PROJECT, row, strict=True)) for row in rows["project"]]
    assert 1 not in {p["proposal_id"] for p in projects}  # proposal 1 stays the busy submitted one
    assert {p["size"] for p in projects} == set(sizes)
    assert {p["state"] for p in projects} == {
        "planned",
        "in_progress",
        "stalled",
        "completed",
        "evaluated",
        "cancelled",
    }
    assert [m[0] for m in moved] == ["passed"] * len(projects) and {m[2] for m in moved} == {p["id"] for p in projects}
    first = projects[0]
    assert (first["id"], first["size"], first["state"]) == (1, "small", "in_progress")
    milestones = [row for row in rows["project_milestone"] if row[0] == 1]
    assert len(milestones) == 5 and any(row[4] for row in milestones)
    assert any(row[4] is None and row[2] < now.date() for row in milestones)  # an overdue one
    assert sum(1 for row in rows["project_update"] if row[0] == 1) == 4
    entries = [dict(zip(seed_projects.FUND_ENTRY, row, strict=True)) for row in rows["fund_entry"]]
    assert sum(1 for e in entries if e["project_id"] == 1 and e["kind"] == "spending") == 4
    assert [e["kind"] for e in entries[:3]] == ["income"] * 3  # income first
    total = {kind: sum(e["amount_fen"] for e in entries if e["kind"] == kind) for kind in ("income", "allocation")}
    assert total["allocation"] <= total["income"]
    caps = {p["id"]: p["budget_cap"] for p in projects}
    for project_id in {e["project_id"] for e in entries if e["project_id"]}:
        allocated = sum(e["amount_fen"] for e in entries if e["project_id"] == project_id and e["kind"] == "allocation")
        spent = sum(e["amount_fen"] for e in entries if e["project_id"] == project_id and e["kind"] == "spending")
        assert spent <= allocated <= caps[project_id] * 100
        assert all(e["spent_on"] <= now.date() for e in entries if e["kind"] == "spending")
    paid = {e["project_id"] for e in entries if e["project_id"]}
    assert all(p["size"] == "small" for p in projects if p["id"] in paid)
    pledged = {row[1] for row in rows["pledge"]} | {row[1] for row in rows["pledge_goal"]}
    sizes_of = {p["id"]: p["size"] for p in projects}
    assert pledged and all(sizes_of[project_id] == "mini" for project_id in pledged)
    evaluated = {p["id"] for p in projects if p["state"] == "evaluated"}
    assert evaluated and evaluated <= {row[0] for row in rows["project_evaluation"]}
    for p in projects:
        if p["state"] in ("completed", "evaluated"):
            assert p["maintainer_type"] and p["completed_at"] < p["evaluation_closes_at"]
        if p["state"] == "completed":
            assert p["evaluation_closes_at"] > now  # the periodic round leaves it alone during the run


def test_compare_says_which_page_slowed_down_with_more_data_drift_aside(tmp_path):
    def report(threads: int, healthz: float, pages: dict[str, float]) -> dict:
        rows = [{"page": "/healthz", "mode": "anonymous", "requests_per_s": healthz, "p99_ms": 5.0}]
        rows += [
            {"page": page, "mode": "anonymous", "requests_per_s": rps, "p99_ms": 9.0, "ratio_to_healthz": rps / healthz}
            for page, rps in pages.items()
        ]
        return {"engine": "sqlite", "threads": threads, "shops": 50, "people": 500, "results": rows}

    # The smaller run's machine was twice as fast (healthz): /threads kept its share, /search lost half of it.
    large = report(10_000, 1000.0, {"/threads": 800.0, "/search": 200.0})
    small = report(1_000, 2000.0, {"/threads": 1600.0, "/search": 800.0})
    larger, smaller = tmp_path / "large.json", tmp_path / "small.json"
    larger.write_text(json.dumps(large))
    smaller.write_text(json.dumps(small))
    result = subprocess.run(
        [sys.executable, str(BENCH_DIR / "compare.py"), str(larger), str(smaller)], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "| `/threads` | anonymous | 800 | 9.0 | 1,600 | 9.0 | 1.00× |" in result.stdout
    assert "/search (anonymous): 2.00× slower" in result.stderr and "/threads (" not in result.stderr
