"""Thread rules: who may do what, privacy, the workflow, me-too, flags, deadlines, notifications, evaluation."""

import asyncio
import datetime as dt
import itertools

import pytest

from block_service.errors import Conflict, Forbidden, Invalid, NotFound
from block_service.inbox import services as inbox_services
from block_service.inbox.tables import InboxEntry
from block_service.shops.tables import ShopMerchant
from block_service.threads import (
    access,
    categories,
    listing,
    moderation,
    opening,
    reactions,
    reading,
    services,
    workflow,
)
from block_service.threads.schemas import AnswerForm, EvaluationForm, StatusForm, ThreadFilter, ThreadForm
from block_service.threads.tables import Message, Thread
from tests.helpers import make_person, make_shop, make_thread, viewer_for


@pytest.fixture(autouse=True)
def english():
    """Labels made by services follow the request language; these tests read them in English."""
    from block_service.i18n import current_language

    token = current_language.set("en")
    yield
    current_language.reset(token)


@pytest.fixture
async def block(db):
    """A resident, a merchant with a shop, a neighbour resident and a staff member."""
    resident = await make_person("王阿姨", "13900000101")
    neighbour = await make_person("李大爷", "13900000102")
    merchant = await make_person("张师傅", "13800000101")
    staff = await make_person("工作站小凌", "staff@test.example", roles=("staff",))
    shop = await make_shop(merchant)
    return {
        "resident": viewer_for(resident, "resident"),
        "neighbour": viewer_for(neighbour, "resident"),
        "merchant": viewer_for(merchant, "resident", "merchant", shops=(shop,)),
        "staff": viewer_for(staff, "staff"),
        "public": viewer_for(None),
        "shop": shop,
    }


def _status(status: str, reason: str = "已处理") -> StatusForm:
    return StatusForm(status=status, reason=reason)


async def test_an_anonymous_report_hides_the_name_from_the_public_and_the_shop(block):
    thread_id = await make_thread(block["resident"].person_id, shop_id=block["shop"], anonymous=True)
    assert str((await access.get_thread(block["public"], thread_id)).author_label) == "A resident"
    assert str((await access.get_thread(block["merchant"], thread_id)).author_label) == "A resident"
    assert str((await access.get_thread(block["staff"], thread_id)).author_label) == "王阿姨"
    assert str((await access.get_thread(block["resident"], thread_id)).author_label) == "王阿姨 (you)"
    listed = await listing.list_threads(block["public"], ThreadFilter())
    assert [str(t.author_label) for t in listed.items] == ["A resident"]


async def test_the_shop_sees_the_name_only_when_the_reporter_allows_it(block):
    thread_id = await make_thread(block["resident"].person_id, shop_id=block["shop"], anonymous=True, name_to_shop=True)
    assert str((await access.get_thread(block["merchant"], thread_id)).author_label) == "王阿姨"
    assert str((await access.get_thread(block["neighbour"], thread_id)).author_label) == "A resident"


async def test_residents_post_reports_and_only_merchants_post_issues(block):
    with pytest.raises(Forbidden) as refused:
        await make_thread(block["resident"].person_id, kind="issue", category="premises", roles=("resident",))
    assert refused.value.message == "Only merchants post issues; residents post reports."
    assert await make_thread(block["merchant"].person_id, kind="issue", category="premises")


async def test_a_category_of_the_other_kind_is_refused(block):
    found = await categories.list_categories("issue")
    form = ThreadForm(title="门口纸箱占道", body="说明", category_id=found[0].id, house_number="1143号")
    with pytest.raises(Invalid) as refused:
        await opening.open_thread(block["resident"], form)
    assert (refused.value.message, refused.value.field) == ("Choose a category from the list.", "category_id")
    assert await Thread.count() == 0


async def test_the_shop_is_told_of_a_report_about_it(block):
    thread_id = await make_thread(block["resident"].person_id, shop_id=block["shop"])
    notices = await inbox_services.list_entries(block["merchant"])
    assert [(n.kind, n.object_id, n.event) for n in notices.items] == [("thread", thread_id, "opened")]


