"""SQLite's writers take turns across processes through a file lock; a turn given up never keeps it."""

from __future__ import annotations

import asyncio
import fcntl
import os
import threading

import pytest

from block_service.db.writes import _writer_file_lock
from tests.conftest import ENGINE

pytestmark = pytest.mark.skipif(ENGINE != "sqlite", reason="the writer lock is SQLite's")


def _held_elsewhere(path: str) -> int:
    """Another open file description, as another worker process would hold it (raises if it is taken)."""
    descriptor = os.open(path + "-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return descriptor


async def _take_within(path: str, seconds: float) -> None:
    async def take() -> None:
        async with _writer_file_lock(path):
            pass

    await asyncio.wait_for(take(), seconds)


def _signalling_blocking_waits(monkeypatch) -> threading.Event:
    """An event set when a turn starts its blocking wait for the lock (in its thread)."""
    started = threading.Event()
    flock = fcntl.flock

    def signalling_flock(descriptor: int, operation: int) -> None:
        if operation == fcntl.LOCK_EX:
            started.set()
        flock(descriptor, operation)

    monkeypatch.setattr(fcntl, "flock", signalling_flock)
    return started


async def test_a_waiting_turn_gets_the_lock_as_soon_as_the_other_process_lets_go(tmp_path, monkeypatch):
    path = str(tmp_path / "block.db")
    other = _held_elsewhere(path)
    blocked = _signalling_blocking_waits(monkeypatch)
    waiting = asyncio.create_task(_take_within(path, 5))
    assert await asyncio.to_thread(blocked.wait, 5)
    assert not waiting.done()
    os.close(other)
    await asyncio.wait_for(waiting, 1)


async def test_a_turn_cancelled_while_waiting_gives_the_lock_back_when_it_comes(tmp_path, monkeypatch):
    path = str(tmp_path / "block.db")
    other = _held_elsewhere(path)
    blocked = _signalling_blocking_waits(monkeypatch)
    waiting = asyncio.create_task(_take_within(path, 5))
    assert await asyncio.to_thread(blocked.wait, 5)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    os.close(other)
    # The abandoned thread takes the lock, then closes its file: the next turn is not blocked for long.
    await _take_within(path, 2)
    third = _held_elsewhere(path)  # and a plain holder gets it too, so nothing kept it
    os.close(third)
