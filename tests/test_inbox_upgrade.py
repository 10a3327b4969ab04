"""A database filled before the shared inbox upgrades with every inbox entry kept (both engines)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from block_service import inbox
from block_service.i18n import current_language
from block_service.inbox import services as inbox_services
from block_service.inbox.controllers import entry_text
from block_service.inbox.tables import InboxEntry
from tests.test_council_secrecy import _empty_database, _migrate, _query, _table_names

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
FIRST_INBOX_MIGRATION = "2026-11-29T05:00:00:000000"
ANONYMOUS_ACTOR_MIGRATION = "2026-11-29T01:40:01:000000"


def _migration_before(migration_id: str) -> str:
    ids = []
    for path in MIGRATIONS.glob("block_*.py"):
        match = re.search(r'^ID = "([^"]+)"', path.read_text(), re.M)
        if match:
            ids.append(match.group(1))
    return max(found for found in ids if found < migration_id)


PEOPLE = (
    "INSERT INTO person (id, display_name, phone) VALUES (1, '工作站', '13800000000'), (2, '张师傅', '13800000001'), "
    "(3, '王阿姨', '13900000001')"
)
THREADS = "INSERT INTO thread (id, title, author, anonymous) VALUES (1, '门口纸箱占道', 3, {}), (2, '路灯不亮', 3, {})"
NOTIFICATIONS = (
    "INSERT INTO notification (id, person, thread, event, actor_name, actor_alias, detail, created_at, read_at) "
    "VALUES (1, 2, 1, 'opened', '', '', '', '2026-11-01 08:00:00+00:00', '2026-11-01 09:00:00+00:00'), "
    "(2, 3, 1, 'answer', '张师傅', '', '', '2026-11-02 08:00:00+00:00', NULL), "
    "(5, 3, 2, 'status', '工作站', '', 'resolved', '2026-11-03 08:00:00+00:00', NULL), "
    "(7, 2, 1, 'answer', '', 'resident', '', '2026-11-04 08:00:00+00:00', NULL)"
)
ACCOUNT_NOTICES = (
    "INSERT INTO account_notice (id, person, event, detail, created_at, read_at) "
    "VALUES (1, 3, 'login_locked', '5', '2026-11-02 12:00:00+00:00', NULL), "
    "(2, 2, 'totp_reset', '', '2026-11-05 08:00:00+00:00', '2026-11-05 09:00:00+00:00')"
)
# (id, person, kind, object_id, event, actor_name, actor_alias, detail, read)
EXPECTED = [
    (1, 2, "thread", 1, "opened", "", "", "", True),
    (2, 3, "thread", 1, "answer", "张师傅", "", "", False),
    (5, 3, "thread", 2, "status", "工作站", "", "resolved", False),
    (7, 2, "thread", 1, "answer", "", "resident", "", False),
    (8, 3, "account", 3, "login_locked", "", "", "5", False),
    (9, 2, "account", 2, "totp_reset", "", "", "", True),
]


async def _entries() -> list[tuple]:
    rows = await _query(
        "SELECT id, person, kind, object_id, event, actor_name, actor_alias, detail, read_at, actor "
        "FROM inbox_entry ORDER BY id"
    )
    assert all(row["actor"] is None for row in rows)
    return [
        (r["id"], r["person"], r["kind"], r["object_id"], r["event"], r["actor_name"], r["actor_alias"], r["detail"])
        + (r["read_at"] is not None,)
        for r in rows
    ]


async def test_every_notification_and_account_notice_becomes_an_inbox_entry(_schema, tmp_path):
    async with _empty_database(tmp_path):
        await _migrate(_migration_before(FIRST_INBOX_MIGRATION))
        await _query(PEOPLE)
        await _query(THREADS, False, False)
        await _query(NOTIFICATIONS)
        await _query(ACCOUNT_NOTICES)
        await _migrate("all")

        assert await _entries() == EXPECTED
        tables = await _table_names()
        assert "inbox_entry" in tables and "notification" not in tables and "account_notice" not in tables
        # The times are kept, so the newest-first order of the two old lists interleaves as it happened.
        times = await _query("SELECT id, created_at FROM inbox_entry WHERE person = 3 ORDER BY created_at, id")
        assert [row["id"] for row in times] == [2, 8, 5]
        assert await inbox_services.unread_count(3) == 3
        assert await inbox_services.unread_count(2) == 1
        # New entries are numbered after the copied ones on both engines (PostgreSQL's sequence was moved on).
        told = await inbox.deliver([1, 2], inbox.Subject("thread", 2), "answer", now=dt.datetime.now(dt.UTC))
        assert told == 2
        assert [row["id"] for row in await InboxEntry.select(InboxEntry.id).where(InboxEntry.id > 9)] == [10, 11]


async def test_old_entries_naming_an_anonymous_reporter_say_a_resident(_schema, tmp_path):
    """Entries written before 2026-11-29 named an anonymous reporter acting on their own report; the
    migration of 01:40:01 relabels them, and the inbox then shows "a resident"."""
    async with _empty_database(tmp_path):
        await _migrate(_migration_before(ANONYMOUS_ACTOR_MIGRATION))
        await _query(PEOPLE)
        await _query(THREADS, True, False)
        await _query(
            "INSERT INTO notification (id, person, thread, event, actor_name, detail, created_at) VALUES "
            "(1, 2, 1, 'answer', '王阿姨', '', '2026-11-01 08:00:00+00:00'), "
            "(2, 2, 1, 'answer', '工作站', '', '2026-11-01 09:00:00+00:00'), "
            "(3, 1, 2, 'answer', '王阿姨', '', '2026-11-01 10:00:00+00:00')"
        )
        await _migrate("all")

        rows = await _query("SELECT id, actor_name, actor_alias FROM inbox_entry ORDER BY id")
        assert [(r["id"], r["actor_name"], r["actor_alias"]) for r in rows] == [
            (1, "", "resident"),
            (2, "工作站", ""),
            (3, "王阿姨", ""),  # not anonymous: her name stays
        ]
        token = current_language.set("en")
        try:
            item = inbox_services._item(
                {**(await InboxEntry.select(*inbox_services._columns()).where(InboxEntry.id == 1))[0]}, None
            )
            item.message = "%(name)s answered."
            assert entry_text(item) == "A resident answered."
        finally:
            current_language.reset(token)