async def test_the_merchants_answer_is_official_and_a_neighbours_is_not(block):
    thread_id = await make_thread(block["resident"].person_id, shop_id=block["shop"])
    await workflow.post_answer(block["merchant"], thread_id, AnswerForm(body="今天下午就清理。"))
    await workflow.post_answer(block["neighbour"], thread_id, AnswerForm(body="我也看到了。"))
    page = await reading.get_thread_page(block["public"], thread_id)
    assert [(m.body, m.official) for m in page.messages] == [("今天下午就清理。", True), ("我也看到了。", False)]


async def test_the_workflow_of_a_report(block):
    thread_id = await make_thread(block["resident"].person_id, shop_id=block["shop"])
    await workflow.change_status(block["staff"], thread_id, _status("acknowledged", "已受理"))
    await workflow.change_status(block["merchant"], thread_id, _status("in_progress", "正在清理"))
    await workflow.change_status(block["merchant"], thread_id, _status("resolved", "已清理完毕"))
    assert (
        await reactions.evaluate(
            block["resident"], thread_id, EvaluationForm(fixed="yes", score=4, comment="确认已解决")
        )
        == "closed"
    )
    page = await reading.get_thread_page(block["resident"], thread_id)
    steps = [(m.status_from, m.status_to, m.body) for m in page.messages if m.kind == "status"]
    assert steps == [
        ("new", "acknowledged", "已受理"),
        ("acknowledged", "in_progress", "正在清理"),
        ("in_progress", "resolved", "已清理完毕"),
        ("resolved", "closed", "确认已解决"),
    ]
    assert page.thread.status == "closed" and page.viewer_evaluated and not page.viewer_may_evaluate


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("neighbour", "resolved"),
        ("resident", "acknowledged"),
        ("resident", "resolved"),
        ("merchant", "closed"),
        ("merchant", "rejected"),
        ("public", "resolved"),
    ],
)
async def test_people_cannot_move_a_thread_where_their_role_does_not_allow(block, who, status):
    thread_id = await make_thread(block["resident"].person_id, shop_id=block["shop"])
    with pytest.raises(Forbidden) as refused:
        await workflow.change_status(block[who], thread_id, _status(status))
    assert refused.value.message == "You may not move this thread to that status."
    assert (await Thread.select(Thread.status).first())["status"] == "new"
    assert await Message.count() == 0


async def test_a_merchant_cannot_move_a_thread_about_another_shop(block):
    other_merchant = await make_person("隔壁店主", "13800000109")
    other_shop = await make_shop(other_merchant, name="隔壁水果店", house_number="1021号")
    thread_id = await make_thread(block["resident"].person_id, shop_id=other_shop)
    with pytest.raises(Forbidden) as refused:
        await workflow.change_status(block["merchant"], thread_id, _status("resolved"))
    assert refused.value.message == "You may not move this thread to that status."


async def test_the_reporter_answers_not_fixed_and_the_deadline_starts_again(block):
    thread_id = await make_thread(block["resident"].person_id, shop_id=block["shop"])
    await workflow.change_status(block["merchant"], thread_id, _status("resolved"))
    with pytest.raises(Forbidden, match="You may not move this thread to that status."):
        await workflow.change_status(block["resident"], thread_id, _status("closed", "确认已解决"))
    form = EvaluationForm(fixed="no", score=1, comment="纸箱又堆回来了")
    assert await reactions.evaluate(block["resident"], thread_id, form) == "reopened"
    thread = await access.get_thread(block["staff"], thread_id)
    assert thread.status == "reopened" and thread.resolved_at is None
    assert thread.due_at > dt.datetime.now(dt.UTC) + dt.timedelta(hours=23)
    page = await reading.get_thread_page(block["resident"], thread_id)
    assert [(m.status_to, m.body) for m in page.messages if m.kind == "status"][-1] == ("reopened", "纸箱又堆回来了")
    assert page.viewer_evaluated and not page.viewer_may_evaluate
    # Resolved again: the reporter's new answer replaces the first one.
    await workflow.change_status(block["merchant"], thread_id, _status("resolved"))
    assert (await reading.get_thread_page(block["resident"], thread_id)).viewer_may_evaluate
    assert await reactions.evaluate(block["resident"], thread_id, EvaluationForm(fixed="partly", score=3)) == "closed"
    summary = (await reading.get_thread_page(block["public"], thread_id)).evaluations
    assert (summary.count, summary.fixed_no, summary.fixed_partly, summary.average_score) == (1, 0, 1, 3.0)
    merchant_notices = [n.event for n in (await inbox_services.list_entries(block["merchant"])).items]
    assert "status" in merchant_notices


