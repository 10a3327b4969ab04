"""Retention, on a fixed clock: photos of threads closed longer than BLOCK_PHOTO_RETENTION_DAYS go (file and
row), inbox entries older than BLOCK_INBOX_RETENTION_DAYS go; the hourly round is safe in two workers."""

import asyncio
import datetime as dt

from block_service.audit.tables import AuditEntry
from block_service.inbox.tables import InboxEntry
from block_service.threads import photos as photo_store
from block_service.threads.notify import deliver
from block_service.threads.tables import Photo, Thread
from block_service.threads.tasks import run_housekeeping
from tests.conftest import make_settings
from tests.helpers import make_person, make_thread

NOW = dt.datetime(2027, 6, 1, 12, 0, tzinfo=dt.UTC)


async def _thread_with_photos(
    author: int, var_dir, *, status: str, closed_days_ago: int | None, count: int = 2
) -> tuple[int, list[str]]:
    thread_id = await make_thread(author, title=f"{status} {closed_days_ago}")
    names = [
        photo_store.store_photo(var_dir, photo_store.PreparedPhoto(b"\xff\xd8\xff\xd9", 1, 1)) for _ in range(count)
    ]
    await Photo.insert(
        *[
            Photo(
                thread=thread_id,
                file_name=name,
                width=1,
                height=1,
                size_bytes=4,
                created_at=NOW - dt.timedelta(days=800),
            )
            for name in names
        ]
    )
    closed_at = NOW - dt.timedelta(days=closed_days_ago) if closed_days_ago is not None else None
    await Thread.update({Thread.status: status, Thread.closed_at: closed_at, Thread.photo_count: count}).where(
        Thread.id == thread_id
    )
    return thread_id, names


def _settings(tmp_path):
    return make_settings(var_dir=tmp_path / "var", photo_retention_days=365, inbox_retention_days=180)


async def test_photos_of_threads_closed_longer_than_the_period_are_deleted(db, tmp_path):
    settings = _settings(tmp_path)
    author = await make_person("王阿姨", "13900000501")
    old, old_names = await _thread_with_photos(author, settings.var_dir, status="closed", closed_days_ago=366)
    rejected, rejected_names = await _thread_with_photos(
        author, settings.var_dir, status="rejected", closed_days_ago=400
    )
    recent, recent_names = await _thread_with_photos(author, settings.var_dir, status="closed", closed_days_ago=364)
    still_open, open_names = await _thread_with_photos(
        author, settings.var_dir, status="in_progress", closed_days_ago=None
    )

    await run_housekeeping(settings, now=NOW)

    uploads = settings.var_dir / "uploads"
    for name in old_names + rejected_names:
        assert not (uploads / name).exists()
    for name in recent_names + open_names:
        assert (uploads / name).exists()
    remaining = {row["thread"] for row in await Photo.select(Photo.thread)}
    assert remaining == {recent, still_open}
    counts = {row["id"]: row["photo_count"] for row in await Thread.select(Thread.id, Thread.photo_count)}
    assert counts == {old: 0, rejected: 0, recent: 2, still_open: 2}
    audit = await AuditEntry.select(AuditEntry.object_id).where(AuditEntry.action == "thread.photos_expired")
    assert sorted(row["object_id"] for row in audit) == sorted([old, rejected])


async def test_inbox_entries_older_than_the_period_are_deleted(db, tmp_path):
    settings = _settings(tmp_path)
    person = await make_person("王阿姨", "13900000502")
    thread_id = await make_thread(person)
    for days in (181, 179):
        await deliver(
            {person}, thread_id, "answer", actor_name="张师傅", detail=f"{days}", now=NOW - dt.timedelta(days=days)
        )

    await run_housekeeping(settings, now=NOW)

    assert [row["detail"] for row in await InboxEntry.select(InboxEntry.detail)] == ["179"]


async def test_two_workers_running_the_same_round_delete_each_photo_once(db, tmp_path):
    settings = _settings(tmp_path)
    author = await make_person("王阿姨", "13900000503")
    threads = [
        await _thread_with_photos(author, settings.var_dir, status="closed", closed_days_ago=500, count=3)
        for _ in range(4)
    ]

    await asyncio.gather(run_housekeeping(settings, now=NOW), run_housekeeping(settings, now=NOW))

    assert await Photo.count() == 0
    assert not list((settings.var_dir / "uploads").iterdir())
    audit = await AuditEntry.select(AuditEntry.object_id).where(AuditEntry.action == "thread.photos_expired")
    assert sorted(row["object_id"] for row in audit) == sorted(thread_id for thread_id, _names in threads)


async def test_a_thread_reopened_after_the_period_keeps_its_photos(db, tmp_path):
    settings = _settings(tmp_path)
    author = await make_person("王阿姨", "13900000504")
    thread_id, names = await _thread_with_photos(author, settings.var_dir, status="reopened", closed_days_ago=None)

    await run_housekeeping(settings, now=NOW + dt.timedelta(days=1000))

    assert await Photo.count().where(Photo.thread == thread_id) == 2
    assert all((settings.var_dir / "uploads" / name).exists() for name in names)
