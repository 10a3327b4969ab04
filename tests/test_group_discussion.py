"""A group's discussion: threads only the group's merchants and staff read, on the group's page."""

import pytest

from block_service.errors import Forbidden, NotFound
from block_service.groups import services as groups
from block_service.threads import access, listing, opening, workflow
from block_service.threads.schemas import AnswerForm, ThreadFilter
from block_service.threads.tables import Thread
from tests.council_helpers import merchant, staff_viewer, zh
from tests.helpers import make_person, text_of

GROUP = "region-lane-1141"
TITLE = "周末联合促销怎么安排"


async def _group_id(slug: str = GROUP) -> int:
    return await groups.group_id_of(slug)


async def _signed_in(browser_factory, contact: str):
    browser = browser_factory()
    await browser.log_in(contact)
    return browser


async def _scene(browser_factory):
    """Two merchants of the lane-1141 group, one of the north stretch, a resident and staff, all signed in."""
    author = await merchant("张师傅", "1143号", "老张生煎", contact="13800000001")
    await merchant("陈经理", "1152号", "好邻居便利店", contact="13800000002")
    await merchant("李老板", "1021号", "北段水果店", contact="13800000003")
    await make_person("居民", "13900000001")
    await make_person("工作站", "staff@test.example", roles=("staff",))
    contacts = {
        "author": "13800000001",
        "member": "13800000002",
        "outsider": "13800000003",
        "resident": "13900000001",
        "staff": "staff@test.example",
    }
    browsers = {who: await _signed_in(browser_factory, contact) for who, contact in contacts.items()}
    browsers["visitor"] = browser_factory()
    return author, browsers


async def _start(browser, title: str = TITLE) -> int:
    response = await browser.post(f"/groups/{GROUP}/threads", {"title": title, "body": "大家周六一起打折吧。"})
    assert response.status_code == 303, response.text[:500]
    return int(response.headers["location"].rsplit("/", 1)[1])


async def test_a_member_starts_a_discussion_that_another_member_reads_and_answers(db, browser_factory):
    author, browsers = await _scene(browser_factory)
    thread_id = await _start(browsers["author"])
    row = (
        await Thread.select(Thread.visibility, Thread.group_id, Thread.kind, Thread.house_number, Thread.shop)
        .where(Thread.id == thread_id)
        .first()
    )
    assert row == {
        "visibility": "group",
        "group_id": await _group_id(),
        "kind": "issue",
        "house_number": "1143号",
        "shop": None,
    }
    member = browsers["member"]
    page = await member.get(f"/threads/{thread_id}")
    assert page.status_code == 200
    assert TITLE in text_of(page.text)
    assert 'data-section="group-thread"' in page.text
    answer = await member.post(f"/threads/{thread_id}/answers", {"body": "好主意，我参加。"})
    assert answer.status_code == 303
    assert "好主意，我参加。" in text_of((await browsers["author"].get(f"/threads/{thread_id}")).text)
    group_page = await member.get(f"/groups/{GROUP}")
    assert 'data-section="group-discussion"' in group_page.text and TITLE in text_of(group_page.text)
    assert 'id="discussion-form"' in group_page.text and zh("Start a discussion") in text_of(group_page.text)


async def test_outsiders_neither_read_nor_find_the_discussion(db, browser_factory):
    author, browsers = await _scene(browser_factory)
    thread_id = await _start(browsers["author"])
    for who in ("outsider", "resident", "visitor"):
        browser = browsers[who]
        assert (await browser.get(f"/threads/{thread_id}")).status_code == 404, who
        assert (await browser.get(f"/api/threads/{thread_id}")).status_code == 404, who
        assert TITLE not in text_of((await browser.get("/threads")).text), who
        assert TITLE not in text_of((await browser.get("/threads?q=联合促销")).text), who
        listed = (await browser.get("/api/threads")).json()
        assert thread_id not in [item["id"] for item in listed["items"]], who
        assert TITLE not in text_of((await browser.get(f"/groups/{GROUP}")).text), who
    answer = await browsers["outsider"].post(f"/threads/{thread_id}/answers", {"body": "我也来说两句。"})
    assert answer.status_code == 404
    assert await Thread.select(Thread.message_count).where(Thread.id == thread_id).first() == {"message_count": 0}
    assert await listing.similar_threads(None, None, None, "联合促销") == []
    # The discussion stands at the author's shop but is not about it: the shop's page does not list it.
    shop_id = next(iter(author.shop_ids))
    for who in ("outsider", "resident", "visitor", "author"):
        assert TITLE not in text_of((await browsers[who].get(f"/shops/{shop_id}")).text), who


