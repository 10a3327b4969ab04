"""Live updates: services' events go out on a channel per thread; open pages listen by SSE."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable

from litestar import Litestar, Request
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.response import ServerSentEventMessage

from block_service.accounts.people import load_viewer
from block_service.accounts.schemas import Viewer
from block_service.errors import DomainError
from block_service.web.labels import N_
from block_service.web.security import client_address
from block_service.web.session import stored_session

logger = logging.getLogger("block_service")
# Also how often an open stream re-checks that its viewer may still see the thread.
KEEPALIVE_SECONDS = 20
STREAM_LIFETIME_SECONDS = 15 * 60
# Open streams per signed-in person, else per client address, in each worker process. A person has a
# few tabs open; an address may be a shop's wifi or a mobile network's gateway with many visitors.
MAX_STREAMS_PER_PERSON = 6
MAX_STREAMS_PER_ADDRESS = 24


class TooManyStreams(DomainError):
    status_code = 429


class _StreamSlots:
    """How many streams each client has open in this process. A slot is given back when its stream ends,
    however it ends: finished, the viewer lost access, the client went away, or it never started."""

    def __init__(self) -> None:
        self.open: dict[str, int] = {}

    def take(self, client: str, cap: int) -> Callable[[], None]:
        if self.open.get(client, 0) >= cap:
            raise TooManyStreams(
                N_("Too many pages of this site are receiving live updates. Close some of them and reload this page.")
            )
        self.open[client] = self.open.get(client, 0) + 1
        given_back = False

        def give_back() -> None:
            nonlocal given_back
            if given_back:
                return
            given_back = True
            left = self.open.get(client, 1) - 1
            if left > 0:
                self.open[client] = left
            else:
                self.open.pop(client, None)

        return give_back


stream_slots = _StreamSlots()


def take_stream_slot(request: Request, viewer: Viewer) -> Callable[[], None]:
    """A slot for one more stream of this client, or a 429 in their language; returns how to give it back.

    The address is the one the rate limits count: a forwarded address only from a trusted proxy."""
    if viewer.is_signed_in:
        return stream_slots.take(f"person:{viewer.person_id}", MAX_STREAMS_PER_PERSON)
    address = client_address(request.scope, request.app.state.settings.trusted_proxies)
    return stream_slots.take(f"address:{address}", MAX_STREAMS_PER_ADDRESS)


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


async def viewer_now(scope, viewer: Viewer) -> Viewer | None:
    """The viewer as they are now, with the roles, shops and groups they hold now; None when a signed-in
    viewer's session ended (logged out, expired, account disabled, password changed)."""
    if not viewer.is_signed_in:
        return viewer
    session = await stored_session(scope)
    if not session or session.get("pid") != viewer.person_id or not isinstance(session.get("ver"), int):
        return None
    return await load_viewer(viewer.person_id, session["ver"])


def thread_events(
    app: Litestar, thread_id: int, *, still_allowed: Callable[[], Awaitable[bool]], give_back: Callable[[], None]
) -> AsyncIterator[ServerSentEventMessage]:
    """The SSE stream of one thread; `give_back` is called once it ends, even if it never started."""
    stream = _thread_events(app, thread_id, still_allowed, give_back)
    weakref.finalize(stream, give_back)
    return stream


async def _thread_events(
    app: Litestar, thread_id: int, still_allowed: Callable[[], Awaitable[bool]], give_back: Callable[[], None]
) -> AsyncIterator[ServerSentEventMessage]:
    """ "update" events, a comment every 20 s to keep proxies from closing it. Before each event and each
    keep-alive the viewer's access is checked again (session ended, account disabled, removed from the
    group, thread hidden): without it the stream ends, and the browser's reconnection is refused."""
    try:
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
                        event = None
                    if not await still_allowed():
                        return
                    if event is None:
                        yield ServerSentEventMessage(comment="keep-alive")
                    else:
                        yield ServerSentEventMessage(event=event.decode() or "update", data="changed")
    finally:
        give_back()
