"""Notices and inspections in tests: a block with shops and merchants, and a notice published to it."""

from __future__ import annotations

from block_service.notices.publishing import publish_notice
from block_service.notices.schemas import NoticeForm
from tests.helpers import make_person, make_shop, viewer_for


async def staff_viewer(contact: str = "staff@test.example"):
    return viewer_for(await make_person("工作站小凌", contact, roles=("staff",)), "staff")


async def merchant_of(shop_id: int | None, name: str, contact: str, house_number: str = "1143号", shop_name: str = ""):
    """A merchant acting for `shop_id`, or for a new shop when it is None; returns (viewer, shop id)."""
    from block_service.shops.tables import ShopMerchant

    person = await make_person(name, contact, roles=("resident", "merchant"))
    if shop_id is None:
        shop_id = await make_shop(person, name=shop_name or f"{name}的店", house_number=house_number)
    else:
        import datetime as dt

        await ShopMerchant.insert(ShopMerchant(shop=shop_id, person=person, since=dt.datetime.now(dt.UTC)))
    return viewer_for(person, "resident", "merchant", shops=(shop_id,)), shop_id


async def publish(
    staff, *, ack: bool = True, kind: str = "all", shops: list[int] = (), groups: list[int] = (), **extra
):
    form = NoticeForm(
        title=extra.pop("title", "关于燃气安全检查的通知"),
        body=extra.pop("body", "各位商户：\n\n本周五工作站将上门检查燃气管道。\n\n请做好准备。"),
        audience_kind=kind,
        ack_required=ack,
        shop_ids=list(shops),
        group_ids=list(groups),
        **extra,
    )
    return await publish_notice(staff, form)