async def test_staff_read_every_groups_discussion(db, browser_factory):
    _author, browsers = await _scene(browser_factory)
    thread_id = await _start(browsers["author"])
    staff = browsers["staff"]
    assert (await staff.get(f"/threads/{thread_id}")).status_code == 200
    assert TITLE in text_of((await staff.get(f"/groups/{GROUP}")).text)
    assert TITLE in text_of((await staff.get("/threads")).text)


async def test_a_non_member_cannot_start_a_discussion_and_nothing_is_stored(db, browser_factory):
    _author, browsers = await _scene(browser_factory)
    outsider = await browsers["outsider"].post(f"/groups/{GROUP}/threads", {"title": TITLE, "body": "我想说两句。"})
    assert outsider.status_code == 403
    resident = await browsers["resident"].post(f"/groups/{GROUP}/threads", {"title": TITLE, "body": "我想说两句。"})
    assert resident.status_code == 403
    assert await Thread.count().where(Thread.visibility == "group") == 0


async def test_a_bad_form_comes_back_with_its_errors_and_stores_nothing(db, browser_factory):
    _author, browsers = await _scene(browser_factory)
    response = await browsers["author"].post(f"/groups/{GROUP}/threads", {"title": "短", "body": ""}, htmx=True)
    assert response.status_code == 422 and 'id="discussion-form"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert await Thread.count().where(Thread.visibility == "group") == 0


async def test_the_service_refuses_non_members_and_keeps_lists_apart(db):
    author = await merchant("张师傅", "1143号", "老张生煎")
    outsider = await merchant("李老板", "1021号", "北段水果店")
    group_id = await _group_id()
    thread_id = await opening.open_group_thread(author, group_id, TITLE, "大家周六一起打折吧。")
    with pytest.raises(Forbidden) as refused:
        await opening.open_group_thread(outsider, group_id, TITLE, "我想说两句。")
    assert refused.value.message == (
        "Only the merchants of the group's open shops and staff take part in its discussion."
    )
    with pytest.raises(Forbidden) as refused:
        await listing.list_group_threads(outsider, group_id)
    assert refused.value.message == (
        "Only the merchants of the group's open shops and staff take part in its discussion."
    )
    with pytest.raises(NotFound) as refused:
        await access.get_thread(outsider, thread_id)
    assert refused.value.message == "No such thread."
    with pytest.raises(NotFound) as refused:
        await workflow.post_answer(outsider, thread_id, AnswerForm(body="我也来说两句。"))
    assert refused.value.message == "No such thread."
    mine = await listing.list_group_threads(author, group_id)
    assert [item.id for item in mine.items] == [thread_id]
    # The same filters, asked by a member and then by an outsider: the cached list query is not shared.
    filters = ThreadFilter()
    assert thread_id in [item.id for item in (await listing.list_threads(author, filters)).items]
    assert thread_id not in [item.id for item in (await listing.list_threads(outsider, filters)).items]
    staff = await staff_viewer()
    await workflow.post_answer(staff, thread_id, AnswerForm(body="工作站支持。"))
    staff_thread_id = await opening.open_group_thread(staff, group_id, "工作站的通知", "下周检查消防通道。")
    assert (await access.get_thread(author, staff_thread_id)).house_number == "1143号"


async def test_the_discussion_list_costs_the_same_whatever_its_length(db, count_queries):
    author = await merchant("张师傅", "1143号", "老张生煎")
    group_id = await _group_id()
    await opening.open_group_thread(author, group_id, TITLE, "第一条。")
    before = count_queries.count
    await listing.list_group_threads(author, group_id)
    one = count_queries.count - before
    for number in range(5):
        await opening.open_group_thread(author, group_id, f"{TITLE}{number}", "又一条。")
    before = count_queries.count
    page = await listing.list_group_threads(author, group_id)
    assert page.total == 6 and count_queries.count - before == one
