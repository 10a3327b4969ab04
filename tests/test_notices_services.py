"""Notices: the audience fixed at publication, receipts per person and per shop, acknowledgement, reminders
once a day, the follow-up counts and CSV, and every refusal changing nothing."""

from __future__ import annotations

import pytest

from block_service import clock
from block_service.errors import Conflict, Forbidden, Invalid
from block_service.inbox.tables import InboxEntry
from block_service.notices import reading, receipts
from block_service.notices.tables import Notice, NoticeRead, NoticeRecipient, NoticeReminder, NoticeShopReceipt
from tests.helpers import make_person, viewer_for
from tests.notice_helpers import merchant_of, publish, staff_viewer


@pytest.fixture
async def block(db):
    staff = await staff_viewer()
    zhang, shop = await merchant_of(None, "张师傅", "13800000001", "1143号", "老张生煎")
    wife, _ = await merchant_of(shop, "张阿姨", "13800000002")
    li, other = await merchant_of(None, "李老板", "13800000003", "1021号", "凌岩水果店")
    return {"staff": staff, "zhang": zhang, "wife": wife, "li": li, "shop": shop, "other": other}


async def test_publishing_fixes_the_audience_and_tells_each_merchant(block):
    notice_id = await publish(block["staff"])
    assert (await Notice.select(Notice.shop_count).where(Notice.id == notice_id).first())["shop_count"] == 2
    people = {r["person"] for r in await NoticeRecipient.select(NoticeRecipient.person)}
    assert people == {block["zhang"].person_id, block["wife"].person_id, block["li"].person_id}
    entries = await InboxEntry.select(InboxEntry.person).where(InboxEntry.kind == "notice")
    assert {e["person"] for e in entries} == people
    # A merchant who joins the shop later is not added: the audience was fixed at publication.
    late, _ = await merchant_of(block["shop"], "新店员", "13800000009")
    assert await reading.list_notices(late) == await reading.list_notices(late)
    assert (await reading.list_notices(late)).total == 0


async def test_chosen_shops_and_groups(block):
    only_li = await publish(block["staff"], kind="shops", shops=[block["other"]])
    assert (await reading.list_notices(block["li"])).items[0].id == only_li
    assert (await reading.list_notices(block["zhang"])).total == 0
    from block_service.groups.tables import OrgGroup

    catering = await OrgGroup.select(OrgGroup.id).where(OrgGroup.kind == "industry").order_by(OrgGroup.id).first()
    to_group = await publish(block["staff"], kind="groups", groups=[catering["id"]])
    assert (await Notice.select(Notice.shop_count).where(Notice.id == to_group).first())["shop_count"] == 2


async def test_an_empty_audience_is_refused_and_nothing_is_written(block):
    with pytest.raises(Invalid) as refused:
        await publish(block["staff"], kind="shops", shops=[987654])
    assert refused.value.message == "This audience has no open shop: choose other groups or shops."
    with pytest.raises(Invalid) as none_chosen:
        await publish(block["staff"], kind="groups")
    assert none_chosen.value.message == "Choose at least one group."
    assert await Notice.count() == 0 and await InboxEntry.count().where(InboxEntry.kind == "notice") == 0


async def test_only_staff_publish(block):
    with pytest.raises(Forbidden):
        await publish(block["zhang"])


async def test_a_deadline_in_the_past_is_refused(block):
    with pytest.raises(Invalid) as refused:
        await publish(block["staff"], deadline="2020-01-01")
    assert refused.value.field == "deadline"


async def test_opening_is_a_read_for_the_person_and_the_first_marks_the_shop(block):
    notice_id = await publish(block["staff"])
    await reading.open_notice(block["zhang"], notice_id)
    await reading.open_notice(block["zhang"], notice_id)  # a second opening writes nothing
    await reading.open_notice(block["wife"], notice_id)
    assert await NoticeRead.count() == 2
    shop_rows = await NoticeShopReceipt.select().where(NoticeShopReceipt.kind == "read")
    assert [(r["shop"], r["person"]) for r in shop_rows] == [(block["shop"], block["zhang"].person_id)]
    unread = await InboxEntry.count().where(
        (InboxEntry.person == block["zhang"].person_id) & InboxEntry.read_at.is_null()
    )
    assert unread == 0
    follow = await reading.follow_up(block["staff"], notice_id)
    assert (follow.shops_read, follow.notice.shop_count, follow.people_read) == (1, 2, 2)
    assert [r.shop_name for r in follow.receipts if not r.read_at] == ["凌岩水果店"]


async def test_staff_opening_and_outsiders(block):
    notice_id = await publish(block["staff"], kind="shops", shops=[block["shop"]])
    await reading.open_notice(block["staff"], notice_id)
    assert await NoticeRead.count() == 0
    with pytest.raises(Forbidden) as refused:
        await reading.open_notice(block["li"], notice_id)
    assert refused.value.message == receipts.NOT_ADDRESSED
    resident = viewer_for(await make_person("居民", "13900000001"), "resident")
    with pytest.raises(Forbidden):
        await reading.open_notice(resident, notice_id)


