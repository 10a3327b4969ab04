"""Live-update streams are limited per client and end when their viewer may no longer see the thread.
Against the real server: streaming needs a real HTTP connection."""

from __future__ import annotations

import asyncio
import contextlib
import types
from dataclasses import dataclass, field

import httpx

from block_service.web import live
from tests.helpers import Browser, eventually, make_person, make_thread
from tests.real_server import real_server

ENGLISH = {"accept-language": "en"}
WAIT = 15  # seconds any single step may take on a busy 2-core machine


@dataclass
class Stream:
    """One open page's event stream, read by a task until the server ends it."""

    status: int | None = None
    lines: list[str] = field(default_factory=list)
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task | None = None

    @property
    def events(self) -> list[str]:
        return [line for line in self.lines if line.startswith("event:")]

    async def ended(self) -> bool:
        """True once the server has closed the stream (within WAIT seconds)."""
        try:
            await asyncio.wait_for(asyncio.shield(self.task), WAIT)
        except TimeoutError:
            return False
        return True

    async def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
            await self.task


async def follow(client: httpx.AsyncClient, path: str) -> Stream:
    """Opens the stream and returns once the server answered: subscribed (200), or refused."""
    stream = Stream()

    async def read() -> None:
        async with client.stream("GET", path, timeout=httpx.Timeout(WAIT, read=None)) as response:
            stream.status = response.status_code
            if response.status_code != 200:
                stream.lines.append((await response.aread()).decode())
                stream.answered.set()
                return
            async for line in response.aiter_lines():
                stream.lines.append(line)
                if line.startswith(": listening"):
                    stream.answered.set()

    stream.task = asyncio.create_task(read())
    done, _ = await asyncio.wait(
        [stream.task, asyncio.create_task(stream.answered.wait())], timeout=WAIT, return_when=asyncio.FIRST_COMPLETED
    )
    if stream.task in done:
        stream.task.result()  # raises what went wrong
    assert stream.answered.is_set(), f"no answer from {path} within {WAIT} s"
    return stream


@contextlib.asynccontextmanager
async def _signed_in(server, contact: str, name: str, roles=("resident",)):
    person_id = await make_person(name, contact, roles=roles)
    async with httpx.AsyncClient(base_url=server.base_url, headers=ENGLISH) as client:
        browser = Browser(client)
        await browser.log_in(contact)
        yield browser, person_id


async def test_a_person_gets_a_clear_429_beyond_the_cap_and_a_closed_stream_frees_its_place(db, tmp_path):
    reporter_id = await make_person("王阿姨", "13900000501")
    thread_id = await make_thread(reporter_id)
    path = f"/threads/{thread_id}/events"
    async with real_server(tmp_path) as server:
        async with _signed_in(server, "13900000502", "李先生") as (resident, _):
            streams = [await follow(resident.client, path) for _ in range(live.MAX_STREAMS_PER_PERSON)]
            assert [stream.status for stream in streams] == [200] * live.MAX_STREAMS_PER_PERSON
            refused = await follow(resident.client, path)
            assert refused.status == 429
            # The person's own language (zh-Hans, their profile's) wins over the browser's.
            assert "本站正在接收实时更新的页面过多" in refused.lines[0]

            await streams[0].close()  # the tab is closed: the client goes away without a word

            async def let_in_again():  # once the server noticed the disconnect, in its own time
                attempt = await follow(resident.client, path)
                return attempt if attempt.status == 200 else None

            again = await eventually(let_in_again, timeout=WAIT, every=0.1)
            for stream in [*streams[1:], again]:
                await stream.close()


async def test_a_visitors_stream_ends_when_staff_hide_the_thread(db, tmp_path):
    reporter_id = await make_person("王阿姨", "13900000511")
    thread_id = await make_thread(reporter_id)
    async with real_server(tmp_path) as server:
        async with (
            _signed_in(server, "staff@test.example", "工作站", roles=("staff",)) as (staff, _),
            httpx.AsyncClient(base_url=server.base_url, headers=ENGLISH) as visitor,
        ):
            stream = await follow(visitor, f"/threads/{thread_id}/events")
            hide = await staff.post(
                f"/staff/moderation/thread/{thread_id}", {"action": "hide", "reason": "含有个人电话"}
            )
            assert hide.status_code == 303
            assert await stream.ended()
            assert stream.events == []  # not even the signal that something changed
            assert (await follow(visitor, f"/threads/{thread_id}/events")).status == 404


async def test_a_stream_ends_at_the_next_event_once_the_account_is_disabled(db, tmp_path):
    reporter_id = await make_person("王阿姨", "13900000521")
    thread_id = await make_thread(reporter_id)
    async with real_server(tmp_path) as server:
        async with (
            _signed_in(server, "staff@test.example", "工作站", roles=("staff",)) as (staff, _),
            _signed_in(server, "13900000522", "李先生") as (resident, resident_id),
        ):
            stream = await follow(resident.client, f"/threads/{thread_id}/events")
            disable = await staff.post(f"/staff/people/{resident_id}/disable", {"reason": "冒用他人身份"})
            assert disable.status_code == 303
            answer = await staff.post(f"/threads/{thread_id}/answers", {"body": "已收到，明天处理。"})
            assert answer.status_code == 303
            assert await stream.ended()
            assert stream.events == []


async def test_an_open_stream_rechecks_access_at_every_keep_alive(monkeypatch):
    """No event needed: the periodic keep-alive re-checks too (a member removed from a group, a session
    that ended) and ends the stream."""
    from litestar.channels import ChannelsPlugin
    from litestar.channels.backends.memory import MemoryChannelsBackend

    monkeypatch.setattr(live, "KEEPALIVE_SECONDS", 0.05)
    plugin = ChannelsPlugin(backend=MemoryChannelsBackend(), arbitrary_channels_allowed=True)
    await plugin._on_startup()
    app = types.SimpleNamespace(plugins=types.SimpleNamespace(get=lambda _: plugin))
    allowed, checks, given_back = asyncio.Event(), [], []
    allowed.set()

    async def still_allowed() -> bool:
        checks.append(allowed.is_set())
        return allowed.is_set()

    try:
        stream = live.thread_events(app, 7, still_allowed=still_allowed, give_back=lambda: given_back.append(1))
        first = await asyncio.wait_for(anext(stream), WAIT)
        assert first.comment == "listening"
        assert (await asyncio.wait_for(anext(stream), WAIT)).comment == "keep-alive"
        allowed.clear()  # e.g. removed from the group while the page is open
        remaining = [message async for message in stream]
        assert remaining == [] and checks[-1] is False and given_back == [1]
    finally:
        await plugin._on_shutdown()
