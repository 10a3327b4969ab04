"""Group rules: one group per segment and industry, membership that follows the registry, leaders."""

import pytest

from block_service.accounts.schemas import ANONYMOUS
from block_service.audit.tables import AuditEntry
from block_service.errors import Conflict, Forbidden, Invalid
from block_service.groups import leaders, membership, services
from block_service.groups.schemas import AppointLeaderForm, BackLeaderForm
from block_service.groups.tables import OrgGroup
from block_service.shops import segments
from block_service.shops import services as shops
from block_service.shops.schemas import IndustryForm, SegmentForm, StaffShopForm
from tests.council_helpers import merchant, shop_of, staff_viewer


async def _groups() -> dict[str, object]:
    return {group.slug: group for group in await services.list_groups(show_names=True)}


async def _shop_names(slug: str) -> set[str]:
    detail = await services.get_group(slug, ANONYMOUS)
    return {shop.name for shop in detail.shops.items}


def _backing(backer, candidate) -> BackLeaderForm:
    """The backer's shop backs the candidate as leader."""
    return BackLeaderForm(shop_id=shop_of(backer), candidate_id=candidate.person_id)


async def _move(
    staff, shop_id: int, house_number: str | None = None, industry: str | None = None, status: str | None = None
) -> None:
    shop = await shops.get_shop(shop_id)
    industries = {row.slug: row.id for row in await segments.list_industries()}
    await shops.update_shop_as_staff(
        staff,
        shop_id,
        StaffShopForm(
            name=shop.name,
            house_number=house_number or shop.house_number,
            industry_id=industries[industry] if industry else shop.industry_id,
            phone=shop.phone,
            status=status or shop.status,
        ),
    )


async def test_there_is_one_regional_group_per_segment_and_one_industry_group_per_industry(db):
    groups = await services.list_groups()
    regional = [g for g in groups if g.kind == "regional"]
    industry = [g for g in groups if g.kind == "industry"]
    assert [g.slug for g in regional] == [
        "region-north",
        "region-upper-middle",
        "region-lane-1141",
        "region-lower-middle",
        "region-south",
    ]
    assert len(industry) == len(await segments.list_industries()) == 6
    assert (regional[2].name_zh, regional[2].first_number, regional[2].last_number) == ("1141弄节点", 1140, 1160)
    await services.ensure_groups()  # running it again changes nothing
    assert await OrgGroup.count() == 11


async def test_a_new_segment_or_industry_brings_its_group_and_a_renamed_one_keeps_it(db):
    staff = await staff_viewer()
    segment_id = await segments.save_segment(
        staff,
        SegmentForm(
            slug="far-south", name_zh="远南段", name_en="Far south", first_number=1300, last_number=1399, sort_order=9
        ),
    )
    await segments.save_industry(staff, IndustryForm(slug="culture", name_zh="文化创意", name_en="Culture"))
    groups = await _groups()
    assert groups["region-far-south"].segment_id == segment_id
    assert groups["industry-culture"].name_zh == "文化创意"
    await segments.save_segment(
        staff,
        SegmentForm(
            slug="deep-south", name_zh="远南段", name_en="Far south", first_number=1300, last_number=1399, sort_order=9
        ),
        segment_id,
    )
    groups = await _groups()
    assert "region-far-south" not in groups and groups["region-deep-south"].segment_id == segment_id
    actions = {row["action"] for row in await AuditEntry.select(AuditEntry.action)}
    assert {"group.created", "group.renamed"} <= actions


async def test_an_approved_shop_joins_its_regional_and_industry_groups_at_once(db):
    await merchant("张师傅", "1143号", "老张生煎")
    groups = await _groups()
    assert groups["region-lane-1141"].open_shops == 1
    assert groups["industry-catering"].open_shops == 1
    assert groups["region-north"].open_shops == 0
    assert await _shop_names("region-lane-1141") == {"老张生煎"}
    assert await _shop_names("industry-catering") == {"老张生煎"}


async def test_moving_a_shop_changes_its_regional_group(db):
    staff = await staff_viewer()
    owner = await merchant("张师傅", "1143号", "老张生煎")
    await _move(staff, shop_of(owner), house_number="1021号")
    assert await _shop_names("region-lane-1141") == set()
    assert await _shop_names("region-north") == {"老张生煎"}
    assert await _shop_names("industry-catering") == {"老张生煎"}


