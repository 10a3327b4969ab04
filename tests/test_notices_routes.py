"""Notice pages over HTTP: publishing (with attachments checked by content), reading as a receipt (two merchants
at the same moment: one shop receipt, two person receipts), acknowledging, reminding, CSV, the JSON list, the
services directory; refusals in the reader's language with nothing changed."""

from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image

from block_service.notices.tables import (
    GovService,
    Notice,
    NoticeAttachment,
    NoticeRead,
    NoticeReminder,
    NoticeShopReceipt,
)
from block_service.web.shared_pages import forget_all
from tests.helpers import english_reader, text_of
from tests.notice_helpers import merchant_of, publish, staff_viewer


@pytest.fixture
async def block(db, browser_factory):
    staff = await staff_viewer()
    zhang, shop = await merchant_of(None, "张师傅", "13800000001", "1143号", "老张生煎")
    wife, _ = await merchant_of(shop, "张阿姨", "13800000002")
    li, other = await merchant_of(None, "李老板", "13800000003", "1021号", "凌岩水果店")
    browsers = {}
    for name, contact in (
        ("staff", "staff@test.example"),
        ("zhang", "13800000001"),
        ("wife", "13800000002"),
        ("li", "13800000003"),
    ):
        browsers[name] = browser_factory("zh-Hans")
        await browsers[name].log_in(contact)
    return {"staff": staff, "zhang": zhang, "wife": wife, "li": li, "shop": shop, "other": other, "b": browsers}


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 100, 50)).save(out, "JPEG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _publish_over_http(browser, data: dict, files=None):
    token = await browser.csrf_token()
    return await browser.client.post(
        "/staff/notices/",
        data=data,
        files=files or {"attachments": ("", b"", "application/octet-stream")},
        headers={"x-csrftoken": token},
    )


async def test_staff_publish_with_a_pdf_and_a_photo(block):
    files = [
        ("attachments", ("通知.pdf", PDF, "application/pdf")),
        ("attachments", ("现场.png", _png(), "image/png")),
    ]
    response = await _publish_over_http(
        block["b"]["staff"],
        {"title": "燃气安全检查", "body": "请各商户配合。\n\n周五上午。", "audience_kind": "all", "ack_required": "1"},
        files,
    )
    assert response.status_code == 303, response.text[:800]
    notice_id = (await Notice.select(Notice.id).first())["id"]
    assert response.headers["location"] == f"/staff/notices/{notice_id}"
    rows = await NoticeAttachment.select().order_by(NoticeAttachment.id)
    assert [(r["original_name"], r["media_type"]) for r in rows] == [
        ("通知.pdf", "application/pdf"),
        ("现场.jpg", "image/jpeg"),
    ]
    page = await block["b"]["zhang"].get(f"/notices/{notice_id}")
    assert page.status_code == 200
    assert "燃气安全检查" in page.text and "收到/已知悉" in page.text
    download = await block["b"]["zhang"].get(f"/notices/{notice_id}/files/{rows[0]['id']}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"
    photo = await block["b"]["zhang"].get(f"/notices/{notice_id}/files/{rows[1]['id']}")
    assert photo.content[:3] == b"\xff\xd8\xff" and photo.headers["content-type"].startswith("image/jpeg")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 30), (10, 200, 10)).save(out, "PNG")
    return out.getvalue()


async def test_an_attachment_that_is_not_what_it_claims_is_refused_in_chinese(block):
    files = [("attachments", ("通知.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"))]
    response = await _publish_over_http(
        block["b"]["staff"], {"title": "燃气安全检查", "body": "请各商户配合。", "audience_kind": "all"}, files
    )
    assert response.status_code == 422
    assert "“通知.pdf”不是它名字所说的文件" in text_of(response.text)
    assert await Notice.count() == 0 and await NoticeAttachment.count() == 0
    fake_photo = [("attachments", ("photo.jpg", PDF, "image/jpeg"))]
    response = await _publish_over_http(
        block["b"]["staff"], {"title": "燃气安全检查", "body": "请各商户配合。", "audience_kind": "all"}, fake_photo
    )
    assert response.status_code == 422 and await Notice.count() == 0
    other = [("attachments", ("run.exe", b"MZ\x90\x00", "application/octet-stream"))]
    response = await _publish_over_http(
        block["b"]["staff"], {"title": "燃气安全检查", "body": "请各商户配合。", "audience_kind": "all"}, other
    )
    assert response.status_code == 422 and "只能附上 PDF 文件或照片" in text_of(response.text)


