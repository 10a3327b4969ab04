"""Offer rules: publishing for one's own shop, hours, the list's filters and "open now" with a fixed clock,
thanks once a month, reports of offers not honoured, expiry reminders."""

import pytest

from block_service.errors import Conflict, Forbidden, FormInvalid
from block_service.inbox.tables import InboxEntry
from block_service.offers import kinds, listing, publishing, tasks, thanks
from block_service.offers.schemas import OfferFilter, OfferKindForm
from block_service.offers.tables import Offer, OfferHours, OfferThanks
from block_service.threads.tables import Thread
from tests.helpers import make_person, make_shop, viewer_for
from tests.offer_helpers import fix_clock, kind_id, make_offer, offer_form


@pytest.fixture
async def block(db):
    """Two merchants with a shop each (1143号 and 1021号) and a resident."""
    zhang = await make_person("张师傅", "13800000001", roles=("resident", "merchant"))
    li = await make_person("李老板", "13800000002", roles=("resident", "merchant"))
    own = await make_shop(zhang, name="老张生煎", house_number="1143号")
    other = await make_shop(li, name="凌岩水果店", house_number="1021号")
    resident = viewer_for(await make_person("王阿姨", "13900000001"), "resident")
    return {
        "zhang": viewer_for(zhang, "resident", "merchant", shops=(own,)),
        "li": viewer_for(li, "resident", "merchant", shops=(other,)),
        "own": own,
        "other": other,
        "resident": resident,
    }


async def test_a_merchant_publishes_an_offer_for_their_shop_with_its_hours(block, monkeypatch):
    fix_clock(monkeypatch, "2026-11-29 10:00")
    offer_id = await make_offer(block["zhang"], block["own"], every_day="09:00-21:00", conditions="自带杯子")
    offer = await listing.get_offer(offer_id)
    assert offer.shop_name == "老张生煎" and offer.kind_name_zh == "饮用水" and offer.conditions == "自带杯子"
    assert len(offer.hours) == 7 and offer.open_now
    assert await OfferHours.count() == 7


async def test_an_offer_for_a_shop_i_do_not_act_for_is_refused_and_nothing_is_written(block):
    with pytest.raises(Forbidden, match="only for a shop you act for") as refusal:
        await make_offer(block["zhang"], block["other"], every_day="09:00-21:00")
    assert refusal.value.status_code == 403 and refusal.value.field == "shop_id"
    with pytest.raises(Forbidden):
        await make_offer(block["resident"], block["own"], every_day="09:00-21:00")
    assert await Offer.count() == 0 and await OfferHours.count() == 0


async def test_overlapping_or_backwards_hours_and_past_dates_are_refused_together(block, monkeypatch):
    fix_clock(monkeypatch, "2026-11-29 10:00")
    form = offer_form(
        block["own"],
        await kind_id(),
        hours_0="09:00-12:00, 11:00-13:00",
        hours_1="21:00-09:00",
        valid_until="2026-11-28",
    )
    with pytest.raises(FormInvalid) as refusal:
        await publishing.publish_offer(block["zhang"], form)
    messages = {field: message for field, (message, _params) in refusal.value.messages.items()}
    assert "ends before it starts" in messages["hours_1"] and "today or later" in messages["valid_until"]
    with pytest.raises(FormInvalid) as overlap:
        await publishing.publish_offer(
            block["zhang"], offer_form(block["own"], await kind_id(), hours_0="09:00-12:00, 11:00-13:00")
        )
    assert "overlap" in overlap.value.messages["hours_0"][0]
    assert await Offer.count() == 0


