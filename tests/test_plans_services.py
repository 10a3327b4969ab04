"""Plan and proposal rules: filing, supports and thresholds, the lifecycle and its refusals, notices, audit."""

import pytest

from block_service import clock
from block_service.audit.tables import AuditEntry
from block_service.errors import Conflict, Forbidden, Invalid, NotFound
from block_service.i18n import current_language
from block_service.inbox.tables import InboxEntry
from block_service.plans import proposals
from block_service.plans.plans import get_plan, list_plans, move_plan, save_plan, set_plan_archived
from block_service.plans.schemas import PlanForm, ProposalFilter
from block_service.plans.supports import set_support
from block_service.plans.tables import Proposal, ProposalThread
from block_service.threads.access import get_thread, viewer_group_ids
from block_service.threads.listing import list_threads
from block_service.threads.opening import open_group_thread
from block_service.threads.reading import get_thread_page
from block_service.threads.schemas import AnswerForm, ThreadFilter
from block_service.threads.tables import Thread
from block_service.threads.workflow import post_answer
from tests.council_helpers import merchant, staff_viewer
from tests.helpers import make_person, make_thread, viewer_for
from tests.plans_helpers import age, file, old_merchant, resident, sitting_members, step


@pytest.fixture(autouse=True)
def _english():
    token = current_language.set("en")
    yield
    current_language.reset(token)


async def _status(proposal_id: int) -> str:
    return (await Proposal.select(Proposal.status).where(Proposal.id == proposal_id).first())["status"]


async def _events(person_id: int) -> list[str]:
    rows = await InboxEntry.select(InboxEntry.event).where(
        (InboxEntry.person == person_id) & (InboxEntry.kind == "proposal")
    )
    return [row["event"] for row in rows]


# ---- filing ----------------------------------------------------------------------------------------


async def test_filing_needs_an_active_plan_a_valid_place_and_visible_public_threads(db):
    staff = await staff_viewer()
    author = await resident()
    await set_plan_archived(staff, "culture", True, "并入其他计划")
    with pytest.raises(Invalid, match="archived") as refused:
        await file(author, "culture")
    assert refused.value.field == "plan_id"
    with pytest.raises(Invalid, match="not on the block's part"):
        await file(author, house_number="88号")
    shop_merchant = await merchant("张师傅", "1143号", "老张生煎")
    group_ids = await viewer_group_ids(shop_merchant)
    group_thread = await open_group_thread(shop_merchant, min(group_ids), "组内商量", "只给组里看")
    with pytest.raises(Invalid, match="Choose a thread you can see"):
        await file(author, thread_ids=[group_thread])
    with pytest.raises(Invalid, match="Only public threads"):
        await file(shop_merchant, thread_ids=[group_thread])
    assert await Proposal.count() == 0
    with pytest.raises(Forbidden, match="Sign in"):
        await file(viewer_for(None), "environment")


async def test_a_draft_is_its_authors_until_submitted_then_its_discussion_opens_to_all(db):
    author = await resident("作者")
    other = await resident("邻居")
    proposal_id = await file(author, submit=False)
    with pytest.raises(NotFound, match="No such proposal"):
        await proposals.get_proposal(other, proposal_id)
    with pytest.raises(NotFound, match="No such proposal"):
        await set_support(other, proposal_id, True)
    with pytest.raises(NotFound, match="No such proposal"):
        await step(other, proposal_id, "submit")
    discussion = (await proposals.get_proposal(author, proposal_id)).discussion_id
    with pytest.raises(NotFound):
        await get_thread(other, discussion)
    await step(author, proposal_id, "submit", "准备好了")
    assert await _status(proposal_id) == "submitted"
    page = await get_thread_page(other, discussion)
    assert page.thread.visibility == "attached" and not page.thread.hidden
    await post_answer(other, discussion, AnswerForm(body="我赞成，门口确实太乱。"))
    assert (await proposals.get_proposal(other, proposal_id)).message_count == 1
    listed = await list_threads(other, ThreadFilter())
    assert discussion not in [item.id for item in listed.items]  # the discussion lives on its proposal


