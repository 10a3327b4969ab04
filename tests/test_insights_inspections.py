"""The 门前三包 results feed the 环境共治 plan's figures, and no other plan's: the share of inspected shop fronts
passing all three items, month by month."""

from __future__ import annotations

import datetime as dt

from block_service import clock
from block_service.insights.indicators import plan_indicators
from block_service.notices import inspections
from block_service.notices.schemas import ResultForm, RoundForm
from tests.notice_helpers import merchant_of, staff_viewer


async def test_the_environment_plan_shows_the_share_of_shop_fronts_that_passed(db):
    staff = await staff_viewer()
    shops = []
    for index, number in enumerate(("1143号", "1021号", "1155号", "1062号")):
        _viewer, shop = await merchant_of(None, f"店主{index}", f"1380000010{index}", number, f"店铺{index}")
        shops.append(shop)
    this_month = clock.block_today().replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    earlier = await inspections.start_round(staff, RoundForm(month=last_month.strftime("%Y-%m")))
    for shop in shops:  # last month: all four pass
        await inspections.record_result(staff, earlier, ResultForm(shop_id=shop, clean=True, green=True, orderly=True))
    current = await inspections.start_round(staff, RoundForm(month=this_month.strftime("%Y-%m")))
    for shop in shops[:3]:  # this month: three pass, one fails an item (and gets its thread)
        await inspections.record_result(staff, current, ResultForm(shop_id=shop, clean=True, green=True, orderly=True))
    await inspections.record_result(
        staff, current, ResultForm(shop_id=shops[3], clean=True, green=False, orderly=True, note="绿化带缺苗。")
    )
    series = {s.key: s for s in (await plan_indicators("environment")).series}
    shop_fronts = series["shop_fronts_passed"]
    assert shop_fronts.values[-1] == 75.0 and shop_fronts.values[-2] == 100.0
    assert shop_fronts.values[:-2] == [None] * 10 and shop_fronts.unit == "percent"
    assert "shop_fronts_passed" not in {s.key for s in (await plan_indicators("safety")).series}
