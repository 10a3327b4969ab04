"""Demo offers: a dozen across the kinds and hours of the demo shops, some open at night, one thanked, one
ending within a week (its merchant told)."""

from __future__ import annotations

import datetime as dt

from block_service.accounts.people import load_viewer
from block_service.accounts.schemas import Viewer
from block_service.accounts.tables import Person
from block_service.offers.kinds import list_kinds
from block_service.offers.publishing import block_date, publish_offer
from block_service.offers.schemas import OfferForm
from block_service.offers.tasks import warn_expiring
from block_service.offers.thanks import thank_offer
from block_service.shops.tables import Shop, ShopMerchant

EVERY_DAY = "every day"
# shop name, kind, description, conditions, hours (one text for every day, or per weekday), days it runs
DEMO_OFFERS = [
    (
        "老张生煎",
        "drinking-water",
        "店里常备温开水和一次性纸杯，路过口渴随时进来倒一杯。",
        "",
        {EVERY_DAY: "06:00-20:00"},
        300,
    ),
    (
        "老张生煎",
        "seat",
        "门口两张长凳，走累了坐一坐，不买东西也欢迎。",
        "高峰时段请给排队的顾客留出通道。",
        {EVERY_DAY: "06:00-20:00"},
        300,
    ),
    (
        "好邻居便利店",
        "drinking-water",
        "24小时便利店，夜里也有热水，环卫工人和外卖骑手优先。",
        "",
        {EVERY_DAY: "00:00-24:00"},
        365,
    ),
    (
        "好邻居便利店",
        "phone-charging",
        "收银台旁有充电宝和三种充电线，可在店内充电。",
        "请勿带走充电线。",
        {EVERY_DAY: "00:00-24:00"},
        365,
    ),
    (
        "好邻居便利店",
        "umbrella",
        "下雨天可借爱心雨伞，用完还到沿路任意一家爱心店。",
        "押身份证或留下手机号。",
        {EVERY_DAY: "07:00-23:00"},
        200,
    ),
    (
        "东明社区药房",
        "first-aid",
        "备有急救药箱和血压计，药师可帮忙处理小伤口。",
        "严重情况请立即拨打120。",
        {EVERY_DAY: "08:00-22:00"},
        365,
    ),
    (
        "东明社区药房",
        "elderly-discount",
        "70岁以上老人凭身份证常用药九五折。",
        "特价药品除外。",
        {EVERY_DAY: "08:00-22:00"},
        120,
    ),
    (
        "川味小面馆",
        "toilet",
        "店内卫生间对路人开放，夜宵时段也可以用。",
        "请保持清洁。",
        {
            0: "10:00-14:00, 17:00-次日01:00",
            1: "10:00-14:00, 17:00-次日01:00",
            2: "10:00-14:00, 17:00-次日01:00",
            3: "10:00-14:00, 17:00-次日01:00",
            4: "10:00-14:00, 17:00-次日02:00",
            5: "10:00-次日02:00",
            6: "10:00-次日01:00",
        },
        180,
    ),
    (
        "凌岩水果店",
        "parcel-pickup",
        "上班族可以把快递寄存在店里，晚上下班来取。",
        "生鲜和贵重物品不代收。",
        {0: "09:00-21:00", 1: "09:00-21:00", 2: "09:00-21:00", 3: "09:00-21:00", 4: "09:00-21:00", 5: "10:00-18:00"},
        250,
    ),
    (
        "小书童托管班",
        "wifi",
        "放学后在门口等孩子的家长可以连店里的免费Wi-Fi，密码贴在门上。",
        "",
        {0: "15:00-19:00", 1: "15:00-19:00", 2: "15:00-19:00", 3: "15:00-19:00", 4: "15:00-19:00"},
        200,
    ),
    ("凌岩理发店", "elderly-discount", "每周二上午老人理发半价。", "限60岁以上。", {1: "09:00-12:00"}, 5),
    ("花语花店", "other", "帮街坊代写贺卡，节日免费包装小花束。", "每人每天一次。", {EVERY_DAY: "09:00-20:00"}, 90),
]


async def _merchant_of(shop_id: int) -> Viewer | None:
    row = await ShopMerchant.select(ShopMerchant.person).where(ShopMerchant.shop == shop_id).first()
    if row is None:
        return None
    person = await Person.select(Person.session_version).where(Person.id == row["person"]).first()
    return await load_viewer(row["person"], person["session_version"])


async def seed_demo_offers() -> None:
    kinds = {kind.slug: kind.id for kind in await list_kinds()}
    shops = {row["name"]: row["id"] for row in await Shop.select(Shop.id, Shop.name)}
    today = block_date()
    first_offer = None
    for shop_name, kind, description, conditions, hours, days in DEMO_OFFERS:
        shop_id = shops.get(shop_name)
        merchant = await _merchant_of(shop_id) if shop_id else None
        if merchant is None:
            continue
        days_text = {day: hours.get(day, hours.get(EVERY_DAY, "")) for day in range(7)}
        offer_id = await publish_offer(
            merchant,
            OfferForm(
                shop_id=shop_id,
                kind_id=kinds[kind],
                description=description,
                conditions=conditions,
                valid_until=(today + dt.timedelta(days=days)).isoformat(),
                **{f"hours_{day}": text for day, text in days_text.items()},
            ),
        )
        first_offer = first_offer or offer_id
    residents = await Person.select(Person.id, Person.session_version).where(Person.phone.like("139%")).limit(2)
    for row in residents:
        resident = await load_viewer(row["id"], row["session_version"])
        if resident is not None and first_offer is not None:
            await thank_offer(resident, first_offer)
    await warn_expiring()
