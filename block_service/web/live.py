"""Live updates: services' events go out on a channel per thread; open pages listen by SSE."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from litestar import Litestar
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.response import ServerSentEventMessage

logger = logging.getLogger("block_service")
KEEPALIVE_SECONDS = 20
STREAM_LIFETIME_SECONDS = 15 * 60


def create_channels_plugin(redis_url: str | None) -> ChannelsPlugin:
    """In-process by default; through Redis pub/sub when several processes serve the same block."""
    if redis_url:
        from litestar.channels.backends.redis import RedisChannelsPubSubBackend
        from redis.asyncio import Redis

        backend = RedisChannelsPubSubBackend(redis=Redis.from_url(redis_url), key_prefix="block_channels")
    else:
        backend = MemoryChannelsBackend()
    return ChannelsPlugin(backend=backend, arbitrary_channels_allowed=True, create_ws_route_handlers=False)


def thread_channel(thread_id: int) -> str:
    return f"thread:{thread_id}"


def announce(app: Litestar, thread_id: int, event: str = "update") -> None:
    """Tell every open page of this thread that something changed; a page then fetches what it may see."""
    try:
        app.plugins.get(ChannelsPlugin).publish(event, channels=[thread_channel(thread_id)])
    except (AttributeError, RuntimeError, KeyError):
        # Not started (an in-process test client without lifespan): nobody can be listening.
        logger.debug("live update for thread %s not published: channels not running", thread_id)


async def thread_events(app: Litestar, thread_id: int) -> AsyncIterator[ServerSentEventMessage]:
    """The SSE stream of one thread: "update" events, a comment every 20 s to keep proxies from closing it."""
    channels = app.plugins.get(ChannelsPlugin)
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    async with channels.start_subscription([thread_channel(thread_id)]) as subscriber:
        async with subscriber.run_in_background(queue.put):
            # Said only once subscribed, so a client that heard it will not miss the next event.
            yield ServerSentEventMessage(comment="listening", retry=5000)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + STREAM_LIFETIME_SECONDS
            while loop.time() < deadline:
                try:
                    event = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ServerSentEventMessage(comment="keep-alive")
                    continue
                yield ServerSentEventMessage(event=event.decode() or "update", data="changed")