async def test_acknowledging_records_it_once_for_the_shop(block):
    notice_id = await publish(block["staff"])
    await receipts.acknowledge(block["wife"], notice_id)
    await receipts.acknowledge(block["zhang"], notice_id)  # the shop's is already there: nothing changes
    await receipts.acknowledge(block["wife"], notice_id)  # a double submit: harmless
    acks = await NoticeShopReceipt.select().where(NoticeShopReceipt.kind == "ack")
    assert [(r["shop"], r["person"]) for r in acks] == [(block["shop"], block["wife"].person_id)]
    summary = (await reading.list_notices(block["zhang"])).items[0]
    assert summary.acknowledged and summary.read
    follow = await reading.follow_up(block["staff"], notice_id)
    assert (follow.shops_read, follow.shops_acknowledged) == (1, 1)


async def test_acknowledging_a_notice_not_for_my_shop_is_refused(block):
    notice_id = await publish(block["staff"], kind="shops", shops=[block["shop"]])
    with pytest.raises(Forbidden) as refused:
        await receipts.acknowledge(block["li"], notice_id)
    assert refused.value.message == "This notice is not addressed to a shop you act for."
    assert await NoticeShopReceipt.count() == 0 and await NoticeRead.count() == 0


async def test_acknowledging_a_notice_that_asks_for_none_is_refused(block):
    notice_id = await publish(block["staff"], ack=False)
    with pytest.raises(Invalid) as refused:
        await receipts.acknowledge(block["zhang"], notice_id)
    assert refused.value.message == "This notice does not ask for an acknowledgement."
    assert await NoticeShopReceipt.count() == 0


async def test_remind_the_rest_once_a_day(block):
    notice_id = await publish(block["staff"])
    await receipts.acknowledge(block["zhang"], notice_id)
    before = await InboxEntry.count()
    assert await receipts.remind_the_rest(block["staff"], notice_id) == 1  # only 李老板's shop is left
    assert await InboxEntry.count() == before + 1
    with pytest.raises(Conflict) as refused:
        await receipts.remind_the_rest(block["staff"], notice_id)
    assert refused.value.message == "The rest were already reminded today; you can remind them again tomorrow."
    assert await InboxEntry.count() == before + 1 and await NoticeReminder.count() == 1
    follow = await reading.follow_up(block["staff"], notice_id)
    assert follow.reminded_today
    with pytest.raises(Forbidden):
        await receipts.remind_the_rest(block["zhang"], notice_id)


async def test_the_unique_index_keeps_one_reminder_a_day(block):
    from block_service.db import duplicate_means, write_transaction

    notice_id = await publish(block["staff"])
    row = {"notice": notice_id, "day": clock.block_today(), "sent_by": block["staff"].person_id, "sent_at": clock.now()}
    await NoticeReminder.insert(NoticeReminder(**row))
    with pytest.raises(Conflict):
        async with write_transaction():
            with duplicate_means(Conflict("once a day")):
                await NoticeReminder.insert(NoticeReminder(**row))
    assert await NoticeReminder.count() == 1


async def test_nobody_left_to_remind(block):
    notice_id = await publish(block["staff"], ack=False)
    for merchant in (block["zhang"], block["li"]):
        await reading.open_notice(merchant, notice_id)
    with pytest.raises(Conflict) as refused:
        await receipts.remind_the_rest(block["staff"], notice_id)
    assert refused.value.message == "Every addressed shop has already answered: nobody is left to remind."


async def test_receipts_csv_has_a_bom_and_every_shop(block):
    notice_id = await publish(block["staff"])
    await reading.open_notice(block["zhang"], notice_id)
    follow = await reading.follow_up(block["staff"], notice_id)
    data = reading.receipts_csv(follow.receipts, ["id", "shop", "no", "read", "by", "ack", "ack by"])
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert "老张生煎" in text and "张师傅" in text and "凌岩水果店" in text


async def test_a_merchants_list_shows_unread_first(block):
    first = await publish(block["staff"], title="第一份通知")
    second = await publish(block["staff"], title="第二份通知")
    await reading.open_notice(block["zhang"], second)
    items = (await reading.list_notices(block["zhang"])).items
    assert [i.id for i in items] == [first, second]
    assert [i.read for i in items] == [False, True]
    staff_items = (await reading.list_notices(block["staff"])).items
    assert [(i.id, i.shops_read) for i in staff_items] == [(second, 1), (first, 0)]


async def test_the_inbox_describes_notices_only_to_their_merchants_and_staff(block):
    notice_id = await publish(block["staff"], kind="shops", shops=[block["shop"]])
    assert notice_id in await reading.describe_notices([notice_id], block["zhang"])
    assert notice_id in await reading.describe_notices([notice_id], block["staff"])
    assert await reading.describe_notices([notice_id], block["li"]) == {}
