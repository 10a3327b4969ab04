"""The demo block shows notices (one asking for acknowledgement, partly read), the directory and an
inspection round with a failure and its thread to the shop."""

from block_service.accounts.schemas import Viewer
from block_service.notices import inspections, reading
from block_service.notices.tables import GovService, InspectionResult, Notice
from block_service.seed import seed_demo
from block_service.threads.tables import Thread


async def test_the_demo_has_notices_and_an_inspection_round(db):
    assert await seed_demo()
    staff = Viewer(person_id=1, roles=frozenset({"staff"}))
    notices = (await reading.list_notices(staff)).items
    assert len(notices) == 2
    gas = next(n for n in notices if n.ack_required)
    assert (gas.shops_read, gas.shops_acknowledged, gas.shop_count) == (1, 1, 2)
    assert await GovService.count() == 4
    failed = await InspectionResult.select(InspectionResult.thread_id).where(InspectionResult.thread_id.is_not_null())
    assert len(failed) == 1
    thread = (
        await Thread.select(Thread.visibility, Thread.category.slug).where(Thread.id == failed[0]["thread_id"]).first()
    )
    assert thread == {"visibility": "shop", "category.slug": "shop-front"}
    assert sum(s.shops_inspected for s in await inspections.recent_segment_results()) == await InspectionResult.count()
    assert await Notice.count() == 2
