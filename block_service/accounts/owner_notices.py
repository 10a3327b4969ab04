"""Notices about the account itself, in its owner's inbox (kind "account", the person as the object)."""

from __future__ import annotations

from block_service import inbox
from block_service.clock import now

ACCOUNT_KIND = "account"
# login_locked: the first wait after failed log-ins (detail: how many) | totp_reset: staff removed the second factor
EVENTS = ("login_locked", "totp_reset")


async def tell_account_owner(person_id: int, event: str, detail: str = "") -> None:
    """Inside the caller's write transaction."""
    await inbox.deliver([person_id], inbox.Subject(ACCOUNT_KIND, person_id), event, detail=detail, now=now())
