"""Issue 13 on the thread pages: error summaries that keep what was entered (photos too), confirming and
rating a fix in one step, the me-too joined state, emergencies first, and what the shop concerned sees."""

import re

from block_service.threads import workflow
from block_service.threads.schemas import StatusForm
from block_service.threads.tables import Evaluation, Photo, Thread
from tests.helpers import make_person, make_shop, make_thread, text_of, viewer_for
from tests.test_threads_routes import _category_id, _jpeg_with_gps, _report, _signed_in


async def test_an_empty_report_gets_a_summary_with_focus_and_keeps_the_photo_as_a_draft(browser_factory, settings):
    browser, _ = await _signed_in(browser_factory, "13900000301")
    photo = ("photos", ("IMG_1.jpg", _jpeg_with_gps(600, 400), "image/jpeg"))
    refused = await _report(browser, files=[photo], title="", body="门口堆满纸箱")
    assert refused.status_code == 422
    summary = re.search(r'<div class="error-summary"[^>]*>.*?</div>', refused.text, re.S).group(0)
    assert "autofocus" in summary and 'tabindex="-1"' in summary and 'role="alert"' in summary
    assert 'href="#f-title"' in summary and "请先更正以下内容" in text_of(summary)
    assert 'aria-describedby="e-title"' in refused.text and 'id="e-title"' in refused.text
    assert "门口堆满纸箱" in refused.text and 'value="1143号"' in refused.text
    # The photo waits as a draft: shown again (to this person only), sent back with the form.
    name = re.search(r'name="keep_photo" value="([0-9a-f]{32}\.jpg)"', refused.text).group(1)
    assert (await browser.get(f"/photos/{name}")).status_code == 200
    stranger, _ = await _signed_in(browser_factory, "13900000302", name="路人")
    assert (await stranger.get(f"/photos/{name}")).status_code == 404
    assert await Thread.count() == 0 and await Photo.count() == 0
    sent = await _report(browser, keep_photo=name)
    assert sent.status_code in (200, 303)
    assert [row["file_name"] for row in await Photo.select(Photo.file_name)] == [name]
    # Sent: the draft is gone from the form.
    assert "keep_photo" not in (await browser.get("/threads/new?layout=one-page")).text


async def test_an_unticked_draft_photo_is_deleted(browser_factory, settings):
    browser, _ = await _signed_in(browser_factory, "13900000303")
    photo = ("photos", ("IMG_1.jpg", _jpeg_with_gps(300, 200), "image/jpeg"))
    refused = await _report(browser, files=[photo], house_number="")
    assert refused.status_code == 422 and 'href="#f-house_number"' in refused.text
    name = re.search(r'name="keep_photo" value="([^"]+)"', refused.text).group(1)
    assert (settings.var_dir / "uploads" / name).exists()
    assert (await _report(browser)).status_code in (200, 303)
    assert not (settings.var_dir / "uploads" / name).exists() and await Photo.count() == 0


async def test_the_report_form_puts_the_emergency_numbers_first(browser_factory):
    browser, _ = await _signed_in(browser_factory, "13900000304")
    page = (await browser.get("/threads/new?layout=one-page")).text
    assert page.index("tel:119") < page.index('id="f-category_id"')
    assert "燃气泄漏、起火或有人受伤？请立即拨打" in text_of(page) and "⚠ 燃气泄漏" in text_of(page)
    gas = str(await _category_id("gas-leak"))
    refused = await _report(browser, category_id=gas, title="")
    assert re.search(r'class="emergency-first emergency-chosen"[^>]*role="alert"', refused.text)


async def test_an_emergency_report_tops_the_staff_triage_as_urgent(browser_factory):
    staff, _ = await _signed_in(browser_factory, "staff@test.example", name="工作站", roles=("staff",))
    reporter = await make_person("居民", "13900000305")
    await make_thread(reporter, title="门口纸箱占道问题")
    urgent = await make_thread(reporter, title="闻到很浓的煤气味", category="gas-leak")
    page = await staff.get("/staff/triage")
    listed = text_of(page.text)
    assert listed.index("闻到很浓的煤气味") < listed.index("门口纸箱占道问题")
    assert re.search(rf'href="/threads/{urgent}".*?tag-urgent', page.text, re.S)


