"""The guided report (issue 13): each step with and without htmx, the draft kept across steps, errors,
signing in and up, and duplicates joined from inside the flow."""

import re

from block_service.threads.tables import MeToo, Photo, ReportDraft, Thread
from tests.helpers import TEST_PASSWORD, make_person, make_shop, make_thread, text_of
from tests.test_accounts_routes import SIGNUP
from tests.test_threads_routes import _category_id, _jpeg_with_gps, _signed_in

NO_PHOTO = [("photos", ("", b"", "application/octet-stream"))]


async def _photo_step(browser, files=None, data=None, htmx=False):
    headers = {"x-csrftoken": await browser.csrf_token()}
    if htmx:
        headers["hx-request"] = "true"
    return await browser.client.post("/threads/new/photo", data=data or {}, files=files or NO_PHOTO, headers=headers)


async def _fill(browser, *, title="生煎店门口纸箱堆积", house_number="1143号", shop_id="", anonymous="no"):
    """Every step but the photo, as plain forms."""
    assert (
        await browser.post("/threads/new/place", {"house_number": house_number, "shop_id": shop_id})
    ).status_code == 303
    category = str(await _category_id("pavement"))
    assert (await browser.post("/threads/new/category", {"category_id": category})).status_code == 303
    assert (await browser.post("/threads/new/details", {"title": title, "body": ""})).status_code == 303
    assert (await browser.post("/threads/new/privacy", {"anonymous": anonymous})).status_code == 303


async def test_every_step_is_a_full_page_and_an_htmx_fragment(browser):
    for step in ("photo", "place", "category", "details", "privacy", "review"):
        page = await browser.get(f"/threads/new?step={step}")
        assert page.status_code == 200 and "<html" in page.text and 'id="report-step"' in page.text
        assert 'aria-current="step"' in page.text
        fragment = await browser.get(f"/threads/new?step={step}", headers={"hx-request": "true"})
        assert fragment.status_code == 200 and "<html" not in fragment.text and 'aria-current="step"' in fragment.text
    restored = await browser.get(
        "/threads/new?step=place", headers={"hx-request": "true", "hx-history-restore-request": "true"}
    )
    assert "<html" in restored.text  # back after htmx lost its snapshot: the whole page


async def test_the_photo_step_opens_the_camera_and_puts_emergencies_first(browser):
    page = (await browser.get("/threads/new")).text
    assert 'accept="image/*" capture="environment"' in page
    assert page.index("tel:119") < page.index('id="f-photos"')
    category = (await browser.get("/threads/new?step=category")).text
    tiles = re.findall(r'<div class="tile-choice( emergency-tile)?">', category)
    assert tiles[0] == " emergency-tile" and "燃气泄漏" in text_of(category)
    assert category.index("tel:119") < category.index('name="category_id"')


async def test_a_step_saves_the_draft_and_moves_on_with_and_without_htmx(browser):
    plain = await browser.post("/threads/new/place", {"house_number": "1143"})
    assert plain.status_code == 303 and plain.headers["location"] == "/threads/new?step=category"
    draft = await ReportDraft.select().first()
    assert '"house_number":"1143号"' in draft["fields"] and draft["person"] is None
    swapped = await browser.post("/threads/new/category", {"category_id": str(await _category_id("noise"))}, htmx=True)
    assert swapped.status_code == 200 and swapped.headers["hx-push-url"] == "/threads/new?step=details"
    assert "<html" not in swapped.text and 'name="title"' in swapped.text
    assert await ReportDraft.count() == 1


