"""The inbox domain: delivering, describing entries per kind for a viewer, reading, retention, erasure."""

from __future__ import annotations

import datetime as dt

import pytest

import block_service.accounts.controllers  # noqa: F401  (registers the "account" kind, as the app does)
import block_service.threads.part_controllers  # noqa: F401  (registers the "thread" kind, as the app does)
from block_service import inbox
from block_service.inbox import services
from block_service.inbox.tables import InboxEntry
from block_service.threads import moderation, reactions
from block_service.threads.tables import Thread
from tests.helpers import make_person, make_thread, viewer_for

NOW = dt.datetime(2026, 11, 29, 4, 0, tzinfo=dt.UTC)
PROBE = "probe"  # a kind of this test's own, standing for proposals, motions, meetings
described: list[list[int]] = []


async def _describe_probes(object_ids: list[int], viewer) -> dict[int, inbox.KindView]:
    """Probe objects: the viewer sees the even ones only."""
    described.append(object_ids)
    return {i: inbox.KindView(title=f"探针 {i}", url=f"/probes/{i}") for i in object_ids if i % 2 == 0}


inbox.register_kind(
    PROBE,
    _describe_probes,
    {"opened": "%(name)s opened it.", "closed": "Closed: %(detail)s"},
    detail_label=lambda event, detail: detail.upper(),
)


async def _entries(person: int) -> list[tuple]:
    rows = await InboxEntry.select(
        InboxEntry.kind, InboxEntry.object_id, InboxEntry.event, InboxEntry.actor_name, InboxEntry.actor
    ).where(InboxEntry.person == person)
    return sorted((r["kind"], r["object_id"], r["event"], r["actor_name"], r["actor"]) for r in rows)


async def test_deliver_tells_each_person_once_in_one_statement(db, count_queries):
    a, b = await make_person("甲", "13900000701"), await make_person("乙", "13900000702")
    count_queries.statements.clear()
    told = await inbox.deliver(
        [a, b, a], inbox.Subject(PROBE, 4), "opened", now=NOW, actor_name="工作站", actor_id=b, detail="x"
    )
    assert told == 2
    assert [s for s in count_queries.statements if "inbox_entry" in s][0].startswith("INSERT INTO inbox_entry")
    assert count_queries.count == 1
    assert await _entries(a) == [(PROBE, 4, "opened", "工作站", b)]
    assert await inbox.deliver([], inbox.Subject(PROBE, 4), "opened", now=NOW) == 0


async def test_a_large_audience_is_told_in_batches(db, count_queries):
    count_queries.statements.clear()
    told = await inbox.deliver(range(1, 2501), inbox.Subject(PROBE, 2), "opened", now=NOW)
    assert told == 2500 and count_queries.count == 3
    assert await InboxEntry.count() == 2500


@pytest.mark.parametrize(("kind", "event"), [("", "opened"), ("x" * 21, "opened"), (PROBE, ""), (PROBE, "e" * 31)])
async def test_deliver_refuses_a_kind_or_event_that_does_not_fit(db, kind, event):
    with pytest.raises(ValueError, match="not an inbox kind and event"):
        await inbox.deliver([1], inbox.Subject(kind, 1), event, now=NOW)
    assert await InboxEntry.count() == 0


def test_register_kind_refuses_a_name_that_does_not_fit():
    with pytest.raises(ValueError, match="1 to 20 characters"):
        inbox.register_kind("k" * 21, _describe_probes, {})


async def test_entries_are_described_per_kind_in_one_batch_and_hidden_objects_are_not_available(db):
    person = await make_person("丙", "13900000703")
    for object_id in (1, 2, 3, 4):
        await inbox.deliver([person], inbox.Subject(PROBE, object_id), "opened", now=NOW, actor_name="李老板")
    await inbox.deliver([person], inbox.Subject("nobody-registered", 9), "opened", now=NOW)
    described.clear()
    page = await services.list_entries(viewer_for(person, "resident"))
    assert described == [[1, 2, 3, 4]]
    by_object = {(item.kind, item.object_id): item for item in page.items}
    assert (by_object[PROBE, 2].title, by_object[PROBE, 2].url, by_object[PROBE, 2].available) == (
        "探针 2",
        "/probes/2",
        True,
    )
    assert (by_object[PROBE, 3].title, by_object[PROBE, 3].url, by_object[PROBE, 3].available) == ("", "", False)
    assert by_object[PROBE, 1].message == "%(name)s opened it."
    unknown = by_object["nobody-registered", 9]
    assert (unknown.available, unknown.message) == (False, "")
    assert page.total == 5