# ---- supports and thresholds ----------------------------------------------------------------------


async def test_support_once_per_person_removable_and_shops_counted_once(db):
    author = await resident("作者")
    proposal_id = await file(author)
    zhang = await old_merchant("张师傅", "1143号")
    supporter = await resident("林阿姨")
    counts = await set_support(supporter, proposal_id, True)
    assert counts["people"] == 1 and counts["shops"] == 0
    with pytest.raises(Conflict, match="already support"):
        await set_support(supporter, proposal_id, True)
    counts = await set_support(zhang, proposal_id, True)
    assert counts["people"] == 2 and counts["shops"] == 1
    # A second merchant of the same shop adds a person, not a shop.
    partner = await make_person("张师母")
    await age(partner)
    from block_service.shops.tables import ShopMerchant

    await ShopMerchant.insert(ShopMerchant(shop=next(iter(zhang.shop_ids)), person=partner, since=clock.now()))
    counts = await set_support(
        viewer_for(partner, "resident", "merchant", shops=tuple(zhang.shop_ids)), proposal_id, True
    )
    assert counts["people"] == 3 and counts["shops"] == 1
    counts = await set_support(supporter, proposal_id, False)
    assert counts["people"] == 2
    with pytest.raises(Conflict, match="do not support"):
        await set_support(supporter, proposal_id, False)
    row = await Proposal.select(Proposal.support_count, Proposal.shop_count).where(Proposal.id == proposal_id).first()
    assert row == {"support_count": 2, "shop_count": 1}


async def test_no_supports_under_an_archived_plan_or_after_the_decision(db):
    staff = await staff_viewer()
    author = await resident()
    proposal_id = await file(author, "culture")
    declined = await file(author)
    await step(staff, declined, "decline", "不属于街区事务")
    await set_plan_archived(staff, "culture", True, "并入其他计划")
    supporter = await resident("林阿姨")
    with pytest.raises(Conflict, match="archived"):
        await set_support(supporter, proposal_id, True)
    with pytest.raises(Conflict, match="takes no supports"):
        await set_support(supporter, declined, True)


async def test_young_accounts_do_not_count_toward_thresholds_and_reaching_them_tells_staff(db):
    staff = await staff_viewer()
    plan = await get_plan("safety")
    await save_plan(
        staff, "safety", PlanForm(name_zh=plan.name_zh, name_en=plan.name_en, people_threshold=2, shop_threshold=1)
    )
    author = await resident("作者")
    proposal_id = await file(author, "safety")
    young = [await resident(f"新居民{i}", days_old=0) for i in range(3)]
    young_merchant = await old_merchant("新店主", "1152号", days_old=1)
    for viewer in (*young, young_merchant):
        counts = await set_support(viewer, proposal_id, True)
    assert counts["people"] == 4 and counts["counted_people"] == 0 and counts["counted_shops"] == 0
    assert (await proposals.ready_for_deliberation(staff)).total == 0
    older = await resident("老居民")
    await set_support(older, proposal_id, True)
    old_shop = await old_merchant("老店主", "1143号")
    counts = await set_support(old_shop, proposal_id, True)
    assert counts["counted_people"] == 2 and counts["counted_shops"] == 1
    ready = await proposals.ready_for_deliberation(staff)
    assert [item.id for item in ready.items] == [proposal_id]
    assert "ready" in await _events(staff.person_id) and "ready" in await _events(author.person_id)
    with pytest.raises(Forbidden, match="staff see this list"):
        await proposals.ready_for_deliberation(author)


# ---- the lifecycle ---------------------------------------------------------------------------------


