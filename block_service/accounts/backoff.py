"""Per-account log-in back-off: after a few failures on one account, waits that double, whatever the address.

The counters live in the store the rate limits use (Redis, or what all local workers share), so every
worker sees the same count. Keys are hashes of the contact, so the store holds no phone numbers and an
unknown contact is throttled exactly like a real one (nothing tells which accounts exist)."""

from __future__ import annotations

import hashlib
import json
import math
import time

from litestar.stores.base import Store

from block_service.errors import DomainError
from block_service.i18n import N_

FREE_FAILURES = 5
FIRST_WAIT_SECONDS = 30
LONGEST_WAIT_SECONDS = 15 * 60
FORGET_AFTER_SECONDS = 24 * 3600
KEY_PREFIX = "login-backoff:"


class AccountLocked(DomainError):
    status_code = 429

    def __init__(self, seconds: int) -> None:
        minutes = max(1, math.ceil(seconds / 60))
        super().__init__(N_("Too many failed log-ins for this account. Try again in %(minutes)s min."), minutes=minutes)
        self.seconds = seconds


def _key(contact: str) -> str:
    return KEY_PREFIX + hashlib.sha256(contact.strip().lower().encode()).hexdigest()


def wait_after(failures: int) -> int:
    """Seconds the account is closed to log-ins after this many failures in a row."""
    if failures < FREE_FAILURES:
        return 0
    return min(FIRST_WAIT_SECONDS * 2 ** (failures - FREE_FAILURES), LONGEST_WAIT_SECONDS)


class LoginBackoff:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def _read(self, contact: str) -> dict:
        raw = await self.store.get(_key(contact))
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            return {}

    async def check(self, contact: str) -> None:
        """Raise AccountLocked while the account's wait lasts."""
        state = await self._read(contact)
        remaining = int(state.get("until", 0) - time.time())
        if remaining > 0:
            raise AccountLocked(remaining)

    async def failed(self, contact: str) -> int:
        """Count a failure; returns the count, so the caller can tell the owner when the first wait begins."""
        state = await self._read(contact)
        failures = int(state.get("failures", 0)) + 1
        wait = wait_after(failures)
        await self.store.set(
            _key(contact),
            json.dumps({"failures": failures, "until": time.time() + wait}),
            expires_in=FORGET_AFTER_SECONDS,
        )
        return failures

    async def succeeded(self, contact: str) -> None:
        await self.store.delete(_key(contact))