async def test_a_notice_to_an_empty_audience_is_refused_in_chinese(block):
    response = await _publish_over_http(
        block["b"]["staff"],
        {"title": "燃气安全检查", "body": "请各商户配合。", "audience_kind": "shops", "shop_ids": "987654"},
    )
    assert response.status_code == 422
    assert "这个范围内没有营业中的商铺" in text_of(response.text)
    assert await Notice.count() == 0


async def test_two_merchants_of_one_shop_opening_at_once_give_one_shop_receipt(block):
    notice_id = await publish(block["staff"])
    first, second = await asyncio.gather(
        block["b"]["zhang"].get(f"/notices/{notice_id}"), block["b"]["wife"].get(f"/notices/{notice_id}")
    )
    assert first.status_code == second.status_code == 200
    assert await NoticeRead.count() == 2
    shop_receipts = await NoticeShopReceipt.select(NoticeShopReceipt.shop, NoticeShopReceipt.person).where(
        NoticeShopReceipt.kind == "read"
    )
    assert len(shop_receipts) == 1 and shop_receipts[0]["shop"] == block["shop"]
    assert shop_receipts[0]["person"] in (block["zhang"].person_id, block["wife"].person_id)
    # And both acknowledging at once: one acknowledgement for the shop.
    acks = await asyncio.gather(
        block["b"]["zhang"].post(f"/notices/{notice_id}/acknowledge"),
        block["b"]["wife"].post(f"/notices/{notice_id}/acknowledge"),
    )
    assert [a.status_code for a in acks] == [303, 303]
    assert await NoticeShopReceipt.count().where(NoticeShopReceipt.kind == "ack") == 1


async def test_acknowledging_a_notice_not_for_my_shop_is_refused_in_chinese(block):
    notice_id = await publish(block["staff"], kind="shops", shops=[block["shop"]])
    response = await block["b"]["li"].post(f"/notices/{notice_id}/acknowledge")
    assert response.status_code == 403
    assert "这份通知不是发给您所经营的商铺的" in text_of(response.text)
    page = await block["b"]["li"].get(f"/notices/{notice_id}")
    assert page.status_code == 403
    assert await NoticeShopReceipt.count() == 0 and await NoticeRead.count() == 0


