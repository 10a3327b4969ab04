"""Live updates across processes: two servers behind one Redis, an answer on one reaches a page open on the other."""

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.test_redis_shared_state import REDIS_URL, _redis_reachable

BLOCK_SERVICE = Path(sys.executable).parent / "block-service"
ENGINE = os.environ.get("BLOCK_TEST_DATABASE", "sqlite")
PG_ADMIN_URL = os.environ.get("BLOCK_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _pg(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def _servers(tmp_path, count: int = 2):
    """`count` real server processes on one database and one Redis, as production runs them."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BLOCK_")}
    database = f"block_live_{uuid.uuid4().hex[:8]}"
    if ENGINE == "postgres":
        await _pg(f'CREATE DATABASE "{database}"')
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}"
    else:
        url = f"sqlite:///{tmp_path / 'live.db'}"
    env.update({"BLOCK_DEBUG": "true", "BLOCK_VAR_DIR": str(tmp_path / "var"), "BLOCK_DATABASE_URL": url,
                "BLOCK_REDIS_URL": REDIS_URL, "BLOCK_LOGIN_RATE_PER_MINUTE": "1000"})
    subprocess.run([str(BLOCK_SERVICE), "migrate"], env=env, check=True, capture_output=True, timeout=120)
    processes, urls = [], []
    try:
        for _ in range(count):
            port = _free_port()
            processes.append(subprocess.Popen(
                [str(BLOCK_SERVICE), "serve", "--port", str(port), "--log-level", "warning"], env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            urls.append(f"http://127.0.0.1:{port}")
        async with httpx.AsyncClient() as probe:
            for url in urls:
                deadline = time.monotonic() + 20
                while True:
                    with contextlib.suppress(httpx.HTTPError):
                        if (await probe.get(f"{url}/healthz")).status_code == 200:
                            break
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"server at {url} did not start")
                    await asyncio.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        if ENGINE == "postgres":
            await _pg(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


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
            signup = await writer.post("/signup", data={
                "display_name": "王阿姨", "contact": "13900000301", "password": "a-good-password",
                "password_again": "a-good-password"}, headers={"x-csrftoken": token})
            assert signup.status_code == 303
            report = await writer.post("/threads/new", data={
                "kind": "report", "title": "门口纸箱占道", "body": "人行道被堵", "category_id": "3",
                "house_number": "1143号"}, files=[("photos", ("", b"", "application/octet-stream"))],
                headers={"x-csrftoken": token})
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

            listener = asyncio.create_task(listen())
            await asyncio.wait_for(listening.wait(), 10)
            await asyncio.sleep(0.1)  # Redis confirms a SUBSCRIBE asynchronously
            answer = await writer.post(f"{thread_path}/answers", data={"body": "我也看到了"},
                                       headers={"x-csrftoken": token})
            assert answer.status_code == 303
            await asyncio.wait_for(listener, 10)
            assert received == ["event: update"]
            fragment = await reader.get(f"{thread_path}/messages")
            assert "我也看到了" in fragment.text