async def test_a_duplicate_names_the_thread_it_repeats(block):
    first = await make_thread(block["resident"].person_id, shop_id=block["shop"])
    second = await make_thread(block["neighbour"].person_id, shop_id=block["shop"])
    with pytest.raises(Invalid) as refused:
        await workflow.change_status(block["staff"], second, StatusForm(status="duplicate", reason="重复"))
    assert (refused.value.message, refused.value.field) == (
        "Give the number of the thread this one repeats.",
        "duplicate_of",
    )
    await workflow.change_status(
        block["staff"], second, StatusForm(status="duplicate", reason="重复", duplicate_of=first)
    )
    assert (await access.get_thread(block["staff"], second)).duplicate_of == first


async def test_overdue_follows_the_category_deadline(block):
    thread_id = await make_thread(block["resident"].person_id, category="pavement")
    assert not (await access.get_thread(block["staff"], thread_id)).overdue
    await Thread.update({Thread.due_at: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)}).where(
        Thread.id == thread_id
    )
    assert (await access.get_thread(block["staff"], thread_id)).overdue
    assert [t.id for t in (await listing.list_threads(block["staff"], ThreadFilter(overdue=True))).items] == [thread_id]
    assert await listing.count_overdue() == 1
    await workflow.change_status(block["staff"], thread_id, _status("acknowledged", "已受理"))
    assert not (await access.get_thread(block["staff"], thread_id)).overdue


async def test_the_triage_queue_puts_overdue_first_then_new(block):
    old = await make_thread(block["resident"].person_id, title="第一件 占道问题")
    fresh = await make_thread(block["resident"].person_id, title="第二件 占道问题")
    handled = await make_thread(block["resident"].person_id, title="第三件 占道问题")
    await workflow.change_status(block["staff"], handled, _status("acknowledged"))
    await Thread.update({Thread.due_at: dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)}).where(Thread.id == old)
    queue = await listing.triage_queue(block["staff"], ThreadFilter())
    assert [t.id for t in queue.items] == [old, fresh, handled]


async def test_me_too_once_per_person_and_removable(block):
    thread_id = await make_thread(block["resident"].person_id)
    assert await reactions.set_metoo(block["neighbour"], thread_id, True) == 1
    assert await reactions.set_metoo(block["neighbour"], thread_id, True) == 1
    results = await asyncio.gather(*[reactions.set_metoo(block["merchant"], thread_id, True) for _ in range(5)])
    assert results[-1] == 2 and (await Thread.select(Thread.metoo_count).first())["metoo_count"] == 2
    assert await reactions.set_metoo(block["neighbour"], thread_id, False) == 1


async def _age_accounts(*viewers, days: int = 8) -> None:
    """Accounts made `days` ago (the fixture makes them now)."""
    from block_service.accounts.tables import Person

    when = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    await Person.update({Person.created_at: when}).where(Person.id.is_in([v.person_id for v in viewers]))


