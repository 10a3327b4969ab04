"""The merchant's to-do on /me/shops: open threads about their shops by deadline, answered in place; and the shop
concerned neither joins nor flags a complaint about itself."""

from __future__ import annotations

import datetime as dt

import pytest

from block_service import clock
from block_service.errors import Forbidden
from block_service.threads import moderation, todo, workflow
from block_service.threads.schemas import AnswerForm, StatusForm
from block_service.threads.tables import Message, Thread
from tests.helpers import make_person, make_shop, make_thread, text_of, viewer_for


async def _shop_with_threads():
    merchant = await make_person("张师傅", "13800000501")
    shop_id = await make_shop(merchant, name="老张生煎", house_number="1143号")
    reporter = await make_person("王阿姨", "13900000501")
    later = await make_thread(reporter, shop_id=shop_id, title="晚上油烟很大")
    sooner = await make_thread(reporter, shop_id=shop_id, title="门口纸箱占道")
    # The second report's deadline passed yesterday: it comes first and is flagged overdue.
    await Thread.update({Thread.due_at: clock.now() - dt.timedelta(days=1)}).where(Thread.id == sooner)
    return merchant, shop_id, reporter, sooner, later


async def test_the_to_do_lists_open_threads_of_my_shops_by_deadline_with_overdue_and_answered(db, count_queries):
    merchant, shop_id, reporter, sooner, later = await _shop_with_threads()
    other = await make_shop(await make_person("隔壁", "13800000502"), name="隔壁水果店", house_number="1021号")
    await make_thread(reporter, shop_id=other, title="别家店的事情")
    closed = await make_thread(reporter, shop_id=shop_id, title="已经处理完的事")
    staff = await make_person("工作站", "staff501@test.example", roles=("staff",))
    await workflow.change_status(viewer_for(staff, "staff"), closed, StatusForm(status="rejected", reason="不属实"))
    me = viewer_for(merchant, "merchant", shops=(shop_id,))
    await workflow.post_answer(me, later, AnswerForm(body="我们今晚加装油烟净化器。"))
    count_queries.statements.clear()
    [mine] = await todo.shop_todo(me)
    assert count_queries.count == 3
    assert mine.shop_name == "老张生煎"
    assert [(item.id, item.overdue, item.answered) for item in mine.items] == [
        (sooner, True, False),
        (later, False, True),
    ]
    assert await todo.shop_todo(viewer_for(reporter, "resident")) == []


async def test_answering_from_the_to_do_swaps_the_item_in_place_as_an_official_answer(db, browser_factory):
    merchant, shop_id, reporter, sooner, _later = await _shop_with_threads()
    browser = browser_factory()
    await browser.log_in("13800000501")
    page = await browser.get("/me/shops")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "我的店铺待办" in text and "已超时" in text and text.index("门口纸箱占道") < text.index("晚上油烟很大")
    assert f'hx-post="/me/shops/threads/{sooner}/answer"' in page.text
    response = await browser.post(f"/me/shops/threads/{sooner}/answer", {"body": "已清理，谢谢提醒。"}, htmx=True)
    assert response.status_code == 200 and "<html" not in response.text
    assert f'id="todo-{sooner}"' in response.text and "已答复 ✓" in response.text
    answer = await Message.select(Message.official, Message.body).where(Message.thread == sooner).first()
    assert answer == {"official": True, "body": "已清理，谢谢提醒。"}


async def test_an_empty_answer_comes_back_in_place_with_its_error_and_nothing_is_sent(db, browser_factory):
    _merchant, _shop_id, _reporter, sooner, _later = await _shop_with_threads()
    browser = browser_factory()
    await browser.log_in("13800000501")
    response = await browser.post(f"/me/shops/threads/{sooner}/answer", {"body": ""}, htmx=True)
    assert response.status_code == 422
    assert f'id="e-f-answer-{sooner}"' in response.text and '<details class="todo-answer" open>' in response.text
    plain = await browser.post(f"/me/shops/threads/{sooner}/answer", {"body": ""})
    assert plain.status_code == 422 and "我的店铺待办" in text_of(plain.text)
    assert await Message.count().where(Message.thread == sooner) == 0


async def test_only_the_shops_own_merchants_answer_from_the_to_do(db, browser_factory):
    _merchant, _shop_id, _reporter, sooner, _later = await _shop_with_threads()
    await make_shop(await make_person("隔壁", "13800000503"), name="隔壁水果店", house_number="1021号")
    neighbour = browser_factory()
    await neighbour.log_in("13800000503")
    refused = await neighbour.post(f"/me/shops/threads/{sooner}/answer", {"body": "不是我的店"}, htmx=True)
    assert refused.status_code == 403
    assert "只有被反映店铺的商户才能在待办中答复。" in refused.text
    resident = browser_factory()
    await resident.log_in("13900000501")
    assert (await resident.post(f"/me/shops/threads/{sooner}/answer", {"body": "路过"})).status_code == 403
    assert await Message.count().where(Message.thread == sooner) == 0


async def test_the_shop_concerned_may_not_flag_a_complaint_about_itself(db):
    merchant, shop_id, reporter, sooner, _later = await _shop_with_threads()
    me = viewer_for(merchant, "merchant", shops=(shop_id,))
    with pytest.raises(Forbidden) as refused:
        await moderation.flag(me, "thread", sooner, "不实")
    assert refused.value.message == "The merchants of the shop concerned do not flag a complaint about it."
    neighbour = await make_person("隔壁", "13800000504")
    other_shop = await make_shop(neighbour, name="隔壁水果店", house_number="1021号")
    assert (
        await moderation.flag(viewer_for(neighbour, "merchant", shops=(other_shop,)), "thread", sooner, "重复") is False
    )


async def test_the_to_do_page_answers_in_english_too(db, browser_factory):
    await _shop_with_threads()
    browser = browser_factory("en")
    await browser.log_in("13800000501")
    await browser.post("/language", {"language": "en", "next": "/me/shops"})
    text = text_of((await browser.get("/me/shops")).text)
    assert "To do for my shops" in text and "Waiting for your answer" in text and "Overdue" in text


async def test_the_to_do_page_runs_the_same_statements_however_many_threads(db, browser_factory, count_queries):
    _merchant, shop_id, reporter, _sooner, _later = await _shop_with_threads()
    browser = browser_factory()
    await browser.log_in("13800000501")
    count_queries.statements.clear()
    assert (await browser.get("/me/shops")).status_code == 200
    few = count_queries.count
    for number in range(6):
        await make_thread(reporter, shop_id=shop_id, title=f"第{number}件 门口占道")
    count_queries.statements.clear()
    page = await browser.get("/me/shops")
    assert page.text.count('class="card todo-item') == 8
    assert count_queries.count == few
