"""Photos staff approve before the public sees them: per category, with the reporter, the shop and staff
seeing them at once, on every surface (the page, the API, /photos/...), approved or removed with an audit."""

import pytest

from bench.upload_files import jpeg
from block_service.accounts.tables import Person
from block_service.audit.tables import AuditEntry
from block_service.inbox.tables import InboxEntry
from block_service.threads.tables import Category, Photo, Thread
from tests.helpers import make_person, make_shop, text_of


async def _log_in(browser_factory, contact, language="en"):
    browser = browser_factory(language)
    await browser.log_in(contact)
    return browser


@pytest.fixture
async def people(browser_factory):
    reporter = await make_person("王阿姨", "13900000401")
    merchant = await make_person("张师傅", "13800000401", roles=("resident", "merchant"))
    await make_person("李先生", "13900000402")
    await make_person("其他店主", "13800000402", roles=("resident", "merchant"))
    await make_person("工作站", "staff@photos.example", roles=("staff",))
    shop = await make_shop(merchant, name="老张生煎", house_number="1143号")
    await make_shop(
        await make_person("隔壁", "13800000403", roles=("resident", "merchant")),
        name="隔壁水果店",
        house_number="1021号",
    )
    await Person.update({Person.language: "en"}).where(Person.id > 0)  # logging in sets the profile's language
    browsers = {
        name: await _log_in(browser_factory, contact)
        for name, contact in (
            ("reporter", "13900000401"),
            ("merchant", "13800000401"),
            ("resident", "13900000402"),
            ("staff", "staff@photos.example"),
        )
    }
    browsers["visitor"] = browser_factory("en")
    return {"browsers": browsers, "shop": shop, "reporter": reporter}


async def _category(slug: str = "pavement") -> dict:
    return (
        await Category.select(
            Category.id,
            Category.slug,
            Category.kind,
            Category.name_zh,
            Category.name_en,
            Category.response_hours,
            Category.sort_order,
        )
        .where(Category.slug == slug)
        .first()
    )


async def _require_approval(staff_browser) -> None:
    """Staff tick the category's box on /staff/categories, as they would."""
    category = await _category()
    form = {key: str(value) for key, value in category.items() if key != "id"}
    response = await staff_browser.post(
        f"/staff/categories/{category['id']}", {**form, "active": "true", "photos_need_approval": "true"}
    )
    assert response.status_code == 303, text_of(response.text)[-300:]


async def _report_with_photo(browser, shop_id) -> tuple[int, str]:
    category = await _category()
    response = await browser.client.post(
        "/threads/new",
        data={
            "kind": "report",
            "title": "门口有人被拍到",
            "body": "照片里能看到路人的脸。",
            "category_id": str(category["id"]),
            "house_number": "1143号",
            "shop_id": str(shop_id),
        },
        files=[("photos", ("street.jpg", jpeg(), "image/jpeg"))],
        headers={"x-csrftoken": await browser.csrf_token()},
    )
    assert response.status_code == 303, text_of(response.text)[-300:]
    thread_id = int(response.headers["location"].rsplit("/", 1)[-1])
    photo = await Photo.select(Photo.file_name).where(Photo.thread == thread_id).first()
    return thread_id, photo["file_name"]


async def _sees(browser, thread_id: int, file_name: str) -> bool:
    """Whether this person gets the photo from the page, the API and /photos/, which must agree."""
    page = await browser.get(f"/threads/{thread_id}")
    api = await browser.get(f"/api/threads/{thread_id}")
    served = await browser.get(f"/photos/{file_name}")
    on_page = file_name in page.text
    in_api = file_name in [photo["file_name"] for photo in api.json()["photos"]]
    assert on_page == in_api == (served.status_code == 200), (on_page, in_api, served.status_code)
    if served.status_code != 200:
        assert served.status_code == 404
    return on_page


