"""Live updates across processes: two servers behind one Redis, an answer on one reaches a page open on the other."""

import asyncio
import contextlib
import os
import uuid

import httpx
import pytest

from bench.servers import database, run_cli, server_env, start_server
from tests.helpers import eventually
from tests.test_redis_shared_state import REDIS_URL, _redis_reachable

ENGINE = os.environ.get("BLOCK_TEST_DATABASE", "sqlite")


@contextlib.asynccontextmanager
async def _servers(tmp_path, count: int = 2):
    """`count` real server processes on one database and one Redis, as production runs them."""
    with database(ENGINE, tmp_path, f"block_live_{uuid.uuid4().hex[:8]}") as url:
        env = server_env(url, tmp_path / "var", redis_url=REDIS_URL, login_rate_per_minute="1000")
        await asyncio.to_thread(run_cli, env, "migrate", timeout=120)
        started = []
        try:
            for number in range(count):
                started.append(
                    await asyncio.to_thread(
                        start_server,
                        env,
                        log_path=tmp_path / f"server-{number}.log",
                        extra_args=("--log-level", "warning"),
                    )
                )
            yield [server.base_url for server in started]
        finally:
            for server in started:
                await asyncio.to_thread(server.stop)


async def _csrf(client: httpx.AsyncClient) -> str:
    await client.get("/healthz")
    return client.cookies["block_csrf"]  # the server runs with BLOCK_DEBUG=true: plain cookie names


async def test_an_answer_posted_on_one_process_reaches_a_page_open_on_the_other(tmp_path):
    if not _redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis must answer on 127.0.0.1:6379 in CI")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    async with _servers(tmp_path) as (first, second):
        async with httpx.AsyncClient(base_url=first) as writer, httpx.AsyncClient(base_url=second) as reader:
            token = await _csrf(writer)
            signup = await writer.post(
                "/signup",
                data={
                    "display_name": "王阿姨",
                    "contact": "13900000301",
                    "password": "a-good-password",
                    "password_again": "a-good-password",
                    "accept_privacy": "true",
                },
                headers={"x-csrftoken": token},
            )
            assert signup.status_code == 303
            report = await writer.post(
                "/threads/new",
                data={
                    "kind": "report",
                    "title": "门口纸箱占道",
                    "body": "人行道被堵",
                    "category_id": "3",
                    "house_number": "1143号",
                },
                files=[("photos", ("", b"", "application/octet-stream"))],
                headers={"x-csrftoken": token},
            )
            assert report.status_code == 303, report.text[:300]
            thread_path = report.headers["location"]

            received: list[str] = []
            listening = asyncio.Event()

            async def listen() -> None:
                async with reader.stream("GET", f"{thread_path}/events", timeout=15) as stream:
                    async for line in stream.aiter_lines():
                        if line.startswith(":"):
                            listening.set()
                        if line.startswith("event:"):
                            received.append(line)
                            return

            from redis.asyncio import Redis

            redis = Redis.from_url(REDIS_URL)
            channel = "thread:" + thread_path.rsplit("/", 1)[1]

            async def subscribers() -> int:
                return dict(await redis.pubsub_numsub(channel)).get(channel.encode(), 0)

            before = await subscribers()  # pub/sub is shared by every Redis database: count what is new
            listener = asyncio.create_task(listen())
            await asyncio.wait_for(listening.wait(), 10)

            async def subscribed() -> bool:  # Redis takes the page's SUBSCRIBE in its own time
                return await subscribers() > before

            await eventually(subscribed, timeout=10)
            await redis.aclose()
            answer = await writer.post(
                f"{thread_path}/answers", data={"body": "我也看到了"}, headers={"x-csrftoken": token}
            )
            assert answer.status_code == 303
            await asyncio.wait_for(listener, 10)
            assert received == ["event: update"]
            fragment = await reader.get(f"{thread_path}/messages")
            assert "我也看到了" in fragment.text
