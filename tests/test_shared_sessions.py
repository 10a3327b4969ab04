"""Without Redis, every worker of `serve --workers 2` shares sessions and rate limits (issue 8, defect 11)."""

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
                await fresh.get("/healthz")
                response = await fresh.post("/login", data={"contact": f"1390000{attempt:04d}", "password": "wrong"},
                                            headers={"x-csrftoken": fresh.cookies["block_csrf"]})
                statuses.append(response.status_code)
                if response.status_code == 429:
                    refusals.append(response.text)
    assert statuses[:4].count(429) == 0 and statuses[4:] == [429] * 4, statuses
    assert all("Too many attempts" in text for text in refusals)