async def _resolved_thread(browser_factory, contact: str):
    reporter, reporter_id = await _signed_in(browser_factory, contact)
    merchant_id = await make_person("张师傅", "138" + contact[3:])
    shop_id = await make_shop(merchant_id)
    thread_id = await make_thread(reporter_id, shop_id=shop_id)
    merchant = viewer_for(merchant_id, "resident", "merchant", shops=(shop_id,))
    await workflow.change_status(merchant, thread_id, StatusForm(status="resolved", reason="已清理完毕"))
    return reporter, thread_id


async def test_confirming_and_rating_is_one_step_with_nothing_preselected(browser_factory):
    reporter, thread_id = await _resolved_thread(browser_factory, "13900000306")
    page = (await reporter.get(f"/threads/{thread_id}")).text
    form = re.search(r'<section class="card evaluate".*?</section>', page, re.S).group(0)
    assert "checked" not in form and all(label in text_of(form) for label in ("已解决", "部分解决", "没解决"))
    assert 'id="status-closed"' not in page  # no typed-reason step for the reporter any more
    empty = await reporter.post(f"/threads/{thread_id}/evaluation", {"comment": "还行"})
    assert empty.status_code == 422 and 'id="evaluate-errors"' in empty.text and "autofocus" in empty.text
    assert 'aria-describedby="e-fixed"' in empty.text and "还行" in empty.text
    assert (await Thread.select(Thread.status).first())["status"] == "resolved"
    fixed = await reporter.post(f"/threads/{thread_id}/evaluation", {"fixed": "partly", "score": "4"})
    assert fixed.status_code == 303
    assert (await Thread.select(Thread.status).first())["status"] == "closed"
    assert [(e["fixed"], e["score"]) for e in await Evaluation.select(Evaluation.fixed, Evaluation.score)] == [
        ("partly", 4)
    ]


async def test_not_fixed_reopens_the_thread(browser_factory):
    reporter, thread_id = await _resolved_thread(browser_factory, "13900000307")
    response = await reporter.post(
        f"/threads/{thread_id}/evaluation", {"fixed": "no", "score": "1", "comment": "又堆回来了"}
    )
    assert response.status_code == 303
    assert (await Thread.select(Thread.status).first())["status"] == "reopened"
    page = text_of((await reporter.get(f"/threads/{thread_id}")).text)
    assert "诉求已重新打开" in page and "又堆回来了" in page


async def test_the_shop_concerned_neither_joins_nor_flags_and_the_author_sees_no_empty_card(browser_factory):
    merchant, merchant_id = await _signed_in(browser_factory, "13800000308", name="张师傅", roles=("resident",))
    shop_id = await make_shop(merchant_id)
    author, author_id = await _signed_in(browser_factory, "13900000308")
    thread_id = await make_thread(author_id, shop_id=shop_id)
    await merchant.log_in("13800000308")  # again: the shop is theirs now
    seen_by_merchant = (await merchant.get(f"/threads/{thread_id}")).text
    assert "我也遇到" not in seen_by_merchant and "举报此诉求" not in text_of(seen_by_merchant)
    assert 'id="review-title"' not in seen_by_merchant
    refused = await merchant.post(f"/threads/{thread_id}/metoo", {"on": "1"})
    assert refused.status_code == 403
    assert 'id="review-title"' not in (await author.get(f"/threads/{thread_id}")).text
    neighbour, _ = await _signed_in(browser_factory, "13900000309", name="邻居")
    seen_by_neighbour = (await neighbour.get(f"/threads/{thread_id}")).text
    assert "我也遇到" in seen_by_neighbour and 'id="review-title"' in seen_by_neighbour