async def test_follow_up_shows_x_of_y_and_remind_once_a_day(block):
    notice_id = await publish(block["staff"])
    await block["b"]["zhang"].post(f"/notices/{notice_id}/acknowledge")
    page = await block["b"]["staff"].get(f"/staff/notices/{notice_id}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "2 家商铺中 1 家已读" in text and "1 家已确认" in text and "凌岩水果店" in text
    first = await block["b"]["staff"].post(f"/staff/notices/{notice_id}/remind")
    assert first.status_code == 303
    again = await block["b"]["staff"].post(f"/staff/notices/{notice_id}/remind")
    assert again.status_code == 409
    assert "今天已经提醒过" in text_of(again.text)
    assert await NoticeReminder.count() == 1
    csv = await block["b"]["staff"].get(f"/staff/notices/{notice_id}/receipts.csv")
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    assert csv.headers["content-type"].startswith("text/csv")
    assert "老张生煎" in csv.content.decode("utf-8-sig")
    merchants_cannot = await block["b"]["zhang"].get(f"/staff/notices/{notice_id}")
    assert merchants_cannot.status_code == 403


async def test_the_receipts_of_a_deleted_merchant_name_a_former_merchant_in_the_readers_language(
    block, browser_factory
):
    from block_service.privacy.schemas import StaffDeleteForm
    from block_service.privacy.services import delete_account_for

    notice_id = await publish(block["staff"])
    await block["b"]["zhang"].post(f"/notices/{notice_id}/acknowledge")
    await delete_account_for(block["staff"], block["zhang"].person_id, StaffDeleteForm(confirm=True))
    english = await english_reader(browser_factory, "staff@test.example")
    page = await english.get(f"/staff/notices/{notice_id}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "A former merchant" in text and "一位前商户" not in text and "张师傅" not in text
    csv = (await english.get(f"/staff/notices/{notice_id}/receipts.csv")).content.decode("utf-8-sig")
    row = next(line for line in csv.splitlines() if "老张生煎" in line)
    assert row.count("A former merchant") == 2 and "一位前商户" not in csv  # read and acknowledged by
    chinese = text_of((await block["b"]["staff"].get(f"/staff/notices/{notice_id}")).text)
    assert "一位前商户" in chinese and "A former merchant" not in chinese
    in_chinese = (await block["b"]["staff"].get(f"/staff/notices/{notice_id}/receipts.csv")).content
    assert "一位前商户" in in_chinese.decode("utf-8-sig")


async def test_the_lists_and_the_json(block, count_queries):
    for number in range(3):
        await publish(block["staff"], title=f"第{number + 1}份通知")
    mine = await block["b"]["li"].get("/api/notices")
    assert mine.status_code == 200
    body = mine.json()
    assert body["total"] == 3 and all(item["read"] is False for item in body["items"])
    everything = (await block["b"]["staff"].get("/api/notices")).json()
    assert everything["items"][0]["shops_read"] == 0 and everything["items"][0]["shop_count"] == 2
    page = await block["b"]["li"].get("/notices")
    assert page.status_code == 200 and "第3份通知" in page.text
    forget_all()  # the lists are kept per person: measure them rendered
    count_queries.statements.clear()
    await block["b"]["li"].get("/notices")
    few = len(count_queries.statements)
    for number in range(10):
        await publish(block["staff"], title=f"更多通知{number}")
    forget_all()  # the lists are kept per person: measure them rendered
    count_queries.statements.clear()
    await block["b"]["li"].get("/notices")
    assert len(count_queries.statements) == few
    forget_all()  # the lists are kept per person: measure them rendered
    count_queries.statements.clear()
    await block["b"]["staff"].get("/notices")
    staff_few = len(count_queries.statements)
    await publish(block["staff"], title="再多一份")
    forget_all()  # the lists are kept per person: measure them rendered
    count_queries.statements.clear()
    await block["b"]["staff"].get("/notices")
    assert len(count_queries.statements) == staff_few
    forget_all()  # the lists are kept per person: measure them rendered
    count_queries.statements.clear()
    await block["b"]["li"].get("/inbox")
    inbox = len(count_queries.statements)
    await publish(block["staff"], title="收件箱再多一份")
    forget_all()  # the lists are kept per person: measure them rendered
    count_queries.statements.clear()
    await block["b"]["li"].get("/inbox")
    assert len(count_queries.statements) == inbox


async def test_the_services_directory(block, browser_factory):
    response = await block["b"]["staff"].post(
        "/staff/services",
        {
            "topic": "waste",
            "title": "餐厨垃圾收运合同",
            "description": "每年签订一次。",
            "contact": "环卫所 021-58880000",
        },
    )
    assert response.status_code == 303
    service_id = (await GovService.select(GovService.id).first())["id"]
    anyone = await browser_factory("zh-Hans").get("/services")
    assert anyone.status_code == 200 and "餐厨垃圾收运合同" in anyone.text
    bad = await block["b"]["staff"].post(
        "/staff/services", {"topic": "waste", "title": "", "link": "javascript:alert(1)"}
    )
    assert bad.status_code == 422 and await GovService.count() == 1
    refused = await block["b"]["zhang"].post("/staff/services", {"topic": "waste", "title": "商户不能加"})
    assert refused.status_code == 403
    notice_id = await publish(block["staff"], service_id=service_id)
    page = await block["b"]["zhang"].get(f"/notices/{notice_id}")
    assert f"/services#service-{service_id}" in page.text
    gone = await block["b"]["staff"].post(f"/staff/services/{service_id}/delete")
    assert gone.status_code == 303 and await GovService.count() == 0
