"""With BLOCK_REDIS_URL, sessions and rate-limit counters are shared by every process of the service."""

import os
import socket

import pytest
from httpx import ASGITransport, AsyncClient

from tests.conftest import make_settings
from tests.helpers import Browser, make_person

REDIS_URL = os.environ.get("BLOCK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_reachable() -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", 6379)) == 0


async def fresh_redis():
    """The test Redis, emptied; the test is skipped (failed in CI) when Redis is not running."""
    if not _redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis must answer on 127.0.0.1:6379 in CI")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    await redis.flushdb()
    return redis


@pytest.fixture
async def two_processes(db):
    """Two app instances, as two workers behind one address would be, sharing one Redis."""
    redis = await fresh_redis()
    from block_service.app import close_stores, create_app

    apps = [create_app(make_settings(redis_url=REDIS_URL, login_rate_per_minute=4)) for _ in range(2)]
    clients = [AsyncClient(transport=ASGITransport(app=app), base_url="https://testserver") for app in apps]
    yield clients
    for client in clients:
        await client.aclose()
    for app in apps:
        await close_stores(app)
    await redis.flushdb()
    await redis.aclose()


async def test_a_session_started_on_one_process_works_on_the_other(two_processes):
    first, second = two_processes
    await make_person("居民", "13900000031")
    await Browser(first).log_in("13900000031")
    second.cookies.update(first.cookies)
    response = await second.get("/me")
    assert response.status_code == 200 and "居民" in response.text
    await Browser(second).post("/logout")
    first.cookies.update(second.cookies)
    assert (await first.get("/me")).status_code == 303


async def test_rate_limit_counts_across_processes(two_processes):
    clients = two_processes
    statuses = []
    for attempt in range(6):
        browser = Browser(clients[attempt % 2])
        response = await browser.post("/login", {"contact": "13900000032", "password": "wrong"})
        statuses.append(response.status_code)
    assert statuses.count(429) == 2, statuses