async def test_entries_come_newest_first_and_only_the_owners(db):
    owner, other = await make_person("丁", "13900000704"), await make_person("戊", "13900000705")
    await inbox.deliver([owner], inbox.Subject(PROBE, 2), "opened", now=NOW - dt.timedelta(hours=2))
    await inbox.deliver([owner, other], inbox.Subject(PROBE, 4), "closed", now=NOW)
    await inbox.deliver([owner], inbox.Subject(PROBE, 6), "opened", now=NOW - dt.timedelta(hours=1))
    page = await services.list_entries(viewer_for(owner, "resident"))
    assert [item.object_id for item in page.items] == [4, 6, 2]
    assert [item.object_id for item in (await services.list_entries(viewer_for(other, "resident"))).items] == [4]


async def test_marking_read_one_object_or_everything_touches_only_the_owners_entries(db):
    owner, other = await make_person("己", "13900000706"), await make_person("庚", "13900000707")
    for object_id in (2, 4):
        await inbox.deliver([owner, other], inbox.Subject(PROBE, object_id), "opened", now=NOW)
    assert await inbox.unread_count(owner) == 2
    await inbox.mark_read(owner, inbox.Subject(PROBE, 2))
    assert await inbox.unread_count(owner) == 1
    read = {item.object_id: item.read for item in (await services.list_entries(viewer_for(owner))).items}
    assert read == {2: True, 4: False}
    await inbox.mark_read(owner)
    assert (await inbox.unread_count(owner), await inbox.unread_count(other)) == (0, 2)


async def test_a_thread_entry_shows_while_its_reader_may_see_the_thread(db):
    author = await make_person("王阿姨", "13900000708")
    helper = await make_person("热心人", "13900000709")
    staff = viewer_for(await make_person("工作站", "staff-inbox@lingyan.example", roles=("staff",)), "staff")
    thread_id = await make_thread(author, title="门口纸箱占道")
    await reactions.set_metoo(viewer_for(helper, "resident"), thread_id, True)
    await moderation.moderate(staff, "thread", thread_id, True, "含有他人电话号码")
    await inbox.deliver([author, helper], inbox.Subject("thread", thread_id), "answer", now=NOW, actor_name="工作站")

    mine = (await services.list_entries(viewer_for(author, "resident"))).items
    assert [(item.title, item.url) for item in mine if item.event == "answer"] == [
        ("门口纸箱占道", f"/threads/{thread_id}")
    ]
    theirs = (await services.list_entries(viewer_for(helper, "resident"))).items
    assert [(item.available, item.title, item.url) for item in theirs] == [(False, "", "")]

    await Thread.update({Thread.hidden: False, Thread.visibility: "group", Thread.group_id: 999}).where(
        Thread.id == thread_id
    )
    theirs = (await services.list_entries(viewer_for(helper, "resident"))).items
    assert [item.available for item in theirs] == [False]  # a group's discussion, and not their group
    await inbox.deliver([staff.person_id], inbox.Subject("thread", thread_id), "assigned", now=NOW)
    [for_staff] = (await services.list_entries(staff)).items
    assert (for_staff.available, for_staff.title) == (True, "门口纸箱占道")  # staff see every thread


async def test_account_notices_are_for_their_owner_and_link_to_the_account(db):
    person = await make_person("辛", "13900000710")
    from block_service.accounts.owner_notices import tell_account_owner

    await tell_account_owner(person, "login_locked", detail="5")
    [item] = (await services.list_entries(viewer_for(person, "resident"))).items
    assert (item.kind, item.object_id, item.event, item.detail, item.url, item.available) == (
        "account",
        person,
        "login_locked",
        "5",
        "/me",
        True,
    )
    assert "%(detail)s times in a row" in item.message