async def test_open_now_in_the_list_follows_beijing_time_across_sunday_night_into_monday(block, monkeypatch):
    fix_clock(monkeypatch, "2026-11-29 10:00")
    night = await make_offer(block["zhang"], block["own"], hours_6="22:00-次日02:00")  # Sunday night
    day = await make_offer(block["li"], block["other"], slug="toilet", every_day="08:00-20:00")

    async def open_ids():
        result = await listing.list_offers(OfferFilter(open_now=True))
        return {offer.id for offer in result.items}

    fix_clock(monkeypatch, "2026-11-29 23:30")  # Sunday night
    assert await open_ids() == {night}
    fix_clock(monkeypatch, "2026-11-30 01:59")  # Monday's small hours: still Sunday's range
    assert await open_ids() == {night}
    fix_clock(monkeypatch, "2026-11-30 02:00")
    assert await open_ids() == set()
    fix_clock(monkeypatch, "2026-11-30 08:00")
    assert await open_ids() == {day}
    everything = await listing.list_offers(OfferFilter())
    assert [offer.id for offer in everything.items] == [day, night]  # road order: 1021号 before 1143号
    assert [offer.open_now for offer in everything.items] == [True, False]


async def test_the_list_filters_by_kind_and_segment(block, monkeypatch):
    fix_clock(monkeypatch, "2026-11-29 10:00")
    water = await make_offer(block["zhang"], block["own"], every_day="09:00-21:00")
    toilet = await make_offer(block["li"], block["other"], slug="toilet", every_day="09:00-21:00")
    by_kind = await listing.list_offers(OfferFilter(kind=await kind_id("toilet")))
    assert [offer.id for offer in by_kind.items] == [toilet]
    own = await listing.get_offer(water)
    by_segment = await listing.list_offers(OfferFilter(segment=own.segment_id))
    assert water in {offer.id for offer in by_segment.items}
    markers = await listing.offer_markers()
    assert [(m.house_number, m.href, m.open_now) for m in markers] == [
        ("1021号", f"/offers/{toilet}", True),
        ("1143号", f"/offers/{water}", True),
    ]


async def test_an_expired_or_withdrawn_offer_leaves_the_list(block, monkeypatch):
    fix_clock(monkeypatch, "2026-11-29 10:00")
    ending = await make_offer(block["zhang"], block["own"], every_day="09:00-21:00", valid_until="2026-11-30")
    withdrawn = await make_offer(block["li"], block["other"], every_day="09:00-21:00")
    await publishing.withdraw_offer(block["li"], withdrawn)
    assert [o.id for o in (await listing.list_offers(OfferFilter())).items] == [ending]
    fix_clock(monkeypatch, "2026-12-01 00:00")
    assert (await listing.list_offers(OfferFilter())).items == []
    assert await listing.offers_of_shop(block["own"]) == []


async def test_only_the_shops_merchants_change_or_withdraw_its_offer(block, monkeypatch):
    fix_clock(monkeypatch, "2026-11-29 10:00")
    offer_id = await make_offer(block["zhang"], block["own"], every_day="09:00-21:00")
    with pytest.raises(Forbidden):
        await publishing.update_offer(
            block["li"], offer_id, offer_form(block["own"], await kind_id(), every_day="08:00-09:00")
        )
    with pytest.raises(Forbidden):
        await publishing.withdraw_offer(block["li"], offer_id)
    await publishing.update_offer(
        block["zhang"], offer_id, offer_form(block["own"], await kind_id(), hours_4="22:00-次日02:00")
    )
    offer = await listing.get_offer(offer_id)
    assert [(h.weekday, h.opens, h.closes) for h in offer.hours] == [(4, 1320, 1560)]
    assert offer.status == "active"


async def test_thanks_once_per_person_offer_and_month(block, monkeypatch):
    fix_clock(monkeypatch, "2026-11-29 10:00")
    offer_id = await make_offer(block["zhang"], block["own"], every_day="09:00-21:00")
    await thanks.thank_offer(block["resident"], offer_id)
    with pytest.raises(Conflict, match="already thanked") as twice:
        await thanks.thank_offer(block["resident"], offer_id)
    assert twice.value.status_code == 409
    assert (await listing.get_offer(offer_id)).thanks_count == 1 and await OfferThanks.count() == 1
    assert await thanks.thanked_this_month(block["resident"].person_id, [offer_id]) == {offer_id}
    told = await InboxEntry.select().where(InboxEntry.person == block["zhang"].person_id)
    assert [(row["kind"], row["event"]) for row in told] == [("offer", "thanked")]
    fix_clock(monkeypatch, "2026-12-01 09:30")  # a new month
    await thanks.thank_offer(block["resident"], offer_id)
    assert (await listing.get_offer(offer_id)).thanks_count == 2
    with pytest.raises(Forbidden, match="does not thank itself"):
        await thanks.thank_offer(block["zhang"], offer_id)


