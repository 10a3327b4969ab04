"""Shop rules: applications, approval, who may change a shop, segments and industries."""

import asyncio

import pytest

from block_service.accounts.tables import RoleGrant
from block_service.audit.tables import AuditEntry
from block_service.errors import Conflict, Forbidden, FormInvalid, Invalid, NotFound
from block_service.shops import applications, segments, services
from block_service.shops.schemas import (
    MerchantShopForm,
    SegmentForm,
    ShopApplicationForm,
    ShopFilter,
    StaffShopForm,
)
from block_service.shops.tables import Shop, ShopApplication, ShopMerchant
from tests.council_helpers import zh
from tests.helpers import make_person, make_shop, viewer_for

LICENCE = "91310115MA1K4AB12X"


async def _industry_id(slug: str = "catering") -> int:
    return next(i.id for i in await segments.list_industries() if i.slug == slug)


async def _application(person_id: int, **changes) -> int:
    form = ShopApplicationForm(
        shop_name="老张生煎",
        house_number="1143号",
        industry_id=await _industry_id(),
        licence_number=LICENCE,
        phone="021-58880000",
    )
    for key, value in changes.items():
        setattr(form, key, value)
    return await applications.apply_for_shop(viewer_for(person_id, "resident"), form)


async def _staff():
    return viewer_for(await make_person("工作站", "staff@test.example", roles=("staff",)), "staff")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1143", ("1143号", 1143)),
        ("1143号", ("1143号", 1143)),
        ("凌岩南路1143号", ("1143号", 1143)),
        ("1141弄12号", ("1141弄12号", 1141)),
        (" 1141 弄 ", ("1141弄", 1141)),
    ],
)
def test_house_numbers_are_read_the_way_people_write_them(text, expected):
    assert segments.parse_house_number(text) == expected


@pytest.mark.parametrize("text", ["", "东方路100号", "abc", "号1143"])
def test_house_numbers_elsewhere_are_refused(text):
    with pytest.raises(Invalid) as refused:
        segments.parse_house_number(text)
    assert (refused.value.message, refused.value.field) == (
        "Enter a house number on Lingyan South Road, such as 1125号 or 1141弄12号.",
        "house_number",
    )


async def test_a_shop_outside_the_block_is_refused(db):
    person = await make_person()
    with pytest.raises(Invalid) as refusal:
        await _application(person, house_number="88号")
    assert (refusal.value.message, refusal.value.params, refusal.value.field) == (
        "House number %(number)s is not on the block's part of Lingyan South Road.",
        {"number": 88},
        "house_number",
    )
    assert await ShopApplication.count() == 0


async def test_an_unknown_industry_is_refused(db):
    person = await make_person()
    with pytest.raises(Invalid) as refused:
        await _application(person, industry_id=9999)
    assert (refused.value.message, refused.value.field) == ("Choose an industry from the list.", "industry_id")
    assert await ShopApplication.count() == 0


async def test_approval_registers_the_shop_in_its_segment_and_makes_a_merchant(db):
    person = await make_person("张师傅")
    application_id = await _application(person)
    shop_id = await applications.approve_application(await _staff(), application_id)
    shop = await services.get_shop(shop_id)
    assert (shop.name, shop.house_number, shop.segment_name_zh) == ("老张生煎", "1143号", "1141弄节点")
    assert await services.shop_ids_of(person) == frozenset({shop_id})
    roles = {row["role"] for row in await RoleGrant.select(RoleGrant.role).where(RoleGrant.person == person)}
    assert roles == {"resident", "merchant"}
    actions = {row["action"] for row in await AuditEntry.select(AuditEntry.action)}
    assert {"shop_application.submitted", "shop.registered", "shop_application.approved", "role.granted"} <= actions


async def test_a_second_application_for_the_same_shop_while_one_waits_is_refused(db):
    person = await make_person()
    await _application(person)
    with pytest.raises(Conflict) as refused:
        await _application(person)
    assert (refused.value.message, refused.value.field) == (
        "You already have an application for this shop waiting for review.",
        "licence_number",
    )
    assert await ShopApplication.count() == 1


async def test_concurrent_double_submits_store_one_application(db):
    person = await make_person()
    results = await asyncio.gather(*[_application(person) for _ in range(5)], return_exceptions=True)
    assert sum(isinstance(r, int) for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, int))
    assert await ShopApplication.count() == 1


async def test_a_second_person_joins_an_existing_shop_by_its_licence(db):
    first, second = await make_person("张师傅"), await make_person("张师傅的女儿")
    staff = await _staff()
    shop_id = await applications.approve_application(staff, await _application(first))
    joined = await applications.approve_application(staff, await _application(second, shop_name="老张生煎店"))
    assert joined == shop_id
    assert await Shop.count() == 1
    merchants = (await services.get_shop_detail(staff, shop_id)).merchants
    assert {m.display_name for m in merchants} == {"张师傅", "张师傅的女儿"}


async def test_applying_again_for_a_shop_one_already_acts_for_is_refused(db):
    person = await make_person()
    await applications.approve_application(await _staff(), await _application(person))
    with pytest.raises(Conflict) as refused:
        await _application(person)
    assert (refused.value.message, refused.value.field) == ("You already act for this shop.", "licence_number")