async def test_three_flags_from_different_people_hide_a_message(block):
    thread_id = await make_thread(block["resident"].person_id)
    message_id = await workflow.post_answer(block["neighbour"], thread_id, AnswerForm(body="广告：低价转让"))
    flaggers = [block["resident"], block["merchant"], viewer_for(await make_person("路人", "13900000199"), "resident")]
    await _age_accounts(*flaggers)
    assert await moderation.flag(flaggers[0], "message", message_id, "广告") is False
    with pytest.raises(Conflict) as refused:
        await moderation.flag(flaggers[0], "message", message_id, "广告")
    assert refused.value.message == "You have already flagged this."
    assert await moderation.flag(flaggers[1], "message", message_id, "广告") is False
    assert await moderation.flag(flaggers[2], "message", message_id, "广告") is True
    public_view = await reading.get_thread_page(block["public"], thread_id)
    assert public_view.messages[0].hidden and public_view.messages[0].body == ""
    author_view = await reading.get_thread_page(block["neighbour"], thread_id)
    assert author_view.messages[0].body == "广告：低价转让"


async def test_staff_restore_with_a_reason_the_author_is_told(block):
    thread_id = await make_thread(block["resident"].person_id)
    await moderation.moderate(block["staff"], "thread", thread_id, True, "含有他人电话号码")
    with pytest.raises(NotFound) as refused:
        await access.get_thread(block["public"], thread_id)
    assert refused.value.message == "No such thread."
    assert (await access.get_thread(block["resident"], thread_id)).hidden_reason == "含有他人电话号码"
    notices = await inbox_services.list_entries(block["resident"])
    assert notices.items[0].event == "moderation" and "电话号码" in notices.items[0].detail
    await moderation.moderate(block["staff"], "thread", thread_id, False, "已删除电话号码")
    assert (await access.get_thread(block["public"], thread_id)).hidden is False


async def test_participants_are_notified_except_who_muted(block):
    thread_id = await make_thread(block["resident"].person_id, shop_id=block["shop"])
    await reactions.set_metoo(block["neighbour"], thread_id, True)
    await reactions.set_muted(block["neighbour"], thread_id, True)
    await InboxEntry.delete(force=True)
    await workflow.post_answer(block["merchant"], thread_id, AnswerForm(body="马上处理"))
    people = {row["person"] for row in await InboxEntry.select(InboxEntry.person)}
    assert people == {block["resident"].person_id}
    assert await services.unread_count(block["resident"].person_id) == 1
    await services.mark_read(block["resident"], thread_id)
    assert await services.unread_count(block["resident"].person_id) == 0


async def test_the_reporter_confirms_and_rates_in_one_step_then_the_me_too_people_rate(block):
    thread_id = await make_thread(block["resident"].person_id, shop_id=block["shop"])
    await reactions.set_metoo(block["neighbour"], thread_id, True)
    with pytest.raises(Conflict) as refused:
        await reactions.evaluate(block["resident"], thread_id, EvaluationForm(fixed="yes", score=5))
    assert refused.value.message == "A fix is evaluated once it is marked resolved (by the reporter) or closed."
    await workflow.change_status(block["merchant"], thread_id, _status("resolved"))
    # Only the reporter answers a resolved thread; a me-too person waits until it is closed.
    with pytest.raises(Conflict, match="marked resolved"):
        await reactions.evaluate(block["neighbour"], thread_id, EvaluationForm(fixed="yes", score=5))
    assert await reactions.evaluate(block["resident"], thread_id, EvaluationForm(fixed="yes", score=5)) == "closed"
    assert (await access.get_thread(block["staff"], thread_id)).status == "closed"
    await reactions.evaluate(block["neighbour"], thread_id, EvaluationForm(fixed="partly", score=3))
    with pytest.raises(Conflict) as refused:
        await reactions.evaluate(block["resident"], thread_id, EvaluationForm(fixed="no", score=1))
    assert refused.value.message == "You have already evaluated this fix."
    with pytest.raises(Forbidden) as refused:
        await reactions.evaluate(block["merchant"], thread_id, EvaluationForm(fixed="yes", score=5))
    assert refused.value.message == "Only the reporter and the people who added “me too” evaluate the fix."
    summary = (await reading.get_thread_page(block["public"], thread_id)).evaluations
    assert (summary.count, summary.fixed_yes, summary.fixed_partly, summary.average_score) == (2, 1, 1, 4.0)
    # The reporter is not asked again for what they just said; the me-too person is asked.
    resident_events = [n.event for n in (await inbox_services.list_entries(block["resident"])).items]
    neighbour_events = [n.event for n in (await inbox_services.list_entries(block["neighbour"])).items]
    assert "evaluate" not in resident_events and "evaluate" in neighbour_events