async def test_steps_are_taken_by_whom_they_belong_to_with_a_reason_audited_and_told(db):
    staff = await staff_viewer()
    (lead,) = await sitting_members(staff, ("陈经理", "1152号"))
    plan = await get_plan("environment")
    await save_plan(
        staff, "environment", PlanForm(name_zh=plan.name_zh, name_en=plan.name_en, lead_ids=[lead.person_id])
    )
    author = await resident("作者")
    supporter = await resident("林阿姨")
    proposal_id = await file(author)
    assert "submitted" in await _events(lead.person_id)
    await set_support(supporter, proposal_id, True)
    with pytest.raises(Forbidden, match="staff accept"):
        await step(author, proposal_id, "accept")
    with pytest.raises(Forbidden, match="Only its author"):
        await step(supporter, proposal_id, "withdraw")
    await step(staff, proposal_id, "accept", "支持的人很多，进入审议")
    assert await _status(proposal_id) == "deliberation"
    for person in (author, supporter, lead):
        assert "deliberation" in await _events(person.person_id)
    assert "deliberation" not in await _events(staff.person_id)  # the actor is not told what they did
    with pytest.raises(Conflict, match="not possible from the proposal's present status"):
        await step(staff, proposal_id, "accept")
    audit = await AuditEntry.select(AuditEntry.action).where(
        (AuditEntry.object_type == "proposal") & (AuditEntry.object_id == proposal_id)
    )
    assert {"proposal.filed", "proposal.supported", "proposal.deliberation"} <= {row["action"] for row in audit}
    detail = await proposals.get_proposal(supporter, proposal_id)
    assert detail.status_reason == "支持的人很多，进入审议"


async def test_withdrawing_is_the_authors_until_a_motion_opens_and_a_decline_needs_a_reason(db):
    staff = await staff_viewer()
    author = await resident()
    first = await file(author)
    await step(author, first, "withdraw", "想法变了")
    assert await _status(first) == "withdrawn"
    with pytest.raises(Conflict, match="withdrawn only before a motion"):
        await step(author, first, "withdraw", "再撤一次")
    second = await file(author)
    from block_service.errors import FormInvalid
    from block_service.plans.schemas import StepForm
    from block_service.web.forms import read_form

    with pytest.raises(FormInvalid):
        read_form(StepForm, {"step": "decline", "reason": ""})
    await step(staff, second, "decline", "属于城管执法范围")
    assert await _status(second) == "declined"


async def test_merging_needs_another_proposal_under_way_and_gathers_its_threads(db):
    staff = await staff_viewer()
    author = await resident()
    thread_a = await make_thread(author.person_id, title="门口纸箱占道")
    thread_b = await make_thread(author.person_id, title="门口电瓶车占道")
    target = await file(author, thread_ids=[thread_a])
    merged = await file(author, thread_ids=[thread_a, thread_b])
    closed = await file(author)
    await step(staff, closed, "decline", "重复")
    with pytest.raises(Invalid, match="Name another proposal"):
        await step(staff, merged, "merge", "重复", merge_into=merged)
    with pytest.raises(Invalid, match="still under way"):
        await step(staff, merged, "merge", "重复", merge_into=closed)
    await step(staff, merged, "merge", "与前一个提议相同", merge_into=target)
    row = await Proposal.select(Proposal.status, Proposal.merged_into).where(Proposal.id == merged).first()
    assert row == {"status": "merged", "merged_into": target}
    gathered = await ProposalThread.select(ProposalThread.thread).where(ProposalThread.proposal == target)
    assert sorted(r["thread"] for r in gathered) == sorted([thread_a, thread_b])


async def test_linking_threads_is_for_its_author_and_staff_once_each(db):
    author = await resident()
    other = await resident("邻居")
    proposal_id = await file(author)
    thread_id = await make_thread(other.person_id)
    with pytest.raises(Forbidden, match="Only its author and staff"):
        await proposals.link_thread(other, proposal_id, thread_id)
    await proposals.link_thread(author, proposal_id, thread_id)
    with pytest.raises(Conflict, match="already linked"):
        await proposals.link_thread(author, proposal_id, thread_id)
    found = await proposals.proposals_of_thread(other, thread_id)
    assert [p.id for p in found] == [proposal_id]