async def test_not_honoured_opens_a_report_about_the_shop(block, monkeypatch):
    fix_clock(monkeypatch, "2026-11-29 10:00")
    offer_id = await make_offer(block["zhang"], block["own"], every_day="09:00-21:00")
    thread_id = await thanks.report_not_honoured(
        block["resident"], offer_id, "便民服务未兑现：饮用水", "店员说不提供热水"
    )
    thread = await Thread.select().where(Thread.id == thread_id).first()
    assert thread["shop"] == block["own"] and thread["category"] == await kinds.not_honoured_category()
    assert thread["house_number"] == "1143号" and thread["body"] == "店员说不提供热水"


async def test_merchants_are_told_a_week_before_the_offer_ends_once(block, monkeypatch):
    fix_clock(monkeypatch, "2026-11-29 10:00")
    soon = await make_offer(block["zhang"], block["own"], every_day="09:00-21:00", valid_until="2026-12-06")
    await make_offer(block["li"], block["other"], every_day="09:00-21:00", valid_until="2026-12-07")
    assert await tasks.warn_expiring() == 1
    assert await tasks.warn_expiring() == 0  # a second round, or a second worker, tells nobody again
    told = await InboxEntry.select(InboxEntry.person, InboxEntry.object_id, InboxEntry.event)
    assert told == [{"person": block["zhang"].person_id, "object_id": soon, "event": "expiring"}]
    fix_clock(monkeypatch, "2026-11-30 10:00")
    assert await tasks.warn_expiring() == 1  # 李老板's offer is now within the week


async def test_staff_keep_the_kinds(block):
    staff = viewer_for(await make_person("工作站", "staff@test.example", roles=("staff",)), "staff")
    new_id = await kinds.save_kind(staff, OfferKindForm(slug="hot-water", name_zh="热水", name_en="Hot water"))
    assert "hot-water" in {kind.slug for kind in await kinds.list_kinds()}
    await kinds.save_kind(
        staff, OfferKindForm(slug="hot-water", name_zh="热水", name_en="Hot water", active=False), new_id
    )
    assert "hot-water" not in {kind.slug for kind in await kinds.list_kinds()}
    from block_service.errors import Invalid

    with pytest.raises(Invalid, match="already used"):
        await kinds.save_kind(staff, OfferKindForm(slug="toilet", name_zh="厕所", name_en="Toilet"))


async def test_a_persons_thanks_and_needs_are_in_their_data_export_and_go_with_their_account(block, monkeypatch):
    from block_service.privacy.services import collect_personal_data
    from tests.need_helpers import make_need

    fix_clock(monkeypatch, "2026-11-29 10:00")
    offer_id = await make_offer(block["zhang"], block["own"], every_day="09:00-21:00")
    await thanks.thank_offer(block["resident"], offer_id)
    await make_need(block["resident"], title="社区读书角缺少儿童绘本")
    data = await collect_personal_data(block["resident"].person_id)
    assert [row["offer"] for row in data["offers"]["thanks"]] == [offer_id]
    assert [row["title"] for row in data["needs"]] == ["社区读书角缺少儿童绘本"]
    assert [row["id"] for row in (await collect_personal_data(block["zhang"].person_id))["offers"]["published"]] == [
        offer_id
    ]
    await thanks.release_thanks_of(block["resident"].person_id)
    assert await OfferThanks.count() == 0 and (await listing.get_offer(offer_id)).thanks_count == 1
