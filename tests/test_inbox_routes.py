"""The inbox pages: the list in the person's language, its fragment and JSON, marking read, the badge."""

from __future__ import annotations

import datetime as dt

from block_service import inbox
from block_service.inbox.tables import InboxEntry
from tests import plans_helpers
from tests.helpers import make_person, make_thread, text_of
from tests.meeting_helpers import make_meeting
from tests.motion_helpers import a_motion, seated_council
from tests.test_inbox_services import PROBE

NOW = dt.datetime.now(dt.UTC)


async def _signed_in(browser_factory, contact: str, language: str = "zh-Hans", name: str = "王阿姨"):
    person = await make_person(name, contact)
    browser = browser_factory(language)
    await browser.log_in(contact)
    await browser.post("/language", {"language": language, "next": "/inbox"})
    return browser, person


async def _fill(person: int, thread_id: int, copies: int = 1) -> None:
    """Entries of three kinds: a thread (answered, status changed), the account, and probe objects."""
    for _ in range(copies):
        thread = inbox.Subject("thread", thread_id)
        await inbox.deliver([person], thread, "answer", now=NOW, actor_name="张师傅")
        await inbox.deliver([person], thread, "status", now=NOW, actor_name="工作站", detail="resolved")
        await inbox.deliver([person], inbox.Subject("account", person), "login_locked", now=NOW, detail="5")
        await inbox.deliver([person], inbox.Subject(PROBE, 2), "opened", now=NOW, actor_alias="resident")
        await inbox.deliver([person], inbox.Subject(PROBE, 3), "closed", now=NOW, detail="done")


async def test_the_inbox_shows_every_kind_in_the_persons_language(browser_factory):
    browser, person = await _signed_in(browser_factory, "13900000801", language="en")
    thread_id = await make_thread(person, title="门口纸箱占道")
    await _fill(person, thread_id)
    page = await browser.get("/inbox")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "张师傅 answered." in text
    assert "工作站 changed the status to “Resolved”." in text
    assert "Someone typed a wrong password or code for your account 5 times in a row" in text
    assert "A resident opened it." in text and "探针 2" in text and 'href="/probes/2"' in page.text
    assert "No longer available" in text and "探针 3" not in text and "Closed: DONE" in text
    assert f'href="/threads/{thread_id}"' in page.text and 'href="/me"' in page.text
    assert 'class="badge">5<' in page.text

    chinese, other = await _signed_in(browser_factory, "13900000802", name="李阿姨")
    await _fill(other, thread_id)
    text = text_of((await chinese.get("/inbox")).text)
    assert "张师傅 回复了。" in text
    assert "工作站 将状态改为“" in text and "有人连续 5 次为您的账号输错了密码或验证码" in text
    assert "一位居民" in text and "已无法查看" in text


async def test_the_inbox_page_runs_the_same_statements_however_many_entries(browser_factory, count_queries):
    browser, person = await _signed_in(browser_factory, "13900000803")
    thread_id = await make_thread(person)
    await _fill(person, thread_id)
    count_queries.statements.clear()
    assert (await browser.get("/inbox")).status_code == 200
    few = count_queries.count
    await _fill(person, thread_id, copies=5)
    count_queries.statements.clear()
    assert (await browser.get("/inbox")).status_code == 200
    assert count_queries.count == few
    # the session, the viewer with the unread count, the subjects with their entries, their count, the thread
    # kind's one query
    assert few <= 6, count_queries.statements
    print(f"inbox page: {few} statements with entries of three kinds")


