"""Without Redis, every worker of `serve --workers 2` shares sessions and rate limits."""

from __future__ import annotations

import httpx

from tests.helpers import Browser, make_person
from tests.real_server import real_server

ENGLISH = {"accept-language": "en"}


async def test_twenty_fresh_connections_with_a_session_cookie_are_all_signed_in(db, tmp_path):
    await make_person("王阿姨", "13900000411")
    async with real_server(tmp_path, workers=2) as server:
        async with httpx.AsyncClient(base_url=server.base_url, headers=ENGLISH) as client:
            await Browser(client).log_in("13900000411")
            cookies = dict(client.cookies)
        signed_in = 0
        for _ in range(20):
            # A client of its own each time: a new connection, which the kernel gives to either worker.
            async with httpx.AsyncClient(base_url=server.base_url, headers=ENGLISH, cookies=cookies) as fresh:
                response = await fresh.get("/me")
                signed_in += response.status_code == 200 and "王阿姨" in response.text
    assert signed_in == 20


async def test_the_log_in_limit_counts_attempts_on_both_workers(db, tmp_path):
    async with real_server(tmp_path, workers=2, login_rate_per_minute="4") as server:
        statuses, refusals = [], []
        for attempt in range(8):
            async with httpx.AsyncClient(base_url=server.base_url, headers=ENGLISH) as fresh:
                response = await Browser(fresh).post(
                    "/login", {"contact": f"1390000{attempt:04d}", "password": "wrong"}
                )
                statuses.append(response.status_code)
                if response.status_code == 429:
                    refusals.append(response.text)
    assert statuses[:4].count(429) == 0 and statuses[4:] == [429] * 4, statuses
    assert all("Too many attempts" in text for text in refusals)


async def test_the_shared_store_forgets_expired_entries_on_read_and_in_the_periodic_cleanup(tmp_path, monkeypatch):
    from block_service.web import stores

    now = [1_800_000_000.0]
    monkeypatch.setattr(stores.time, "time", lambda: now[0])
    root = stores.shared_store(tmp_path)
    sessions, counters = root.with_namespace("sessions"), root.with_namespace("rate_limit")
    try:
        await sessions.set("read-late", b"a", expires_in=60)
        await sessions.set("never-read", b"b", expires_in=60)
        await sessions.set("renewed", b"c", expires_in=60)
        await counters.set("read-late", b"other namespace", expires_in=600)
        now[0] += 30
        assert await sessions.get("renewed", renew_for=60) == b"c"
        now[0] += 45
        assert await sessions.get("read-late") is None
        assert await counters.get("read-late") == b"other namespace"
        assert await sessions.get("renewed") == b"c"
        assert await sessions.delete_expired() == 1  # "never-read"; "read-late" went when it was read
        rows = root._db.get().execute("SELECT namespace, key FROM entries ORDER BY key").fetchall()
        assert rows == [("block:rate_limit", "read-late"), ("block:sessions", "renewed")]
    finally:
        root.close()


async def test_the_periodic_task_deletes_ended_sessions_nobody_reads_again(settings, monkeypatch):
    from block_service.app import close_stores, create_app
    from block_service.threads.tasks import delete_expired_entries
    from block_service.web import stores

    app = create_app(settings)
    sessions = app.stores.get("sessions")
    try:
        await sessions.set("abandoned", b"{}", expires_in=60)
        await sessions.set("in-use", b"{}", expires_in=3600)
        later = stores.time.time() + 120
        monkeypatch.setattr(stores.time, "time", lambda: later)
        assert await delete_expired_entries(app) == 1
        assert await sessions.expires_in("abandoned") is None and await sessions.get("in-use") == b"{}"
    finally:
        await close_stores(app)