async def test_each_step_refuses_bad_input_with_a_summary_and_keeps_what_was_typed(browser):
    refused = await _photo_step(browser, files=[("photos", ("x.jpg", b"not a photo", "image/jpeg"))])
    assert refused.status_code == 422 and 'href="#f-photos"' in refused.text
    assert 'aria-describedby="e-photos"' in refused.text and "autofocus" in refused.text
    refused = await browser.post("/threads/new/place", {"house_number": "月亮上"})
    assert refused.status_code == 422 and 'href="#f-house_number"' in refused.text
    assert 'value="月亮上"' in refused.text and 'aria-describedby="e-house_number"' in refused.text
    refused = await browser.post("/threads/new/place", {}, htmx=True)
    assert refused.status_code == 422 and "点选路段、选择商户或填写门牌号" in text_of(refused.text)
    refused = await browser.post("/threads/new/category", {})
    assert refused.status_code == 422 and 'href="#f-category-first"' in refused.text
    refused = await browser.post("/threads/new/details", {"title": "纸", "body": "门口的纸箱"})
    assert refused.status_code == 422 and 'aria-describedby="e-title"' in refused.text
    assert "门口的纸箱" in refused.text
    refused = await browser.post("/threads/new/privacy", {})
    assert refused.status_code == 422 and 'href="#f-anonymous-no"' in refused.text
    assert await ReportDraft.count() <= 1 and await Thread.count() == 0


async def test_photos_are_kept_in_the_draft_across_steps_and_errors(browser_factory, settings):
    browser, _ = await _signed_in(browser_factory, "13900000401")
    photo = ("photos", ("IMG_1.jpg", _jpeg_with_gps(600, 400), "image/jpeg"))
    assert (await _photo_step(browser, files=[photo])).status_code == 303
    draft = await ReportDraft.select().first()
    name = re.search(r"[0-9a-f]{32}\.jpg", draft["photos"]).group(0)
    assert (await browser.post("/threads/new/details", {"title": ""})).status_code == 422
    page = (await browser.get("/threads/new?step=photo")).text
    assert f'name="keep_photo" value="{name}"' in page
    assert (await browser.get(f"/photos/{name}")).status_code == 200
    stranger = browser_factory()
    assert (await stranger.get(f"/photos/{name}")).status_code == 404
    await _fill(browser)
    review = text_of((await browser.get("/threads/new?step=review")).text)
    assert "1 张照片" in review and "生煎店门口纸箱堆积" in review
    sent = await browser.post("/threads/new/send")
    assert sent.status_code == 303 and re.match(r"^/threads/\d+$", sent.headers["location"])
    assert [row["file_name"] for row in await Photo.select(Photo.file_name)] == [name]
    assert (settings.var_dir / "uploads" / name).exists()
    assert await ReportDraft.count() == 0
    again = await browser.post("/threads/new/send")  # a double tap sends nothing twice
    assert again.status_code == 303 and await Thread.count() == 1


async def test_an_unticked_photo_is_deleted_from_the_draft(browser, settings):
    photo = ("photos", ("IMG_1.jpg", _jpeg_with_gps(300, 200), "image/jpeg"))
    await _photo_step(browser, files=[photo])
    name = re.search(r"[0-9a-f]{32}\.jpg", (await ReportDraft.select().first())["photos"]).group(0)
    assert (await browser.get(f"/photos/{name}")).status_code == 200  # a visitor sees their own draft's photo
    assert (await _photo_step(browser)).status_code == 303
    assert not (settings.var_dir / "uploads" / name).exists()


async def test_a_visitor_fills_it_in_signs_up_and_sends_it(browser):
    await _fill(browser, title="夜里施工噪音很大")
    review = (await browser.get("/threads/new?step=review")).text
    assert 'href="/signup?next=/threads/new%3Fstep%3Dreview"' in review
    refused = await browser.post("/threads/new/send")
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login?next=")
    signed_up = await browser.post("/signup", {**SIGNUP, "next": "/threads/new?step=review"})
    assert signed_up.status_code == 303 and signed_up.headers["location"] == "/threads/new?step=review"
    review = text_of((await browser.get("/threads/new?step=review")).text)
    assert "夜里施工噪音很大" in review and "提交" in review
    sent = await browser.post("/threads/new/send")
    assert sent.status_code == 303
    thread = await Thread.select(Thread.title, Thread.body, Thread.anonymous).first()
    assert thread == {"title": "夜里施工噪音很大", "body": "夜里施工噪音很大", "anonymous": False}


