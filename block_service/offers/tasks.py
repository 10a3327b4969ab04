"""The offers' scheduled work: a week before an offer's last day its shop's merchants are told, once.

Every worker runs a round every few minutes (block_service/periodic.py); an offer is claimed by the UPDATE that
marks it warned, inside the transaction that records the notices, so two workers (or a re-run) tell nobody twice.
"""

from __future__ import annotations

import datetime as dt

from block_service import clock
from block_service.db import write_transaction
from block_service.offers.notices import tell_merchants
from block_service.offers.publishing import block_date
from block_service.offers.tables import Offer
from block_service.periodic import every

INTERVAL_SECONDS = 600
WARN_DAYS_BEFORE = 7


async def warn_expiring(now: dt.datetime | None = None) -> int:
    """Tell the merchants of every active offer ending within a week and not yet warned; returns how many offers."""
    now = now or clock.now()
    today = block_date(now)
    warned = 0
    due = (
        (Offer.status == "active")
        & Offer.expiry_warned_at.is_null()
        & (Offer.valid_until >= today)
        & (Offer.valid_until <= today + dt.timedelta(days=WARN_DAYS_BEFORE))
    )
    if not await Offer.exists().where(due):
        return 0  # nothing written: on PostgreSQL even an UPDATE of no row tells every worker of a change
    async with write_transaction():
        claimed = await Offer.update({Offer.expiry_warned_at: now}).where(due).returning(Offer.id, Offer.shop)
        for row in claimed:
            await tell_merchants(row["shop"], row["id"], "expiring", now=now)
            warned += 1
    return warned


run_offer_tasks = every(INTERVAL_SECONDS, warn_expiring, "merchants told of offers ending within a week")
