"""Who a meeting's invitations and attendance name: groups, shops and people, by the name rules."""

from __future__ import annotations

from block_service.accounts.schemas import Viewer
from block_service.accounts.tables import Person
from block_service.council.seats import seats_of_term
from block_service.council.tables import Seat
from block_service.council.terms import current_term
from block_service.groups.services import list_groups, merchants_of_groups
from block_service.i18n import N_, localized
from block_service.names import shown_name
from block_service.plans.tables import Proposal, Support
from block_service.shops.services import may_see_merchants
from block_service.shops.tables import Shop, ShopMerchant
from block_service.threads.access import may_identify_author
from block_service.threads.tables import MeToo, Thread

# Invitations that stand for a whole set of people, resolved when someone is told or asks whether they are
# invited; shown by these words, never by the names behind them (a thread's reporter may be anonymous).
GROUP_LABELS = {
    "council": N_("The sitting council"),
    "proposal": N_("The proposal's author and supporters"),
    "thread": N_("The report's reporter and those who reported the same"),
}


def may_see_people(viewer: Viewer) -> bool:
    """Invited and attending people are named to whom a shop's merchants are named (shops.may_see_merchants);
    others read "a person invited by name" or "a resident". Shops and groups are public."""
    return may_see_merchants(viewer)


async def invitee_names(viewer: Viewer, pairs: list[tuple[str, int]]) -> dict[tuple[str, int], str | None]:
    """{(type, id): name} for those that exist, in at most three statements whatever the number of pairs.

    A person not named to this viewer maps to None: the edge shows "A person (named to merchants and staff)"."""
    by_type: dict[str, set[int]] = {}
    for kind, object_id in pairs:
        by_type.setdefault(kind, set()).add(object_id)
    names: dict[tuple[str, int], str | None] = {}
    for kind, label in GROUP_LABELS.items():
        for object_id in by_type.get(kind, ()):
            names[(kind, object_id)] = label  # a msgid: the edge translates it
    if by_type.get("group"):
        for group in await list_groups():
            if group.id in by_type["group"]:
                names[("group", group.id)] = localized(group, "name")
    if by_type.get("shop"):
        rows = await Shop.select(Shop.id, Shop.name, Shop.house_number).where(Shop.id.is_in(sorted(by_type["shop"])))
        for row in rows:
            names[("shop", row["id"])] = f"{row['name']} · {row['house_number']}"
    if by_type.get("person"):
        rows = await Person.select(Person.id, Person.display_name).where(Person.id.is_in(sorted(by_type["person"])))
        named = may_see_people(viewer)
        for row in rows:
            if named or row["id"] == viewer.person_id:
                names[("person", row["id"])] = shown_name(row["display_name"])
            else:
                names[("person", row["id"])] = None
    return names


async def merchants_of_shops(shop_ids: list[int]) -> set[int]:
    if not shop_ids:
        return set()
    rows = await ShopMerchant.select(ShopMerchant.person).where(ShopMerchant.shop.is_in(sorted(shop_ids)))
    return {row["person"] for row in rows}


async def is_secretary(person_id: int | None) -> bool:
    """The secretary (秘书) of the current term, sitting: besides staff the one who publishes minutes."""
    term = await current_term()
    if term is None or person_id is None:
        return False
    return any(
        seat.person_id == person_id and seat.position == "secretary" and seat.ceased_at is None
        for seat in await seats_of_term(term.id)
    )


async def sitting_members() -> set[int]:
    """The people sitting on the current council (one statement)."""
    term = await current_term()
    if term is None:
        return set()
    rows = await Seat.select(Seat.person).where((Seat.term == term.id) & Seat.ceased_at.is_null())
    return {row["person"] for row in rows}


async def proposal_people(proposal_id: int) -> set[int]:
    author = await Proposal.select(Proposal.author).where(Proposal.id == proposal_id).first()
    supporters = await Support.select(Support.person).where(Support.proposal == proposal_id)
    return ({author["author"]} if author else set()) | {row["person"] for row in supporters}


async def thread_people(thread_id: int) -> set[int]:
    author = await Thread.select(Thread.author).where(Thread.id == thread_id).first()
    same = await MeToo.select(MeToo.person).where(MeToo.thread == thread_id)
    return ({author["author"]} if author and author["author"] else set()) | {row["person"] for row in same}


async def people_of(pairs: list[tuple[str, int]]) -> set[int]:
    """Everyone these invitations reach: people by name, merchants of shops and groups, and the group kinds."""
    people: set[int] = {object_id for kind, object_id in pairs if kind == "person"}
    people |= await merchants_of_shops([object_id for kind, object_id in pairs if kind == "shop"])
    groups = [object_id for kind, object_id in pairs if kind == "group"]
    if groups:
        people |= await merchants_of_groups(groups)
    for kind, object_id in pairs:
        if kind == "council":
            people |= await sitting_members()
        elif kind == "proposal":
            people |= await proposal_people(object_id)
        elif kind == "thread":
            people |= await thread_people(object_id)
    return people


async def hidden_reporters(viewer: Viewer, thread_id: int | None) -> set[int]:
    """The meeting's thread's anonymous reporter, when this viewer may not know who it is (threads.access rule):
    such a person is never named on the meeting's pages, whatever other rule would name them."""
    if thread_id is None:
        return set()
    row = (
        await Thread.select(Thread.author, Thread.anonymous, Thread.name_to_shop, Thread.shop)
        .where(Thread.id == thread_id)
        .first()
    )
    if row is None or not row["anonymous"] or row["author"] is None:
        return set()
    known = may_identify_author(
        viewer, author_id=row["author"], anonymous=True, name_to_shop=row["name_to_shop"], shop_id=row["shop"]
    )
    return set() if known else {row["author"]}
