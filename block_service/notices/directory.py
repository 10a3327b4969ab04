"""The directory of government services for merchants (licences, waste, subsidies, contacts), kept by staff."""

from __future__ import annotations

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.db import write_transaction
from block_service.errors import Forbidden, NotFound
from block_service.notices.schemas import TOPICS, GovServiceItem, ServiceForm
from block_service.notices.tables import GovService

_COLUMNS = (
    GovService.id,
    GovService.topic,
    GovService.title,
    GovService.description,
    GovService.contact,
    GovService.link,
    GovService.sort_order,
)


async def list_services() -> list[GovServiceItem]:
    """Every entry, by topic then the staff's order; one statement (the directory stays small)."""
    rows = await GovService.select(*_COLUMNS).order_by(GovService.sort_order, GovService.id)
    order = {topic: rank for rank, topic in enumerate(TOPICS)}
    rows.sort(key=lambda row: (order.get(row["topic"], len(order)), row["sort_order"], row["id"]))
    return [GovServiceItem(**row) for row in rows]


def _must_be_staff(viewer: Viewer) -> None:
    if not viewer.is_staff:
        raise Forbidden("Only the workstation keeps the directory.")


async def save_service(viewer: Viewer, form: ServiceForm, service_id: int | None = None) -> int:
    """Add an entry, or change one."""
    _must_be_staff(viewer)
    values = {
        GovService.topic: form.topic,
        GovService.title: form.title,
        GovService.description: form.description,
        GovService.contact: form.contact,
        GovService.link: form.link or "",
        GovService.sort_order: form.sort_order,
        GovService.updated_at: clock.now(),
    }
    async with write_transaction():
        if service_id is None:
            rows = await GovService.insert(
                GovService(**{column._meta.name: v for column, v in values.items()})
            ).returning(GovService.id)
            service_id = rows[0]["id"]
        else:
            changed = await GovService.update(values).where(GovService.id == service_id).returning(GovService.id)
            if not changed:
                raise NotFound("No such entry.")
        await record_change(
            actor_id=viewer.person_id,
            action="service.saved",
            object_type="gov_service",
            object_id=service_id,
            after={"topic": form.topic, "title": form.title},
        )
    return service_id


async def remove_service(viewer: Viewer, service_id: int) -> None:
    """Remove an entry; notices that pointed to it keep their text and lose the link."""
    _must_be_staff(viewer)
    async with write_transaction():
        if not await GovService.exists().where(GovService.id == service_id):
            raise NotFound("No such entry.")
        await GovService.raw("UPDATE notice SET service = NULL WHERE service = {}", service_id)
        await GovService.delete().where(GovService.id == service_id)
        await record_change(
            actor_id=viewer.person_id, action="service.removed", object_type="gov_service", object_id=service_id
        )