async def test_entries_are_their_owners_only_in_html_fragment_and_json(browser_factory):
    owner, person = await _signed_in(browser_factory, "13900000804", language="en")
    stranger, _ = await _signed_in(browser_factory, "13900000805", language="en", name="路人")
    thread_id = await make_thread(person, title="私事")
    await _fill(person, thread_id, copies=7)  # 35 entries: two pages of 30

    data = (await owner.get("/api/inbox?per_page=5")).json()
    assert data["total"] == 35 and len(data["items"]) == 5
    first = data["items"][0]
    assert set(first) >= {"id", "kind", "object_id", "event", "text", "title", "url", "available", "read"}
    kinds = {(item["kind"], item["available"]) for item in data["items"]}
    assert kinds == {("thread", True), ("account", True), (PROBE, True), (PROBE, False)}
    assert any(item["text"] == "A resident opened it." for item in data["items"])

    assert first["subject"] == f"{first['kind']}:{first['object_id']}"  # the flat list keeps the grouping key

    fragment = await owner.get("/inbox", headers={"hx-request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.count('class="card notice') == 4  # one row per subject, not 35
    thread_row = fragment.text[fragment.text.index(f'data-subject="thread:{thread_id}"') :]
    thread_row = text_of(thread_row[: thread_row.index("</li>\n  <li") if "</li>\n  <li" in thread_row else None])
    assert "14 new" in thread_row and "14 updates in all" in thread_row and "and 9 earlier" in thread_row
    assert (await owner.get("/inbox?page=2", headers={"hx-request": "true"})).text.count('class="card notice') == 0

    assert (await stranger.get("/api/inbox")).json()["total"] == 0
    assert "私事" not in text_of((await stranger.get("/inbox")).text)
    assert (await browser_factory().get("/api/inbox")).status_code in (401, 403)
    assert (await browser_factory().get("/inbox/badge")).status_code in (303, 401, 403)


async def test_marking_everything_read_clears_the_badge(browser_factory):
    browser, person = await _signed_in(browser_factory, "13900000806")
    thread_id = await make_thread(person)
    await _fill(person, thread_id)
    badge = await browser.get("/inbox/badge", headers={"hx-request": "true"})
    assert 'id="inbox-badge"' in badge.text and 'class="badge">5<' in badge.text and "<html" not in badge.text
    response = await browser.post("/inbox/read")
    assert response.status_code == 303 and response.headers["location"] == "/inbox"
    assert await InboxEntry.count().where(InboxEntry.read_at.is_null()) == 0
    badge = await browser.get("/inbox/badge", headers={"hx-request": "true"})
    assert 'class="badge"' not in badge.text and 'hx-trigger="every 60s"' in badge.text


async def test_opening_a_thread_reads_only_that_threads_entries(browser_factory):
    browser, person = await _signed_in(browser_factory, "13900000807")
    thread_id = await make_thread(person)
    await _fill(person, thread_id)
    page = await browser.get(f"/threads/{thread_id}")
    assert page.status_code == 200 and 'class="badge">3<' in page.text  # the two thread entries are read
    unread = await InboxEntry.select(InboxEntry.kind).where(InboxEntry.read_at.is_null())
    assert sorted(row["kind"] for row in unread) == ["account", PROBE, PROBE]


async def test_a_thread_the_person_may_no_longer_see_is_a_404_and_its_news_stays_unread(browser_factory):
    from block_service.threads import moderation
    from tests.helpers import viewer_for

    browser, person = await _signed_in(browser_factory, "13900000808")
    author = await make_person("李师傅", "13900000809")
    thread_id = await make_thread(author)
    await _fill(person, thread_id)
    staff = await make_person("工作站", "staff808@test.example", roles=("staff",))
    await moderation.moderate(viewer_for(staff, "staff"), "thread", thread_id, True, "语料")
    assert (await browser.get(f"/threads/{thread_id}")).status_code == 404
    unread = await InboxEntry.select(InboxEntry.kind).where(
        InboxEntry.read_at.is_null() & (InboxEntry.person == person)
    )
    assert sorted(row["kind"] for row in unread) == ["account", PROBE, PROBE, "thread", "thread"]


async def test_the_inbox_shows_the_subject_with_the_newest_news_first_and_keeps_the_read_rules(browser_factory):
    browser, person = await _signed_in(browser_factory, "13900000809")
    first = await make_thread(person, title="门口纸箱占道")
    second = await make_thread(person, title="晚上油烟很大")
    await inbox.deliver([person], inbox.Subject("thread", first), "answer", now=NOW, actor_name="张师傅")
    await inbox.deliver([person], inbox.Subject("thread", second), "answer", now=NOW, actor_name="李老板")
    later = NOW + dt.timedelta(minutes=5)
    await inbox.deliver([person], inbox.Subject("thread", first), "status", now=later, detail="resolved")
    page = (await browser.get("/inbox")).text
    assert page.index(f'data-subject="thread:{first}"') < page.index(f'data-subject="thread:{second}"')
    assert "2 条新消息" in text_of(page) and "共 2 条动态" in text_of(page)
    await browser.get(f"/threads/{first}")  # opening a thread reads its entries, and only those
    page = (await browser.get("/inbox")).text
    row = page[page.index(f'data-subject="thread:{first}"') :]
    assert 'class="card notice"' in page and row.index("条新消息") > row.index(f'data-subject="thread:{second}"')


async def test_opening_a_proposal_motion_or_meeting_reads_its_entries_and_only_those(browser_factory):
    """Every object page with notices reads them on opening, as the thread page does; the badge follows."""
    browser, person = await _signed_in(browser_factory, "13900000808")
    council = await seated_council(3)
    author = await plans_helpers.resident("提议人")
    proposal_id = await plans_helpers.file(author)
    motion_id = await a_motion(council)
    meeting_id = await make_meeting(council.staff)
    for kind, object_id in (("proposal", proposal_id), ("motion", motion_id), ("meeting", meeting_id)):
        await inbox.deliver([person], inbox.Subject(kind, object_id), "reminder", now=NOW)
        await inbox.deliver([person], inbox.Subject(kind, object_id), "closed", now=NOW)
    unread = {"proposal": 2, "motion": 2, "meeting": 2}
    for kind, url in (
        ("proposal", f"/proposals/{proposal_id}"),
        ("motion", f"/motions/{motion_id}"),
        ("meeting", f"/meetings/{meeting_id}"),
    ):
        page = await browser.get(url)
        unread[kind] = 0
        assert page.status_code == 200, url
        assert f'class="badge">{sum(unread.values())}<' in page.text or sum(unread.values()) == 0, url
        left = await InboxEntry.select(InboxEntry.kind).where(
            (InboxEntry.person == person) & InboxEntry.read_at.is_null()
        )
        assert sorted(row["kind"] for row in left) == sorted(k for k, n in unread.items() for _ in range(n)), url


async def test_opening_a_page_with_nothing_to_mark_writes_nothing(browser_factory, count_queries):
    """Someone with unread notices about other things opens a thread: no UPDATE runs. (On PostgreSQL even an
    UPDATE of no row tells every worker that something changed, and every kept page would be thrown away.)"""
    browser, person = await _signed_in(browser_factory, "13900000809")
    thread_id = await make_thread(person)
    other = await make_thread(person, title="另一条反映")
    await inbox.deliver([person], inbox.Subject("thread", other), "answer", now=NOW, actor_name="张师傅")
    count_queries.statements.clear()
    page = await browser.get(f"/threads/{thread_id}")
    assert page.status_code == 200 and 'class="badge">1<' in page.text
    assert not [sql for sql in count_queries.statements if sql.lstrip().upper().startswith("UPDATE")]