async def test_a_category_needing_approval_keeps_photos_from_the_public_until_staff_show_them(people):
    browsers = people["browsers"]
    await _require_approval(browsers["staff"])
    thread_id, file_name = await _report_with_photo(browsers["reporter"], people["shop"])

    for who in ("reporter", "merchant", "staff"):
        assert await _sees(browsers[who], thread_id, file_name), who
    for who in ("visitor", "resident"):
        assert not await _sees(browsers[who], thread_id, file_name), who
    reporter_page = text_of((await browsers["reporter"].get(f"/threads/{thread_id}")).text)
    assert "Awaiting approval: only you, the shop and the workstation see it" in reporter_page
    listed = await browsers["visitor"].get("/api/threads")
    assert [item["photo_count"] for item in listed.json()["items"] if item["id"] == thread_id] == [0]

    queue = await browsers["staff"].get("/staff/photos")
    assert file_name in queue.text
    photo = await Photo.select(Photo.id).where(Photo.file_name == file_name).first()
    response = await browsers["staff"].post(f"/staff/photos/{photo['id']}/approve", {"back": "queue"})
    assert response.status_code == 303 and response.headers["location"] == "/staff/photos"

    for who in ("visitor", "resident"):
        assert await _sees(browsers[who], thread_id, file_name), who
    assert file_name not in (await browsers["staff"].get("/staff/photos")).text
    assert (await Thread.select(Thread.photo_count).where(Thread.id == thread_id).first())["photo_count"] == 1
    audit = await AuditEntry.select(AuditEntry.action).where(AuditEntry.object_type == "photo")
    assert [row["action"] for row in audit] == ["photo.approved"]


async def test_staff_remove_a_photo_with_a_reason_the_reporter_reads(people, settings):
    browsers = people["browsers"]
    await _require_approval(browsers["staff"])
    thread_id, file_name = await _report_with_photo(browsers["reporter"], people["shop"])
    photo = await Photo.select(Photo.id).where(Photo.file_name == file_name).first()
    assert (settings.var_dir / "uploads" / file_name).exists()

    refused = await browsers["staff"].post(f"/staff/photos/{photo['id']}/remove", {"reason": ""})
    assert refused.status_code == 422
    assert "Give the reason the author will see." in text_of(refused.text)
    assert await Photo.count().where(Photo.id == photo["id"]) == 1

    response = await browsers["staff"].post(
        f"/staff/photos/{photo['id']}/remove", {"reason": "照片里有路人的脸", "back": "thread"}
    )
    assert response.status_code == 303 and response.headers["location"] == f"/threads/{thread_id}"
    assert await Photo.count().where(Photo.id == photo["id"]) == 0
    assert not (settings.var_dir / "uploads" / file_name).exists()
    assert not await _sees(browsers["reporter"], thread_id, file_name)
    notices = await InboxEntry.select(InboxEntry.detail).where(InboxEntry.person == people["reporter"])
    assert "照片里有路人的脸" in [row["detail"] for row in notices]
    audit = await AuditEntry.select(AuditEntry.action, AuditEntry.after).where(AuditEntry.object_type == "photo")
    assert [row["action"] for row in audit] == ["photo.removed"] and "照片里有路人的脸" in audit[0]["after"]


async def test_photos_of_other_categories_are_shown_at_once(people):
    browsers = people["browsers"]
    thread_id, file_name = await _report_with_photo(browsers["reporter"], people["shop"])
    assert await _sees(browsers["visitor"], thread_id, file_name)


async def test_only_staff_decide_on_photos(people):
    await _require_approval(people["browsers"]["staff"])
    _thread_id, file_name = await _report_with_photo(people["browsers"]["reporter"], people["shop"])
    photo = await Photo.select(Photo.id).where(Photo.file_name == file_name).first()
    for who in ("reporter", "merchant"):
        response = await people["browsers"][who].post(f"/staff/photos/{photo['id']}/approve", {})
        assert response.status_code == 403, who
    assert (await Photo.select(Photo.approved).where(Photo.id == photo["id"]).first())["approved"] is False