async def test_the_merchants_of_the_shop_concerned_do_not_add_me_too(block):
    thread_id = await make_thread(block["resident"].person_id, shop_id=block["shop"])
    with pytest.raises(Forbidden, match="merchants of the shop concerned"):
        await reactions.set_metoo(block["merchant"], thread_id, True)
    assert await reactions.set_metoo(block["neighbour"], thread_id, True) == 1


async def test_resolved_threads_close_by_themselves_after_seven_days_once(block):
    thread_id = await make_thread(block["resident"].person_id, shop_id=block["shop"])
    await workflow.change_status(block["merchant"], thread_id, _status("resolved"))
    now = dt.datetime.now(dt.UTC)
    assert await workflow.close_stale_resolved(now + dt.timedelta(days=6)) == 0
    assert await workflow.close_stale_resolved(now + dt.timedelta(days=8)) == 1
    assert await workflow.close_stale_resolved(now + dt.timedelta(days=9)) == 0
    thread = await access.get_thread(block["resident"], thread_id)
    assert thread.status == "closed"
    events = [n.event for n in (await inbox_services.list_entries(block["resident"])).items]
    assert "evaluate" in events


async def test_similar_open_threads_are_offered(block):
    existing = await make_thread(block["resident"].person_id, shop_id=block["shop"], title="生煎店门口纸箱占道")
    by_shop = await listing.similar_threads(block["shop"], None, None, None)
    assert [(t.id, t.why) for t in by_shop] == [(existing, "same_shop")]
    by_slug = {c.slug: c.id for c in await categories.list_categories()}
    nearby = await listing.similar_threads(None, by_slug["pavement"], "1147号", None)
    assert [(t.id, t.why) for t in nearby] == [(existing, "same_category_nearby")]
    far = await listing.similar_threads(None, by_slug["pavement"], "1250号", None)
    assert far == []
    by_title = await listing.similar_threads(None, None, None, "纸箱占道")
    assert [t.id for t in by_title] == [existing]


async def test_search_finds_chinese_text_of_any_length(block):
    await make_thread(block["resident"].person_id, title="夜间烧烤油烟太大", category="cooking-fumes")
    await make_thread(block["resident"].person_id, title="共享单车乱停", category="parking")
    for query, expected in (
        ("油烟", ["夜间烧烤油烟太大"]),
        ("烧烤油烟", ["夜间烧烤油烟太大"]),
        ("单车", ["共享单车乱停"]),
        ("烟", ["夜间烧烤油烟太大"]),
        ("不存在的词语", []),
    ):
        found = await listing.list_threads(block["public"], ThreadFilter(q=query))
        assert [t.title for t in found.items] == expected, query


async def test_two_people_moving_a_thread_at_once_record_one_step(block):
    thread_id = await make_thread(block["resident"].person_id, shop_id=block["shop"])
    results = await asyncio.gather(
        workflow.change_status(block["staff"], thread_id, _status("acknowledged", "已受理")),
        workflow.change_status(block["merchant"], thread_id, _status("in_progress", "马上处理")),
        return_exceptions=True,
    )
    steps = (
        await Message.select(Message.status_from, Message.status_to)
        .where(Message.kind == "status")
        .order_by(Message.id)
    )
    # Whether they ran one after the other or raced, the record is one chain: no two steps start from
    # the same status, and each starts where the last one ended.
    assert len(steps) == sum(r is None for r in results) >= 1
    assert steps[0]["status_from"] == "new"
    assert all(a["status_to"] == b["status_from"] for a, b in itertools.pairwise(steps))
    assert all(r is None or isinstance(r, (Conflict, Forbidden)) for r in results)