async def test_a_visitor_draft_is_adopted_at_log_in_and_replaces_an_older_one(browser_factory):
    person = await make_person("老住户", "13900000402")
    old = browser_factory()
    await old.log_in("13900000402")
    await old.post("/threads/new/details", {"title": "很久以前的草稿"})
    visitor = browser_factory()
    await _fill(visitor, title="刚写好的诉求")
    await visitor.post("/login", {"contact": "13900000402", "password": TEST_PASSWORD, "next": "/threads/new"})
    assert "刚写好的诉求" in (await visitor.get("/threads/new?step=review")).text
    assert (await visitor.post("/threads/new/send")).status_code == 303
    assert (await Thread.select(Thread.title, Thread.author).first()) == {"title": "刚写好的诉求", "author": person}
    assert await ReportDraft.count() == 0


async def test_another_browser_cannot_send_or_read_a_visitors_draft(browser_factory):
    visitor = browser_factory()
    await _fill(visitor, title="别人看不到的草稿")
    stranger, _ = await _signed_in(browser_factory, "13900000403", name="路人")
    assert "别人看不到的草稿" not in (await stranger.get("/threads/new?step=review")).text
    assert (await stranger.post("/threads/new/send")).headers["location"] == "/me/threads"
    assert await Thread.count() == 0


async def test_suggestions_rank_the_same_house_first_and_join_inline(browser_factory):
    author = await make_person("邻居", "13900000404")
    merchant = await make_person("张师傅", "13800000404")
    shop_id = await make_shop(merchant)
    far = await make_thread(author, title="路灯不亮", category="safety", house_number="1101号")
    near = await make_thread(author, title="生煎店门口纸箱堆积占道", house_number="1143号", shop_id=shop_id)
    browser, me = await _signed_in(browser_factory, "13900000405")
    mine = await make_thread(me, title="我自己的纸箱诉求", house_number="1143号")
    await browser.post("/threads/new/place", {"shop_id": str(shop_id)})
    page = (await browser.get("/threads/new?step=category")).text
    listed = re.findall(r'id="suggestion-(\d+)"', page)
    assert listed[0] == str(near) and str(mine) not in listed
    if str(far) in listed:
        assert listed.index(str(far)) > listed.index(str(near))
    joined = await browser.post("/threads/new/metoo", {"thread_id": str(near), "step": "category"}, htmx=True)
    assert joined.status_code == 200 and "已关注 ✓" in joined.text and "<html" not in joined.text
    assert await MeToo.count() == 1
    plain = await browser.post("/threads/new/metoo", {"thread_id": str(near), "step": "category"})
    assert plain.status_code == 303 and plain.headers["location"] == "/threads/new?step=category"
    assert await MeToo.count() == 1  # twice is harmless
    assert "已关注 ✓" in (await browser.get("/threads/new?step=category")).text
    assert '"shop_id"' in (await ReportDraft.select().first())["fields"]  # the draft is untouched


async def test_the_merchant_of_the_shop_is_not_offered_me_too_on_its_complaints(browser_factory):
    author = await make_person("邻居", "13900000406")
    merchant, merchant_id = await _signed_in(browser_factory, "13800000406", name="张师傅")
    shop_id = await make_shop(merchant_id)
    await make_thread(author, title="门口纸箱占道", shop_id=shop_id)
    await merchant.log_in("13800000406")
    await merchant.post("/threads/new/place", {"shop_id": str(shop_id)})
    assert 'id="suggestion-' not in (await merchant.get("/threads/new?step=category")).text


async def test_issues_and_the_one_page_form_still_ask_a_visitor_to_log_in(browser):
    response = await browser.get("/threads/new?kind=issue")
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    assert (await browser.get("/threads/new")).status_code == 200


async def test_a_visitor_cannot_say_me_too_without_signing_in(browser):
    response = await browser.post("/threads/new/metoo", {"thread_id": "1", "step": "place"})
    assert response.status_code in (302, 303, 401)


async def test_the_steps_read_in_english_too(browser_factory):
    browser = browser_factory("en")
    page = text_of((await browser.get("/threads/new?step=category")).text)
    assert "Step 3 of 6: Category" in page and "What kind of problem?" in page and "Gas leak" in page
    refused = await browser.post("/threads/new/details", {"title": "ab"})
    assert refused.status_code == 422 and "at least 4 characters" in text_of(refused.text)
