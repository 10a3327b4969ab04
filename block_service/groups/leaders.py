"""Group leaders: merchants back a leader, staff appoint one or clear the appointment."""

from __future__ import annotations

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.db import duplicate_means, write_transaction
from block_service.errors import Conflict, Forbidden, Invalid, NotFound
from block_service.groups.schemas import (
    AppointLeaderForm,
    BackLeaderForm,
    LeaderOut,
)
from block_service.groups.services import _eligible, _find_group, _group_of, _leader_of, _membership, _support
from block_service.groups.tables import LeaderBacking, OrgGroup
from block_service.shops.tables import Shop, ShopMerchant


async def _group_for_change(group_id: int) -> dict:
    row = (
        await OrgGroup.select(
            OrgGroup.id, OrgGroup.kind, OrgGroup.segment, OrgGroup.industry, OrgGroup.appointed_leader
        )
        .where(OrgGroup.id == group_id)
        .first()
    )
    if row is None:
        raise NotFound("No such group.")
    return row


def _shop_in(group: dict, shop: dict) -> bool:
    if group["kind"] == "regional":
        return shop["segment"] == group["segment"]
    return shop["industry"] == group["industry"]


async def _current_leader(group_id: int) -> LeaderOut | None:
    row = await _find_group(group_id)
    group = _group_of(row)
    group.open_shops = await Shop.count().where(_membership(group) & (Shop.status == "open"))
    support = (await _support(group_id)).get(group_id, {})
    eligible = (await _eligible(group_id=group_id)).get(group_id, [])
    return _leader_of(group, row["appointed_leader"], support, eligible, show_names=True)


async def _ensure_eligible(group_id: int, person_id: int, field: str) -> None:
    eligible = (await _eligible(group_id=group_id, person_ids={person_id})).get(group_id, [])
    if not eligible:
        raise Invalid("A group's leader must act for one of the group's open shops.", field=field)


async def back_leader(viewer: Viewer, group_id: int, form: BackLeaderForm) -> None:
    """One of the group's shops backs a merchant as leader; one backing per shop, replaced by the next."""
    with duplicate_means(Conflict("Your shop's choice was saved at the same moment from elsewhere. Reload and check.")):
        async with write_transaction():
            group = await _group_for_change(group_id)
            shop = (
                await Shop.select(Shop.id, Shop.segment, Shop.industry, Shop.status)
                .where(Shop.id == form.shop_id)
                .first()
            )
            acts = shop is not None and await ShopMerchant.exists().where(
                (ShopMerchant.shop == form.shop_id) & (ShopMerchant.person == viewer.person_id)
            )
            if not acts:
                raise Forbidden("Only the shop's own merchants may speak for it.")
            if shop["status"] != "open" or not _shop_in(group, shop):
                raise Invalid("This shop is not an open shop of this group.", field="shop_id")
            await _ensure_eligible(group_id, form.candidate_id, "candidate_id")
            before = (
                await LeaderBacking.select(LeaderBacking.id, LeaderBacking.candidate)
                .where((LeaderBacking.group == group_id) & (LeaderBacking.shop == form.shop_id))
                .first()
            )
            if before and before["candidate"] == form.candidate_id:
                return
            values = {
                LeaderBacking.candidate: form.candidate_id,
                LeaderBacking.backed_by: viewer.person_id,
                LeaderBacking.backed_at: clock.now(),
            }
            if before:
                await LeaderBacking.update(values).where(LeaderBacking.id == before["id"])
            else:
                await LeaderBacking.insert(
                    LeaderBacking(
                        group=group_id,
                        shop=form.shop_id,
                        candidate=form.candidate_id,
                        backed_by=viewer.person_id,
                        backed_at=clock.now(),
                    )
                )
            await record_change(
                actor_id=viewer.person_id,
                action="group.leader_backed",
                object_type="org_group",
                object_id=group_id,
                before={"shop": form.shop_id, "candidate": before["candidate"]} if before else None,
                after={"shop": form.shop_id, "candidate": form.candidate_id},
            )


async def withdraw_backing(viewer: Viewer, group_id: int, shop_id: int) -> None:
    async with write_transaction():
        await _group_for_change(group_id)
        if not await ShopMerchant.exists().where(
            (ShopMerchant.shop == shop_id) & (ShopMerchant.person == viewer.person_id)
        ):
            raise Forbidden("Only the shop's own merchants may speak for it.")
        deleted = (
            await LeaderBacking.delete()
            .where((LeaderBacking.group == group_id) & (LeaderBacking.shop == shop_id))
            .returning(LeaderBacking.candidate)
        )
        if not deleted:
            raise Conflict("Your shop backs nobody in this group.")
        await record_change(
            actor_id=viewer.person_id,
            action="group.leader_backing_withdrawn",
            object_type="org_group",
            object_id=group_id,
            before={"shop": shop_id, "candidate": deleted[0]["candidate"]},
        )


async def appoint_leader(staff: Viewer, group_id: int, form: AppointLeaderForm) -> None:
    """Staff appoint a leader, only while the group's shops have not chosen one by majority."""
    async with write_transaction():
        group = await _group_for_change(group_id)
        current = await _current_leader(group_id)
        if current is not None and current.source == "chosen":
            raise Conflict("The group's shops have chosen a leader; staff appoint one only when none is chosen.")
        await _ensure_eligible(group_id, form.person_id, "person_id")
        if group["appointed_leader"] == form.person_id:
            return
        await OrgGroup.update({OrgGroup.appointed_leader: form.person_id, OrgGroup.appointed_at: clock.now()}).where(
            OrgGroup.id == group_id
        )
        await record_change(
            actor_id=staff.person_id,
            action="group.leader_appointed",
            object_type="org_group",
            object_id=group_id,
            before={"appointed_leader": group["appointed_leader"]},
            after={"appointed_leader": form.person_id},
        )


async def clear_appointment(staff: Viewer, group_id: int) -> None:
    async with write_transaction():
        group = await _group_for_change(group_id)
        if group["appointed_leader"] is None:
            raise Conflict("Nobody is appointed as this group's leader.")
        await OrgGroup.update({OrgGroup.appointed_leader: None, OrgGroup.appointed_at: None}).where(
            OrgGroup.id == group_id
        )
        await record_change(
            actor_id=staff.person_id,
            action="group.leader_appointment_ended",
            object_type="org_group",
            object_id=group_id,
            before={"appointed_leader": group["appointed_leader"]},
            after={"appointed_leader": None},
        )
