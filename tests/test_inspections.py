"""门前三包 inspections: rounds, results, a failure opening a thread only the shop's merchants and staff see (on
every surface: page, lists, search, JSON, stream, inbox, photos), a shop's own record, per-segment figures."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from block_service import clock
from block_service.errors import Conflict, Forbidden, Invalid
from block_service.inbox.tables import InboxEntry
from block_service.notices import inspections
from block_service.notices.schemas import ResultForm, RoundForm
from block_service.notices.tables import InspectionResult, InspectionRound
from block_service.threads.tables import Photo, Thread
from tests.helpers import make_person, text_of, viewer_for
from tests.notice_helpers import merchant_of, staff_viewer


def _month() -> str:
    return clock.block_today().strftime("%Y-%m")


@pytest.fixture
async def block(db):
    staff = await staff_viewer()
    zhang, shop = await merchant_of(None, "张师傅", "13800000001", "1143号", "老张生煎")
    wife, _ = await merchant_of(shop, "张阿姨", "13800000002")
    li, other = await merchant_of(None, "李老板", "13800000003", "1021号", "凌岩水果店")
    resident = viewer_for(await make_person("王阿姨", "13900000001"), "resident")
    return {"staff": staff, "zhang": zhang, "wife": wife, "li": li, "shop": shop, "other": other, "resident": resident}


async def test_a_round_a_month_and_who_may_start_it(block):
    round_id = await inspections.start_round(block["staff"], RoundForm(month=_month()))
    assert (await InspectionRound.select(InspectionRound.title).first())["title"].endswith("门前三包检查")
    with pytest.raises(Conflict) as twice:
        await inspections.start_round(block["staff"], RoundForm(month=_month()))
    assert twice.value.message == "There is already a round for this month."
    with pytest.raises(Forbidden):
        await inspections.start_round(block["zhang"], RoundForm(month="2026-01"))
    council = viewer_for(block["li"].person_id, "merchant", "council", shops=(block["other"],))
    assert await inspections.start_round(council, RoundForm(month="2026-01")) != round_id
    future = clock.block_today() + dt.timedelta(days=40)
    with pytest.raises(Invalid):
        await inspections.start_round(block["staff"], RoundForm(month=future.strftime("%Y-%m")))
    assert await InspectionRound.count() == 2


async def test_a_pass_opens_nothing_and_a_failure_opens_the_shops_thread(block):
    round_id = await inspections.start_round(block["staff"], RoundForm(month=_month()))
    ok = await inspections.record_result(
        block["staff"], round_id, ResultForm(shop_id=block["other"], clean=True, green=True, orderly=True)
    )
    assert ok is None and await Thread.count() == 0
    with pytest.raises(Invalid) as no_note:
        await inspections.record_result(block["staff"], round_id, ResultForm(shop_id=block["shop"], clean=False))
    assert no_note.value.field == "note"
    thread_id = await inspections.record_result(
        block["staff"],
        round_id,
        ResultForm(shop_id=block["shop"], clean=False, green=True, orderly=True, note="门口有油污，垃圾桶未盖。"),
    )
    thread = await Thread.select(Thread.visibility, Thread.shop, Thread.title, Thread.category.slug).first()
    assert thread["visibility"] == "shop" and thread["shop"] == block["shop"]
    assert thread["category.slug"] == "shop-front" and "整洁" in thread["title"]
    told = {e["person"] for e in await InboxEntry.select(InboxEntry.person).where(InboxEntry.object_id == thread_id)}
    assert told == {block["zhang"].person_id, block["wife"].person_id}
    with pytest.raises(Conflict):
        await inspections.record_result(
            block["staff"], round_id, ResultForm(shop_id=block["shop"], clean=True, green=True, orderly=True)
        )
    assert await InspectionResult.count() == 2 and await Thread.count() == 1


async def test_a_shop_sees_its_own_record_and_the_public_per_segment(block):
    round_id = await inspections.start_round(block["staff"], RoundForm(month=_month()))
    for shop, passed in ((block["shop"], False), (block["other"], True)):
        await inspections.record_result(
            block["staff"], round_id, ResultForm(shop_id=shop, clean=passed, green=True, orderly=True, note="油污")
        )
    own = await inspections.shop_record(block["zhang"], block["shop"])
    assert [r.shop_name for r in own] == ["老张生煎"] and own[0].clean is False
    with pytest.raises(Forbidden):
        await inspections.shop_record(block["li"], block["shop"])
    month = clock.block_today().replace(day=1)
    figures = await inspections.segment_results(month, month)
    assert sum(f.shops_inspected for f in figures) == 2
    assert sum(f.clean_passed for f in figures) == 1 and sum(f.all_passed for f in figures) == 1
    assert all(f.month == month for f in figures)


@pytest.fixture
async def failed(block, app, browser_factory):
    """A failure with a photo recorded through the form; the shop's thread and its photo."""
    browsers = {}
    for name, contact in (
        ("staff", "staff@test.example"),
        ("zhang", "13800000001"),
        ("li", "13800000003"),
        ("resident", "13900000001"),
    ):
        browsers[name] = browser_factory("zh-Hans")
        await browsers[name].log_in(contact)
    browsers["visitor"] = browser_factory("zh-Hans")
    start = await browsers["staff"].post("/inspections/rounds", {"month": _month()})
    assert start.status_code == 303
    round_id = (await InspectionRound.select(InspectionRound.id).first())["id"]
    image = io.BytesIO()
    Image.new("RGB", (80, 60), (120, 120, 120)).save(image, "JPEG")
    token = await browsers["staff"].csrf_token()
    recorded = await browsers["staff"].client.post(
        f"/inspections/rounds/{round_id}/results",
        data={"shop_id": str(block["shop"]), "green": "1", "orderly": "1", "note": "门口有油污，请清理。"},
        files={"photo": ("pavement.jpg", image.getvalue(), "image/jpeg")},
        headers={"x-csrftoken": token},
    )
    assert recorded.status_code == 303, recorded.text[:500]
    thread = await Thread.select(Thread.id, Thread.title).first()
    photo = await Photo.select(Photo.file_name).where(Photo.thread == thread["id"]).first()
    return {"b": browsers, "thread": thread, "photo": photo["file_name"], "round": round_id}


