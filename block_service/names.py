"""How a deleted account is labelled wherever its contributions are shown: a former resident or merchant.

Deleting an account stores one of the two Chinese labels below as the tombstone's display name, so even a
surface that shows the stored name unchanged names nobody; `shown_name` gives the label as a LazyText, which
the edge shows in the reader's language (store the name itself, never what shown_name returns). No other
module needs to know whether a person was deleted.
"""

from __future__ import annotations

from block_service.i18n import LazyText, later

FORMER_RESIDENT = "一位前居民"
FORMER_MERCHANT = "一位前商户"
TOMBSTONE_NAMES = frozenset({FORMER_RESIDENT, FORMER_MERCHANT})


def tombstone_name(was_merchant: bool) -> str:
    """The display name a deleted account keeps: no trace of the person, only what they were here."""
    return FORMER_MERCHANT if was_merchant else FORMER_RESIDENT


def is_tombstone_name(name: str | None) -> bool:
    return name in TOMBSTONE_NAMES


def shown_name(name: str | None) -> str | LazyText:
    """A person's display name as shown to a reader: a deleted account's label, in the reader's language once
    the edge shows it."""
    if name == FORMER_RESIDENT:
        return later("A former resident")
    if name == FORMER_MERCHANT:
        return later("A former merchant")
    return name or ""