async def test_changing_a_shops_industry_changes_its_industry_group(db):
    staff = await staff_viewer()
    owner = await merchant("张师傅", "1143号", "老张生煎")
    await _move(staff, shop_of(owner), industry="retail")
    assert await _shop_names("industry-catering") == set()
    assert await _shop_names("industry-retail") == {"老张生煎"}
    assert await _shop_names("region-lane-1141") == {"老张生煎"}


async def test_a_closed_shop_leaves_both_groups_and_returns_when_reopened(db):
    staff = await staff_viewer()
    owner = await merchant("张师傅", "1143号", "老张生煎")
    await _move(staff, shop_of(owner), status="closed")
    groups = await _groups()
    assert groups["region-lane-1141"].open_shops == 0 and groups["industry-catering"].open_shops == 0
    assert await membership.my_groups(owner) == []
    await _move(staff, shop_of(owner), status="open")
    assert {item.group.slug for item in await membership.my_groups(owner)} == {"region-lane-1141", "industry-catering"}


async def test_a_merchants_groups_are_those_of_their_open_shops(db):
    staff = await staff_viewer()
    owner = await merchant("张师傅", "1143号", "老张生煎")
    groups = await _groups()
    assert await membership.group_ids_of(owner) == {groups["region-lane-1141"].id, groups["industry-catering"].id}
    await _move(staff, shop_of(owner), status="closed")
    assert await membership.group_ids_of(owner) == frozenset()
    assert await membership.group_ids_of(ANONYMOUS) == frozenset()


async def test_a_group_is_found_by_its_slug_or_its_number(db):
    by_slug = await services.get_group("region-north", ANONYMOUS)
    by_id = await services.get_group(str(by_slug.group.id), ANONYMOUS)
    assert by_id.group.slug == "region-north"
    assert by_slug.strip is not None and by_slug.strip.first_number == 1001


async def test_merchants_names_are_shown_to_merchants_and_staff_only(db):
    owner = await merchant("张师傅", "1143号", "老张生煎")
    public = await services.get_group("region-lane-1141", ANONYMOUS)
    assert public.shops.items[0].merchants == [] and public.candidates == []
    seen = await services.get_group("region-lane-1141", owner)
    assert [m.display_name for m in seen.shops.items[0].merchants] == ["张师傅"]
    assert seen.is_member


async def test_the_merchant_backed_by_a_majority_of_the_groups_shops_leads_it(db):
    zhang = await merchant("张师傅", "1143号", "老张生煎")
    chen = await merchant("陈经理", "1152号", "好邻居便利店")
    wang = await merchant("王阿姨", "1141弄3号", "巧手裁缝铺")
    group = (await _groups())["region-lane-1141"]
    await leaders.back_leader(zhang, group.id, BackLeaderForm(shop_id=shop_of(zhang), candidate_id=zhang.person_id))
    assert (await _groups())["region-lane-1141"].leader is None  # one of three shops is no majority
    await leaders.back_leader(chen, group.id, BackLeaderForm(shop_id=shop_of(chen), candidate_id=zhang.person_id))
    leader = (await _groups())["region-lane-1141"].leader
    assert (leader.display_name, leader.shop_name, leader.source, leader.backing_shops) == (
        "张师傅",
        "老张生煎",
        "chosen",
        2,
    )
    # A shop's backing is replaced, not added: Chen switches to Wang, Zhang loses the majority.
    await leaders.back_leader(chen, group.id, BackLeaderForm(shop_id=shop_of(chen), candidate_id=wang.person_id))
    assert (await _groups())["region-lane-1141"].leader is None
    support = (await services.get_group(group.id, zhang)).support
    assert {(s.display_name, s.shops) for s in support} == {("张师傅", 1), ("王阿姨", 1)}


async def test_backing_from_a_shop_that_left_the_group_stops_counting(db):
    staff = await staff_viewer()
    zhang = await merchant("张师傅", "1143号", "老张生煎")
    chen = await merchant("陈经理", "1152号", "好邻居便利店")
    group = (await _groups())["region-lane-1141"]
    for backer in (zhang, chen):
        await leaders.back_leader(backer, group.id, _backing(backer, zhang))
    assert (await _groups())["region-lane-1141"].leader.display_name == "张师傅"
    await _move(staff, shop_of(zhang), house_number="1021号")  # Zhang's shop moves north: he can no longer lead here
    assert (await _groups())["region-lane-1141"].leader is None


