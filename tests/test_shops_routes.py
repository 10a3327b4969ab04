"""Shop pages and the staff queue through HTTP: forms, fragments, refusals."""

from block_service.audit.tables import AuditEntry
from block_service.shops.tables import Shop, ShopApplication
from tests.helpers import make_person, make_shop, text_of

APPLICATION = {
    "shop_name": "老张生煎",
    "house_number": "1143号",
    "industry_id": "1",
    "licence_number": "91310115MA1K4AB12X",
    "phone": "021-58880000",
}


async def _signed_in(browser_factory, contact, roles=("resident",), name="居民"):
    await make_person(name, contact, roles=roles)
    browser = browser_factory()
    await browser.log_in(contact)
    return browser


async def test_apply_then_staff_approve_makes_a_merchant(browser_factory):
    applicant = await _signed_in(browser_factory, "13900000041", name="张师傅")
    response = await applicant.post("/shops/apply", APPLICATION)
    assert response.status_code == 303 and response.headers["location"] == "/me/shops"
    mine = await applicant.get("/me/shops")
    assert "老张生煎" in text_of(mine.text) and "待审核" in text_of(mine.text)

    staff = await _signed_in(browser_factory, "staff@test.example", roles=("staff",), name="工作站")
    queue = await staff.get("/staff/applications")
    assert "老张生煎" in text_of(queue.text) and "张师傅" in text_of(queue.text)
    application = await ShopApplication.select(ShopApplication.id).first()
    approved = await staff.post(f"/staff/applications/{application['id']}/approve")
    assert approved.status_code == 303
    shop = await Shop.select(Shop.id).first()
    assert approved.headers["location"] == f"/shops/{shop['id']}"

    home = await applicant.get("/")
    assert 'data-nav="merchant"' in home.text
    assert (await applicant.get(f"/shops/{shop['id']}/edit")).status_code == 200


async def test_an_htmx_application_with_errors_returns_the_form_fragment(browser_factory):
    applicant = await _signed_in(browser_factory, "13900000042")
    bad_licence = await applicant.post("/shops/apply", {**APPLICATION, "licence_number": "123"}, htmx=True)
    assert bad_licence.status_code == 422
    assert bad_licence.text.lstrip().startswith("<form")
    assert 'id="e-licence_number"' in bad_licence.text and 'aria-invalid="true"' in bad_licence.text
    elsewhere = await applicant.post("/shops/apply", {**APPLICATION, "house_number": "东方路1号"}, htmx=True)
    assert elsewhere.status_code == 422
    assert 'id="e-house_number"' in elsewhere.text and "凌岩南路" in text_of(elsewhere.text)
    assert 'value="东方路1号"' in elsewhere.text  # what was typed stays in the form
    assert await ShopApplication.count() == 0


async def test_a_double_submitted_application_is_stored_once(browser_factory):
    applicant = await _signed_in(browser_factory, "13900000043")
    first = await applicant.post("/shops/apply", APPLICATION)
    second = await applicant.post("/shops/apply", APPLICATION)
    assert first.status_code == 303 and second.status_code == 409
    assert "已" in text_of(second.text)
    assert await ShopApplication.count() == 1


async def test_an_overlong_shop_name_is_refused_with_a_message(browser_factory):
    applicant = await _signed_in(browser_factory, "13900000044")
    response = await applicant.post("/shops/apply", {**APPLICATION, "shop_name": "店" * 61})
    assert response.status_code == 422
    assert "60" in text_of(response.text)
    assert await ShopApplication.count() == 0


async def test_rejecting_needs_a_reason_and_the_applicant_sees_it(browser_factory):
    applicant = await _signed_in(browser_factory, "13900000045")
    await applicant.post("/shops/apply", APPLICATION)
    staff = await _signed_in(browser_factory, "staff@test.example", roles=("staff",), name="工作站")
    application = await ShopApplication.select(ShopApplication.id).first()
    without_reason = await staff.post(f"/staff/applications/{application['id']}/reject", {"reason": ""})
    assert without_reason.status_code == 422
    assert (await ShopApplication.select(ShopApplication.status).first())["status"] == "pending"
    rejected = await staff.post(f"/staff/applications/{application['id']}/reject", {"reason": "执照地址不符"})
    assert rejected.status_code == 303
    mine = await applicant.get("/me/shops")
    assert "执照地址不符" in text_of(mine.text)


async def test_merchant_edits_their_shop_and_the_public_sees_it(browser_factory):
    owner = await make_person("店主", "13800000051")
    shop_id = await make_shop(owner)
    merchant = browser_factory()
    await merchant.log_in("13800000051")
    form = await merchant.get(f"/shops/{shop_id}/edit")
    assert 'name="opening_hours"' in form.text and 'name="house_number"' not in form.text
    saved = await merchant.post(
        f"/shops/{shop_id}/edit",
        {"phone": "021-58881234", "opening_hours": "06:30–20:00", "description": "现包生煎，欢迎居民来取热水"},
    )
    assert saved.status_code == 303
    public = await browser_factory().get(f"/shops/{shop_id}")
    assert "06:30–20:00" in text_of(public.text) and "欢迎居民来取热水" in text_of(public.text)
    assert "店主" not in text_of(public.text)  # merchants' names are not public
    assert await AuditEntry.exists().where(AuditEntry.action == "shop.updated")


async def test_shop_list_filters_by_segment_and_searches(browser_factory):
    owner = await make_person()
    await make_shop(owner, name="老张生煎", house_number="1143号")
    await make_shop(owner, name="凌岩水果店", house_number="1021号")
    browser = browser_factory()
    north = await browser.get("/shops?segment=1")
    assert "凌岩水果店" in north.text and "老张生煎" not in north.text
    search = await browser.get("/shops?q=生煎", headers={"hx-request": "true"})
    assert search.status_code == 200
    assert "<html" not in search.text and "老张生煎" in search.text and "凌岩水果店" not in search.text


async def test_staff_edit_the_registry_and_bad_rows_are_explained(browser_factory):
    staff = await _signed_in(browser_factory, "staff@test.example", roles=("staff",), name="工作站")
    page = await staff.get("/staff/registry")
    assert page.status_code == 200 and "<svg" in page.text
    overlap = await staff.post(
        "/staff/segments",
        {"slug": "x-1", "name_zh": "重叠", "name_en": "Overlap", "first_number": "1100", "last_number": "1120"},
    )
    assert overlap.status_code == 422 and "重叠" in text_of(overlap.text)
    added = await staff.post(
        "/staff/industries", {"slug": "culture", "name_zh": "文化创意", "name_en": "Culture", "sort_order": "9"}
    )
    assert added.status_code == 303
    assert "文化创意" in text_of((await staff.get("/shops/apply")).text)


async def test_audit_log_filters(browser_factory):
    applicant = await _signed_in(browser_factory, "13900000046")
    await applicant.post("/shops/apply", APPLICATION)
    staff = await _signed_in(browser_factory, "staff@test.example", roles=("staff",), name="工作站")
    everything = await staff.get("/staff/audit")
    assert "shop_application.submitted" in everything.text
    filtered = await staff.get("/staff/audit?action=account", headers={"hx-request": "true"})
    assert "shop_application.submitted" not in filtered.text and "<html" not in filtered.text