async def test_an_application_is_decided_once(db):
    person = await make_person()
    staff = await _staff()
    application_id = await _application(person)
    await applications.approve_application(staff, application_id)
    with pytest.raises(Conflict) as refused:
        await applications.approve_application(staff, application_id)
    assert refused.value.message == "This application has already been decided."
    with pytest.raises(Conflict) as refused:
        await applications.reject_application(staff, application_id, "重复")
    assert refused.value.message == "This application has already been decided."
    assert await ShopMerchant.count() == 1


async def test_concurrent_approvals_register_one_shop(db):
    person = await make_person()
    staff = await _staff()
    application_id = await _application(person)
    results = await asyncio.gather(
        *[applications.approve_application(staff, application_id) for _ in range(4)], return_exceptions=True
    )
    assert sum(isinstance(r, int) for r in results) == 1
    assert await Shop.count() == 1 and await ShopMerchant.count() == 1


async def test_rejection_keeps_the_reason_for_the_applicant(db):
    person = await make_person()
    application_id = await _application(person)
    await applications.reject_application(await _staff(), application_id, "执照地址不符")
    [application] = await applications.applications_of(person)
    assert (application.status, application.reason) == ("rejected", "执照地址不符")
    assert await Shop.count() == 0
    with pytest.raises(NotFound) as refused:
        await applications.reject_application(await _staff_again(), 999, "无")
    assert refused.value.message == "No such application."


async def _staff_again():
    return viewer_for(await make_person("工作站2", "staff2@test.example", roles=("staff",)), "staff")


async def test_a_merchant_changes_their_own_shop_only(db):
    owner, other = await make_person("店主"), await make_person("隔壁店主")
    shop_id = await make_shop(owner)
    other_shop = await make_shop(other, name="隔壁水果店", house_number="1021号")
    form = MerchantShopForm(phone="13800000000", opening_hours="07:00–21:00", description="现包生煎")
    await services.update_shop_as_merchant(viewer_for(owner, "merchant", shops=(shop_id,)), shop_id, form)
    assert (await services.get_shop(shop_id)).opening_hours == "07:00–21:00"
    with pytest.raises(Forbidden) as refused:
        await services.update_shop_as_merchant(viewer_for(owner, "merchant", shops=(shop_id,)), other_shop, form)
    assert refused.value.message == "Only the shop's own merchants or staff may change this shop."
    assert (await services.get_shop(other_shop)).opening_hours == ""


async def test_staff_moving_a_shop_changes_its_segment(db):
    owner = await make_person()
    shop_id = await make_shop(owner, house_number="1143号")
    form = StaffShopForm(
        name="老张生煎",
        house_number="1021号",
        industry_id=await _industry_id("retail"),
        phone="021-58880000",
        status="open",
    )
    await services.update_shop_as_staff(await _staff(), shop_id, form)
    shop = await services.get_shop(shop_id)
    assert (shop.street_number, shop.segment_name_en, shop.industry_name_en) == (1021, "North", "Retail")


async def test_removing_a_merchants_last_shop_takes_the_merchant_role(db):
    owner = await make_person()
    shop_id = await make_shop(owner)
    await services.remove_merchant(await _staff(), shop_id, owner)
    roles = {row["role"] for row in await RoleGrant.select(RoleGrant.role).where(RoleGrant.person == owner)}
    assert roles == {"resident"}


async def test_segments_may_not_overlap(db):
    staff = await _staff()
    with pytest.raises(FormInvalid) as refusal:
        await segments.save_segment(
            staff, SegmentForm(slug="extra", name_zh="重叠段", name_en="Overlap", first_number=1290, last_number=1310)
        )
    assert refusal.value.errors == {"first_number": zh("This range overlaps the segment %(slug)s.", slug="south")}
    new_id = await segments.save_segment(
        staff, SegmentForm(slug="far-south", name_zh="远南段", name_en="Far south", first_number=1300, last_number=1399)
    )
    assert new_id > 0


async def test_a_segment_cannot_shrink_away_from_its_shops(db):
    owner = await make_person()
    await make_shop(owner, house_number="1143号")
    node = next(s for s in await segments.list_segments() if s.slug == "lane-1141")
    with pytest.raises(FormInvalid) as refused:
        await segments.save_segment(
            await _staff(),
            SegmentForm(
                slug=node.slug,
                name_zh=node.name_zh,
                name_en=node.name_en,
                first_number=1140,
                last_number=1142,
            ),
            node.id,
        )
    assert refused.value.errors == {"first_number": zh("Shops in this segment would fall outside the new range.")}


async def test_shop_search_finds_chinese_substrings(db):
    owner = await make_person()
    await make_shop(owner, name="老张生煎", house_number="1143号")
    await make_shop(owner, name="凌岩水果店", house_number="1021号")
    found = await services.list_shops(ShopFilter(q="生煎"))
    assert [shop.name for shop in found.items] == ["老张生煎"]
    by_number = await services.list_shops(ShopFilter(q="1021"))
    assert [shop.name for shop in by_number.items] == ["凌岩水果店"]