async def test_a_long_list_counts_up_to_the_cap_and_says_there_are_more(block, monkeypatch):
    from block_service import pagination

    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    for number in range(5):
        await make_thread(block["resident"].person_id, title=f"第{number}件 占道问题")
    first = await listing.list_threads(block["public"], ThreadFilter(per_page=2))
    assert (first.total, first.total_capped, first.has_next) == (3, True, True)
    # Counting goes up to the cap past the page asked for, so every next page stays reachable.
    second = await listing.list_threads(block["public"], ThreadFilter(per_page=2, page=2))
    assert (second.total, second.total_capped) == (5, False)
    last = await listing.list_threads(block["public"], ThreadFilter(per_page=2, page=3))
    assert (len(last.items), last.total, last.total_capped, last.has_next) == (1, 5, False, False)
    exact = await listing.list_threads(block["public"], ThreadFilter(q="第4件"))
    assert (exact.total, exact.total_capped) == (1, False)


async def test_an_answer_to_a_thread_hidden_meanwhile_is_refused_and_leaves_nothing(block, monkeypatch):
    thread_id = await make_thread(block["resident"].person_id, shop_id=block["shop"])
    checked = access.load_thread_for

    async def hidden_right_after_the_check(viewer, thread: int) -> dict:
        row = await checked(viewer, thread)
        await moderation.moderate(block["staff"], "thread", thread, True, "含有他人电话号码")
        return row

    monkeypatch.setattr(workflow, "load_thread_for", hidden_right_after_the_check)
    with pytest.raises(Forbidden) as refused:
        await workflow.post_answer(block["neighbour"], thread_id, AnswerForm(body="我也看到了"))
    assert refused.value.message == "This thread is hidden while staff review it."
    row = await Thread.select(Thread.message_count).where(Thread.id == thread_id).first()
    assert row["message_count"] == 0
    assert not await Message.exists().where((Message.thread == thread_id) & (Message.kind == "answer"))


async def test_flags_from_accounts_younger_than_a_week_never_hide_a_public_complaint(block):
    """Three accounts made in a minute could hide any complaint: their flags are kept for staff but do not count."""
    thread_id = await make_thread(block["resident"].person_id, shop_id=block["shop"])
    fresh = [viewer_for(await make_person(f"新号{i}", f"1390000030{i}"), "resident") for i in range(3)]
    await _age_accounts(*fresh, days=6)
    assert [await moderation.flag(v, "thread", thread_id, "乱说") for v in fresh] == [False, False, False]
    row = await Thread.select(Thread.hidden, Thread.flag_count).where(Thread.id == thread_id).first()
    assert row == {"hidden": False, "flag_count": 3}  # staff still see all three in the queue
    assert (await access.get_thread(block["public"], thread_id)).hidden is False
    assert moderation.FLAG_ACCOUNT_MIN_AGE == dt.timedelta(days=7)
    # The same people a week on: their next flags, on another complaint, count.
    other = await make_thread(block["resident"].person_id, shop_id=block["shop"], title="门口油烟")
    await _age_accounts(*fresh, days=7)
    assert [await moderation.flag(v, "thread", other, "乱说") for v in fresh] == [False, False, True]


