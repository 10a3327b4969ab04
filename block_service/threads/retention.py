"""What is kept only for a while: photos of threads closed long ago (old inbox entries: inbox.services).

It runs from the periodic task in every worker at once: each deletion says what it deleted (RETURNING),
so of two workers doing the same round one does the work and the other finds nothing, and a round cut
short is finished by the next one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from block_service.audit.services import record_change
from block_service.db import write_transaction
from block_service.threads import photos as photo_store
from block_service.threads.tables import Photo, Thread

CLOSED_STATUSES = ("closed", "rejected", "duplicate")  # the statuses that set closed_at
BATCH = 200  # threads per transaction: a long backlog does not hold the writer's turn for long


async def delete_expired_photos(var_dir: Path, retention_days: int, now: dt.datetime) -> int:
    """Delete the photos (rows, then files) of threads closed more than `retention_days` ago."""
    cutoff = now - dt.timedelta(days=retention_days)
    deleted = 0
    while True:
        threads = (
            await Thread.select(Thread.id)
            .where(
                Thread.status.is_in(list(CLOSED_STATUSES))
                & (Thread.closed_at < cutoff)
                & Thread.id.is_in(Photo.select(Photo.thread))
            )
            .order_by(Thread.id)
            .limit(BATCH)
        )
        if not threads:
            return deleted
        thread_ids = [row["id"] for row in threads]
        async with write_transaction():
            # Re-checked inside the transaction: a thread reopened since the read above keeps its photos.
            still_closed = Thread.select(Thread.id).where(
                Thread.id.is_in(thread_ids) & Thread.status.is_in(list(CLOSED_STATUSES)) & (Thread.closed_at < cutoff)
            )
            rows = await Photo.delete().where(Photo.thread.is_in(still_closed)).returning(Photo.thread, Photo.file_name)
            gone = sorted({row["thread"] for row in rows})
            if gone:
                await Thread.update({Thread.photo_count: 0}).where(Thread.id.is_in(gone))
                for thread_id in gone:
                    await record_change(
                        actor_id=None,
                        action="thread.photos_expired",
                        object_type="thread",
                        object_id=thread_id,
                        after={"photos": sum(r["thread"] == thread_id for r in rows), "retention_days": retention_days},
                    )
        # After the commit: a transaction that failed leaves every file its rows still point to.
        photo_store.discard_photos(var_dir, [row["file_name"] for row in rows])
        deleted += len(rows)
        if not rows:
            return deleted  # another worker took this batch; the next round sees what is left
