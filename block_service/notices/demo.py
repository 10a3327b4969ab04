"""Demo notices and 门前三包: the services directory, a notice to the catering group that asks for an
acknowledgement (one of its shops has read and acknowledged it), a notice to every shop (partly read), and
this month's inspection round with one failure and its thread to the shop."""

from __future__ import annotations

import datetime as dt

from block_service import clock
from block_service.accounts.people import load_viewer
from block_service.accounts.schemas import Viewer
from block_service.accounts.tables import Person
from block_service.groups.tables import OrgGroup
from block_service.notices import directory, inspections, reading, receipts
from block_service.notices.publishing import publish_notice
from block_service.notices.schemas import NoticeForm, ResultForm, RoundForm, ServiceForm
from block_service.notices.tables import Notice
from block_service.shops.tables import Shop

SERVICES = [
    (
        "licence",
        "食品经营许可证办理与延续",
        "许可证到期前 30 个工作日申请延续；材料齐全可当场受理。",
        "浦东新区市场监管局东明所 021-58880101，东明路 300 号",
    ),
    (
        "waste",
        "餐厨垃圾收运合同签订",
        "餐饮商户须与有资质的收运单位签订合同，每年续签一次，工作站可协助联系。",
        "街道环卫所 021-58880202",
    ),
    (
        "subsidy",
        "小微商户店招店牌改造补贴",
        "统一规划的店招改造，按实际费用给予补贴，每户最高 5,000 元。",
        "街道营商服务中心 021-58880303",
    ),
    ("contact", "街道城管中队", "占道、门前三包问题的执法与指导。", "021-58880404（工作日 8:30–17:00）"),
]


async def _merchant(name: str) -> Viewer | None:
    row = await Person.select(Person.id, Person.session_version).where(Person.display_name == name).first()
    return await load_viewer(row["id"], row["session_version"]) if row else None


async def seed_demo_notices(staff: Viewer) -> None:
    if await Notice.exists():
        return
    ids = [
        await directory.save_service(staff, ServiceForm(topic=t, title=title, description=text, contact=contact))
        for t, title, text, contact in SERVICES
    ]
    catering = await OrgGroup.select(OrgGroup.id).where(OrgGroup.industry.slug == "catering").first()
    today = clock.block_today()
    gas = await publish_notice(
        staff,
        NoticeForm(
            title="关于开展餐饮商户燃气安全检查的通知",
            body=(
                "各餐饮商户：\n\n为做好冬季燃气安全工作，街道将于下周二至周四上门检查燃气管道、报警器和灶具。\n\n"
                "请提前清理灶台周边杂物，并确保店内有人配合检查。收到通知后请点击“收到/已知悉”。"
            ),
            audience_kind="groups",
            group_ids=[catering["id"]] if catering else [],
            ack_required=True,
            deadline=(today + dt.timedelta(days=7)).isoformat(),
            service_id=ids[1],
        ),
    )
    zhang = await _merchant("张师傅")
    if zhang is not None:
        await reading.open_notice(zhang, gas)
        await receipts.acknowledge(zhang, gas)
    sign = await publish_notice(
        staff,
        NoticeForm(
            title="店招店牌改造补贴开始申请",
            body="各位商户：\n\n今年的店招店牌改造补贴开始申请，详情见政务服务目录。\n\n名额有限，先到先得。",
            audience_kind="all",
            service_id=ids[2],
        ),
    )
    for name in ("李老板", "王阿姨", "陈经理"):
        merchant = await _merchant(name)
        if merchant is not None:
            await reading.open_notice(merchant, sign)
    await _seed_inspections(staff)


async def _seed_inspections(staff: Viewer) -> None:
    round_id = await inspections.start_round(staff, RoundForm(month=clock.block_today().strftime("%Y-%m")))
    shops = await Shop.select(Shop.id, Shop.name).where(Shop.status == "open").order_by(Shop.street_number)
    for shop in shops:
        failed = shop["name"] == "川味小面馆"
        await inspections.record_result(
            staff,
            round_id,
            ResultForm(
                shop_id=shop["id"],
                clean=not failed,
                green=True,
                orderly=not failed,
                note="门前人行道有油渍，外摆桌椅占用盲道。" if failed else "",
            ),
        )