async def test_retention_deletes_old_entries_read_or_not(db):
    person = await make_person("壬", "13900000711")
    for days in (181, 179):
        await inbox.deliver([person], inbox.Subject(PROBE, days), "opened", now=NOW - dt.timedelta(days=days))
    assert await services.delete_old_entries(180, NOW) == 1
    assert [row["object_id"] for row in await InboxEntry.select(InboxEntry.object_id)] == [179]
    assert await services.delete_old_entries(180, NOW) == 0


async def test_export_lists_the_persons_entries_only(db):
    person, other = await make_person("癸", "13900000712"), await make_person("子", "13900000713")
    await inbox.deliver([person], inbox.Subject(PROBE, 2), "opened", now=NOW, actor_name="李老板", detail="d")
    await inbox.deliver([other], inbox.Subject(PROBE, 4), "opened", now=NOW)
    [row] = await services.export_of(person)
    assert (row["kind"], row["object_id"], row["event"], row["actor_name"], row["detail"], row["read_at"]) == (
        PROBE,
        2,
        "opened",
        "李老板",
        "d",
        None,
    )


async def test_erasing_a_person_deletes_their_entries_and_renames_them_where_they_acted(db):
    gone, reader = await make_person("丑", "13900000714"), await make_person("寅", "13900000715")
    await inbox.deliver([gone], inbox.Subject(PROBE, 2), "opened", now=NOW)
    await inbox.deliver([reader], inbox.Subject(PROBE, 4), "opened", now=NOW, actor_name="丑", actor_id=gone)
    await inbox.deliver([reader], inbox.Subject(PROBE, 6), "opened", now=NOW, actor_alias="resident", actor_id=None)
    await services.forget_person(gone, "已注销的居民")
    assert await InboxEntry.count().where(InboxEntry.person == gone) == 0
    assert await _entries(reader) == [(PROBE, 4, "opened", "已注销的居民", gone), (PROBE, 6, "opened", "", None)]


async def test_another_notifier_receives_the_same_notices(db, monkeypatch):
    received: list[inbox.Notice] = []

    class Recorder:
        async def send(self, notices: list[inbox.Notice]) -> None:
            received.extend(notices)

    monkeypatch.setattr(inbox.delivery, "NOTIFIERS", [inbox.InAppNotifier(), Recorder()])
    person = await make_person("卯", "13900000716")
    await inbox.deliver([person], inbox.Subject(PROBE, 2), "opened", now=NOW, detail="短信")
    assert [(n.person_id, n.subject, n.event, n.detail) for n in received] == [
        (person, inbox.Subject(PROBE, 2), "opened", "短信")
    ]
    assert await InboxEntry.count() == 1


async def test_an_anonymous_reporter_is_named_by_alias_and_never_by_id(db):
    reporter = await make_person("匿名者", "13900000717")
    merchant = await make_person("张师傅", "13900000718")
    thread_id = await make_thread(reporter, anonymous=True)
    from block_service.threads.notify import deliver

    await deliver([merchant], thread_id, "answer", actor_name="", actor_alias="resident", actor_id=reporter, now=NOW)
    assert await _entries(merchant) == [("thread", thread_id, "answer", "", None)]


async def test_the_migrations_index_entries_by_person_and_subject(db):
    """The inbox page groups by (kind, object_id) and opening an object reads its entries: both use this index."""
    from block_service.db import is_sqlite
    from block_service.inbox.tables import InboxEntry

    if is_sqlite():
        rows = await InboxEntry.raw("SELECT name FROM sqlite_master WHERE type = 'index'")
        names = {row["name"] for row in rows}
    else:
        rows = await InboxEntry.raw("SELECT indexname FROM pg_indexes WHERE tablename = 'inbox_entry'")
        names = {row["indexname"] for row in rows}
    assert "inbox_entry_person_subject" in names