# ---- lists and plans -------------------------------------------------------------------------------


async def test_the_list_filters_by_plan_status_segment_chinese_text_and_sorts_by_supports(db):
    author = await resident()
    night = await file(author, "business", title="夜市摊位规范管理", house_number="1143号")
    await file(author, "environment", title="门前绿化带认养", house_number="1021号")
    supporter = await resident("林阿姨")
    await set_support(supporter, night, True)
    everyone = await proposals.list_proposals(supporter, ProposalFilter(sort="supports"))
    assert everyone.items[0].id == night and everyone.total == 2
    assert [p.title for p in (await proposals.list_proposals(supporter, ProposalFilter(q="夜市"))).items] == [
        "夜市摊位规范管理"
    ]
    business = (await get_plan("business")).id
    assert (await proposals.list_proposals(supporter, ProposalFilter(plan=business))).total == 1
    segment = (await Proposal.select(Proposal.segment).where(Proposal.id == night).first())["segment"]
    assert [p.id for p in (await proposals.list_proposals(supporter, ProposalFilter(segment=segment))).items] == [night]
    assert (await proposals.list_proposals(supporter, ProposalFilter(status="deliberation"))).total == 0


async def test_staff_alone_edit_reorder_and_archive_plans_and_every_change_is_audited(db):
    staff = await staff_viewer()
    author = await resident()
    with pytest.raises(Forbidden, match="manage the plans"):
        await move_plan(author, "culture", -1)
    with pytest.raises(Conflict, match="end of the list"):
        await move_plan(staff, "culture", 1)
    await move_plan(staff, "culture", -1)
    assert [p.slug for p in await list_plans()][-2:] == ["culture", "services"]
    await set_plan_archived(staff, "culture", True, "暂停")
    with pytest.raises(Conflict, match="already archived"):
        await set_plan_archived(staff, "culture", True, "暂停")
    assert "culture" not in [p.slug for p in await list_plans()]
    await set_plan_archived(staff, "culture", False, "恢复")
    actions = [
        row["action"] for row in await AuditEntry.select(AuditEntry.action).where(AuditEntry.object_type == "plan")
    ]
    assert actions == ["plan.moved", "plan.archived", "plan.restored"]


async def test_an_anonymous_viewer_and_the_thread_table_are_untouched_by_drafts(db):
    author = await resident()
    await file(author, submit=False)
    assert (await proposals.list_proposals(viewer_for(None), ProposalFilter())).total == 0
    discussion = await Thread.select(Thread.hidden, Thread.visibility).first()
    assert discussion == {"hidden": True, "visibility": "attached"}


async def test_a_persons_data_download_has_their_proposals_and_deleting_them_leaves_them_signed_by_a_label(db):
    from block_service.plans.plans import lead_names, plan_leads
    from block_service.privacy.schemas import StaffDeleteForm
    from block_service.privacy.services import collect_personal_data, delete_account_for

    staff = await staff_viewer()
    author = await resident("王先生")
    proposal_id = await file(author)
    other = await file(await resident("邻居"))
    await set_support(author, other, True)
    data = (await collect_personal_data(author.person_id))["plans"]
    assert [p["id"] for p in data["proposals"]] == [proposal_id]
    assert [s["proposal"] for s in data["supports"]] == [other]
    (lead,) = await sitting_members(staff, ("陈经理", "1152号"))
    plan = await get_plan("environment")
    await save_plan(
        staff, "environment", PlanForm(name_zh=plan.name_zh, name_en=plan.name_en, lead_ids=[lead.person_id])
    )
    await delete_account_for(staff, author.person_id, StaffDeleteForm(confirm=True))
    await delete_account_for(staff, lead.person_id, StaffDeleteForm(confirm=True, confirm_shops=True))
    assert await plan_leads(plan.id) == [] and await lead_names(plan.id) == []
    shown = await proposals.get_proposal(viewer_for(None), proposal_id)
    assert str(shown.author_label) == "A former resident" and shown.title == "门前绿化带认养"