async def test_the_shops_thread_is_hidden_from_everyone_else_on_every_surface(block, failed):
    thread_id, title, photo = failed["thread"]["id"], failed["thread"]["title"], failed["photo"]
    b = failed["b"]
    for insider in ("staff", "zhang"):
        assert (await b[insider].get(f"/threads/{thread_id}")).status_code == 200
        assert (await b[insider].get(f"/photos/{photo}")).status_code == 200
        assert (await b[insider].get(f"/api/threads/{thread_id}")).status_code == 200
    assert title in (await b["staff"].get("/threads")).text
    for outsider in ("li", "resident", "visitor"):
        assert (await b[outsider].get(f"/threads/{thread_id}")).status_code == 404
        assert (await b[outsider].get(f"/api/threads/{thread_id}")).status_code == 404
        assert (await b[outsider].get(f"/threads/{thread_id}/events")).status_code == 404
        assert (await b[outsider].get(f"/threads/{thread_id}/messages")).status_code == 404
        assert (await b[outsider].get(f"/photos/{photo}")).status_code == 404
        assert title not in (await b[outsider].get("/threads")).text
        assert title not in (await b[outsider].get("/threads?q=油污")).text
        assert title not in (await b[outsider].get("/api/threads")).text
        assert title not in (await b[outsider].get(f"/shops/{block['shop']}")).text
        answer = await b[outsider].post(f"/threads/{thread_id}/answers", {"body": "外人的回复"})
        assert answer.status_code == (401 if outsider == "visitor" else 404)
    assert "油污" not in (await b["li"].get("/inbox")).text
    assert title in (await b["zhang"].get("/inbox")).text
    # The shop answers, the usual loop.
    answered = await b["zhang"].post(f"/threads/{thread_id}/answers", {"body": "已经清理干净了。"})
    assert answered.status_code in (200, 303)


async def test_the_pages_and_json(block, failed):
    b = failed["b"]
    public = await b["visitor"].get("/inspections")
    assert public.status_code == 200
    text = text_of(public.text)
    assert "检查结果按路段公布，不公布单个商铺" in text and "老张生煎" not in text
    own = await b["zhang"].get(f"/inspections/shops/{block['shop']}")
    assert own.status_code == 200 and "门口有油污" in own.text
    assert (await b["li"].get(f"/inspections/shops/{block['shop']}")).status_code == 403
    mine = (await b["zhang"].get(f"/api/inspections?shop={block['shop']}")).json()
    assert mine["scope"] == "shop" and mine["shop_results"][0]["clean"] is False
    others = (await b["li"].get(f"/api/inspections?shop={block['shop']}")).json()
    assert others["scope"] == "segments" and others["shop_results"] == []
    assert sum(s["shops_inspected"] for s in others["segments"]) == 1
    round_page = await b["staff"].get(f"/inspections/rounds/{failed['round']}")
    assert round_page.status_code == 200 and "老张生煎" in round_page.text
    assert (await b["resident"].get(f"/inspections/rounds/{failed['round']}")).status_code == 403


async def test_bad_input_is_refused_in_chinese_and_changes_nothing(block, failed):
    b = failed["b"]
    again = await b["staff"].post("/inspections/rounds", {"month": _month()})
    assert again.status_code == 409 and "这个月已经有一轮检查了" in text_of(again.text)
    no_note = await b["staff"].client.post(
        f"/inspections/rounds/{failed['round']}/results",
        data={"shop_id": str(block["other"]), "green": "1"},
        files={"photo": ("", b"", "application/octet-stream")},
        headers={"x-csrftoken": await b["staff"].csrf_token()},
    )
    assert no_note.status_code == 422 and "请在备注中写明哪里不合格" in text_of(no_note.text)
    assert await InspectionResult.count() == 1 and await Thread.count() == 1