async def test_flags_by_the_shops_own_merchants_never_hide_a_complaint_about_it(block):
    thread_id = await make_thread(block["resident"].person_id, shop_id=block["shop"])
    colleagues = [block["merchant"]]
    for i in range(2):
        person = await make_person(f"店员{i}", f"1380000040{i}")
        await ShopMerchant.insert(ShopMerchant(shop=block["shop"], person=person))
        colleagues.append(viewer_for(person, "resident", "merchant", shops=(block["shop"],)))
    bystander = viewer_for(await make_person("路人", "13900000402"), "resident")
    await _age_accounts(*colleagues, bystander, days=30)
    for colleague in colleagues:  # the shop concerned may not flag the complaint itself (issue 13)...
        with pytest.raises(Forbidden) as refused:
            await moderation.flag(colleague, "thread", thread_id, "不实")
        assert refused.value.message == "The merchants of the shop concerned do not flag a complaint about it."
    assert (await access.get_thread(block["public"], thread_id)).hidden is False
    # ...and its flags on the complaint's messages never count: one flag from a bystander does not reach three.
    message_id = await workflow.post_answer(block["resident"], thread_id, AnswerForm(body="补充：还是堵着"))
    assert [await moderation.flag(v, "message", message_id, "不实") for v in colleagues] == [False, False, False]
    assert await moderation.flag(bystander, "message", message_id, "不实") is False
    assert await Message.select(Message.hidden).where(Message.id == message_id).first() == {"hidden": False}
    # On a thread about no shop, the same merchants' flags count like anyone's.
    unrelated = await make_thread(block["neighbour"].person_id, title="路灯不亮")
    assert [await moderation.flag(v, "thread", unrelated, "不实") for v in colleagues] == [False, False, True]


async def test_no_action_reaches_a_group_thread_from_outside_the_group_and_nothing_is_written(block):
    """Flag, mute, me-too, answer, status, evaluation: the outsider gets the 404 of a thread that does not exist."""
    from block_service.groups.membership import group_ids_of
    from block_service.threads.tables import Flag, MeToo, Mute

    group_id = next(iter(await group_ids_of(block["merchant"])))
    secret = await opening.open_group_thread(block["merchant"], group_id, "组内商量", "只给组里看")
    message_id = await workflow.post_answer(block["merchant"], secret, AnswerForm(body="组内回复"))
    outsider = block["neighbour"]
    await _age_accounts(outsider)
    missing = secret + 1000
    attempts = {
        "flag thread": lambda t: moderation.flag(outsider, "thread", t, "看看"),
        "mute": lambda t: reactions.set_muted(outsider, t, True),
        "me too": lambda t: reactions.set_metoo(outsider, t, True),
        "answer": lambda t: workflow.post_answer(outsider, t, AnswerForm(body="外人")),
        "status": lambda t: workflow.change_status(outsider, t, _status("closed")),
        "evaluate": lambda t: reactions.evaluate(outsider, t, EvaluationForm(fixed="yes", score=5)),
    }
    for name, attempt in attempts.items():
        with pytest.raises(NotFound) as inside:
            await attempt(secret)
        with pytest.raises(NotFound) as nowhere:
            await attempt(missing)
        assert inside.value.message == nowhere.value.message == "No such thread.", name
    with pytest.raises(NotFound) as inside:
        await moderation.flag(outsider, "message", message_id, "看看")
    with pytest.raises(NotFound) as nowhere:
        await moderation.flag(outsider, "message", message_id + 1000, "看看")
    assert inside.value.message == nowhere.value.message == "No such message."
    assert not await Flag.exists() and not await Mute.exists() and not await MeToo.exists()
    assert (await Thread.select(Thread.message_count).where(Thread.id == secret).first())["message_count"] == 1


async def test_a_hidden_thread_is_out_of_reach_of_everyone_but_its_author_and_staff(block):
    thread_id = await make_thread(block["resident"].person_id, shop_id=block["shop"])
    await moderation.moderate(block["staff"], "thread", thread_id, True, "待核实")
    for viewer in (block["neighbour"], block["merchant"]):
        with pytest.raises(NotFound) as refused:
            await workflow.post_answer(viewer, thread_id, AnswerForm(body="我也看到了"))
        assert refused.value.message == "No such thread."
        with pytest.raises(NotFound) as refused:
            await reactions.set_muted(viewer, thread_id, True)
        assert refused.value.message == "No such thread."
    with pytest.raises(Forbidden) as refused:  # the author still sees it, and is told why they cannot answer
        await workflow.post_answer(block["resident"], thread_id, AnswerForm(body="补充"))
    assert refused.value.message == "This thread is hidden while staff review it."
