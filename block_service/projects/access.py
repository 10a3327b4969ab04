"""Who may start and manage a project, who is told of its changes, and the names of its lead and maintainer."""

from __future__ import annotations

from block_service.accounts.schemas import Viewer
from block_service.accounts.tables import Person
from block_service.council.motions import is_chair
from block_service.errors import Forbidden, NotFound
from block_service.groups.services import list_groups
from block_service.projects.schemas import Party
from block_service.projects.tables import Project, ProjectWorker
from block_service.shops.tables import Shop, ShopMerchant


async def may_create(viewer: Viewer) -> bool:
    """Staff or the council's sitting chair start a project from a passed motion."""
    return viewer.is_staff or (viewer.is_signed_in and await is_chair(viewer.person_id))


async def _group_leader(group_id: int) -> int | None:
    for group in await list_groups():
        if group.id == group_id:
            return group.leader.person_id if group.leader else None
    return None


async def lead_people(lead_type: str, lead_id: int) -> set[int]:
    """The people who act for a lead: the person, the shop's merchants or the group's leader."""
    if lead_type == "person":
        return {lead_id}
    if lead_type == "shop":
        rows = await ShopMerchant.select(ShopMerchant.person).where(ShopMerchant.shop == lead_id)
        return {row["person"] for row in rows}
    leader = await _group_leader(lead_id)
    return {leader} if leader else set()


async def may_manage(viewer: Viewer, project: dict) -> bool:
    """Staff and the lead manage a project (a lead shop's merchants, a lead group's leader)."""
    if not viewer.is_signed_in:
        return False
    if viewer.is_staff:
        return True
    if project["lead_type"] == "shop":
        return viewer.acts_for(project["lead_id"])
    return viewer.person_id in await lead_people(project["lead_type"], project["lead_id"])


async def project_row(project_id: int) -> dict:
    row = await Project.select().where(Project.id == project_id).first()
    if row is None:
        raise NotFound("No such project.")
    return row


async def managed_project(viewer: Viewer, project_id: int) -> dict:
    """The project, when the viewer may manage it; 404 when it does not exist, 403 when not theirs."""
    project = await project_row(project_id)
    if not await may_manage(viewer, project):
        raise Forbidden("Only staff and the project's lead manage this project.")
    return project


async def party_exists(party_type: str, party_id: int) -> bool:
    if party_type == "person":
        return await Person.exists().where(Person.id == party_id)
    if party_type == "shop":
        return await Shop.exists().where(Shop.id == party_id)
    return any(group.id == party_id for group in await list_groups())


async def parties(pairs: list[tuple[str, int]]) -> dict[tuple[str, int], Party]:
    """Leads, maintainers and workers by their public names: one statement per kind of party present."""
    found: dict[tuple[str, int], Party] = {}
    people = sorted({pid for kind, pid in pairs if kind == "person"})
    shops = sorted({pid for kind, pid in pairs if kind == "shop"})
    if people:
        for row in await Person.select(Person.id, Person.display_name).where(Person.id.is_in(people)):
            found["person", row["id"]] = Party(type="person", id=row["id"], name=row["display_name"])
    if shops:
        for row in await Shop.select(Shop.id, Shop.name).where(Shop.id.is_in(shops)):
            found["shop", row["id"]] = Party(type="shop", id=row["id"], name=row["name"])
    if any(kind == "group" for kind, _pid in pairs):
        for group in await list_groups():
            found["group", group.id] = Party(type="group", id=group.id, name=group.name_zh, name_en=group.name_en)
    return found


async def taking_part(project: dict) -> set[int]:
    """Who is told of a project's changes: its lead's people, its workers, its proposal's author and supporters."""
    people = await lead_people(project["lead_type"], project["lead_id"])
    workers = await ProjectWorker.select(ProjectWorker.person).where(ProjectWorker.project == project["id"])
    rows = await Project.raw(
        "SELECT author AS person FROM proposal WHERE id = {} "
        "UNION SELECT person FROM proposal_support WHERE proposal = {}",
        project["proposal_id"],
        project["proposal_id"],
    )
    return people | {row["person"] for row in workers} | {row["person"] for row in rows}