async def test_leaders_must_act_for_an_open_shop_of_the_group_and_backers_speak_for_their_own_shop(db):
    zhang = await merchant("张师傅", "1143号", "老张生煎")
    li = await merchant("李老板", "1021号", "凌岩水果店")
    group = (await _groups())["region-lane-1141"]
    with pytest.raises(Invalid) as refused:
        await leaders.back_leader(zhang, group.id, BackLeaderForm(shop_id=shop_of(zhang), candidate_id=li.person_id))
    assert (refused.value.message, refused.value.field) == (
        "A group's leader must act for one of the group's open shops.",
        "candidate_id",
    )
    with pytest.raises(Forbidden) as refused:
        await leaders.back_leader(li, group.id, BackLeaderForm(shop_id=shop_of(zhang), candidate_id=zhang.person_id))
    assert refused.value.message == "Only the shop's own merchants may speak for it."
    with pytest.raises(Invalid) as refused:  # Li's own shop is in the north, not in this group
        await leaders.back_leader(li, group.id, BackLeaderForm(shop_id=shop_of(li), candidate_id=zhang.person_id))
    assert (refused.value.message, refused.value.field) == ("This shop is not an open shop of this group.", "shop_id")


async def test_staff_appoint_a_leader_only_while_none_is_chosen(db):
    staff = await staff_viewer()
    zhang = await merchant("张师傅", "1143号", "老张生煎")
    chen = await merchant("陈经理", "1152号", "好邻居便利店")
    group = (await _groups())["region-lane-1141"]
    await leaders.appoint_leader(staff, group.id, AppointLeaderForm(person_id=chen.person_id))
    leader = (await _groups())["region-lane-1141"].leader
    assert (leader.display_name, leader.source) == ("陈经理", "appointed")
    for backer in (zhang, chen):
        await leaders.back_leader(backer, group.id, _backing(backer, zhang))
    leader = (await _groups())["region-lane-1141"].leader
    assert (leader.display_name, leader.source) == ("张师傅", "chosen")
    with pytest.raises(Conflict) as refused:
        await leaders.appoint_leader(staff, group.id, AppointLeaderForm(person_id=chen.person_id))
    assert refused.value.message == (
        "The group's shops have chosen a leader; staff appoint one only when none is chosen."
    )
    assert await AuditEntry.exists().where(AuditEntry.action == "group.leader_appointed")


async def test_withdrawing_a_backing_and_ending_an_appointment_are_refused_when_there_is_none(db):
    staff = await staff_viewer()
    zhang = await merchant("张师傅", "1143号", "老张生煎")
    group = (await _groups())["region-lane-1141"]
    with pytest.raises(Conflict) as refused:
        await leaders.withdraw_backing(zhang, group.id, shop_of(zhang))
    assert refused.value.message == "Your shop backs nobody in this group."
    with pytest.raises(Conflict) as refused:
        await leaders.clear_appointment(staff, group.id)
    assert refused.value.message == "Nobody is appointed as this group's leader."
    await leaders.back_leader(zhang, group.id, BackLeaderForm(shop_id=shop_of(zhang), candidate_id=zhang.person_id))
    assert (await _groups())["region-lane-1141"].leader.display_name == "张师傅"
    await leaders.withdraw_backing(zhang, group.id, shop_of(zhang))
    assert (await _groups())["region-lane-1141"].leader is None


async def test_the_strip_map_places_shops_by_house_number_without_overlapping_labels(db):
    for name, number in (("甲", "1141弄3号"), ("乙", "1142号"), ("丙", "1143号"), ("丁", "1145号")):
        await merchant(name, number, f"{name}店")
    strip = (await services.get_group("region-lane-1141", ANONYMOUS)).strip
    assert [(p.label, p.odd_side) for p in strip.points] == [
        ("甲店", True),
        ("乙店", False),
        ("丙店", True),
        ("丁店", True),
    ]
    odd = [p.label_y for p in strip.points if p.odd_side]
    assert all(later - earlier >= 18 for earlier, later in zip(odd, odd[1:], strict=False))
    assert strip.points[0].y < strip.points[-1].y  # north at the top
