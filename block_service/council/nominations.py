"""Opening an election and its nominations: standing, nominating, accepting, withdrawing."""

from __future__ import annotations

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.clock import block_today
from block_service.council.elections import LIVE
from block_service.council.schemas import (
    AcceptForm,
    ElectionForm,
    NominateForm,
    StandForm,
)
from block_service.council.tables import (
    CouncilTerm,
    Election,
    Nomination,
)
from block_service.council.terms import _parse_date
from block_service.db import duplicate_means, write_transaction
from block_service.errors import Conflict, Forbidden, FormInvalid, Invalid, NotFound
from block_service.i18n import N_
from block_service.shops.tables import ShopMerchant


def _wrong_phase(phase: str) -> Conflict:
    """The refusal when an election is not in `phase` (written out so the catalogue extracts each one)."""
    if phase == "nominating":
        return Conflict("Nominations are closed in this election.")
    if phase == "voting":
        return Conflict("Voting is not open in this election.")
    return Conflict("This election has not been closed and counted yet.")


async def _hold_phase(election_id: int, phase: str, changes: dict | None = None) -> None:
    """Check the phase and lock the election row in one statement, so a phase change and a ballot or
    nomination never interleave (PostgreSQL waits on the row; SQLite's write transaction is exclusive)."""
    values = changes or {Election.phase: phase}
    rows = (
        await Election.update(values)
        .where((Election.id == election_id) & (Election.phase == phase))
        .returning(Election.id)
    )
    if rows:
        return
    if not await Election.exists().where(Election.id == election_id):
        raise NotFound("No such election.")
    raise _wrong_phase(phase)


async def open_election(staff: Viewer, term_id: int, form: ElectionForm) -> int:
    """Staff open an election for a term; nominations open at once."""
    dates = {
        name: _parse_date(getattr(form, name), name)
        for name in ("nomination_starts_on", "nomination_ends_on", "voting_starts_on", "voting_ends_on")
    }
    for start, end in (
        ("nomination_starts_on", "nomination_ends_on"),
        ("voting_starts_on", "voting_ends_on"),
        ("nomination_ends_on", "voting_starts_on"),
    ):
        if dates[start] and dates[end] and dates[end] < dates[start]:
            raise FormInvalid({end: N_("This date comes before the one it follows.")})
    with duplicate_means(Conflict("This term already has an election.")):
        async with write_transaction():
            term = await CouncilTerm.select(CouncilTerm.ends_on).where(CouncilTerm.id == term_id).first()
            if term is None:
                raise NotFound("No such council term.")
            if term["ends_on"] < block_today():
                raise Conflict("This term has ended; open the election for a current or coming term.")
            if await Election.exists().where(Election.term == term_id):
                raise Conflict("This term already has an election.")
            rows = await Election.insert(
                Election(term=term_id, phase="nominating", created_by=staff.person_id, created_at=clock.now(), **dates)
            ).returning(Election.id)
            election_id = rows[0]["id"]
            await record_change(
                actor_id=staff.person_id,
                action="election.opened",
                object_type="election",
                object_id=election_id,
                after={"term": term_id, "phase": "nominating", **{k: v.isoformat() for k, v in dates.items() if v}},
            )
    return election_id


async def _acts_for_open_shop(person_id: int, shop_id: int) -> bool:
    return await ShopMerchant.exists().where(
        (ShopMerchant.shop == shop_id)
        & (ShopMerchant.person == person_id)
        & (ShopMerchant.shop.status == "open")
        & (ShopMerchant.person.is_active == True)  # noqa: E712
    )


async def _refuse_double_candidacy(election_id: int, person_id: int, shop_id: int, yourself: bool) -> None:
    live = (Nomination.election == election_id) & Nomination.status.is_in(list(LIVE))
    if await Nomination.exists().where(live & (Nomination.nominee == person_id)):
        if yourself:
            raise Conflict("You are already a candidate in this election.")
        raise Conflict("This merchant is already nominated in this election.")
    if await Nomination.exists().where(live & (Nomination.shop == shop_id)):
        raise Conflict("This shop already has a candidate in this election.")


async def stand(viewer: Viewer, election_id: int, form: StandForm) -> int:
    """A merchant nominates themself for one of their open shops, with a short statement."""
    with duplicate_means(Conflict("You or your shop already stand in this election.")):
        async with write_transaction():
            await _hold_phase(election_id, "nominating")
            if not await _acts_for_open_shop(viewer.person_id, form.shop_id):
                raise Invalid("Choose one of your open shops.", field="shop_id")
            await _refuse_double_candidacy(election_id, viewer.person_id, form.shop_id, yourself=True)
            now = clock.now()
            rows = await Nomination.insert(
                Nomination(
                    election=election_id,
                    nominee=viewer.person_id,
                    shop=form.shop_id,
                    nominated_by=viewer.person_id,
                    statement=form.statement,
                    status="accepted",
                    created_at=now,
                    accepted_at=now,
                )
            ).returning(Nomination.id)
            nomination_id = rows[0]["id"]
            await record_change(
                actor_id=viewer.person_id,
                action="nomination.accepted",
                object_type="nomination",
                object_id=nomination_id,
                after={"election": election_id, "shop": form.shop_id, "nominee": viewer.person_id, "self": True},
            )
    return nomination_id


async def nominate(viewer: Viewer, election_id: int, form: NominateForm) -> int:
    """A merchant of one shop nominates a merchant of another; it counts once the nominee accepts."""
    shop_id, person_id = (int(part) for part in form.nominee.split(":"))
    if person_id == viewer.person_id:
        raise Invalid("To stand yourself, use the form for standing as a candidate.", field="nominee")
    with duplicate_means(Conflict("This merchant or their shop already stands in this election.")):
        async with write_transaction():
            await _hold_phase(election_id, "nominating")
            if not await _acts_for_open_shop(person_id, shop_id):
                raise Invalid("Choose a merchant of an open shop from the list.", field="nominee")
            own_other_shop = await ShopMerchant.exists().where(
                (ShopMerchant.person == viewer.person_id)
                & (ShopMerchant.shop != shop_id)
                & (ShopMerchant.shop.status == "open")
            )
            if not own_other_shop:
                raise Forbidden("Nominations come from the merchants of another open shop.")
            await _refuse_double_candidacy(election_id, person_id, shop_id, yourself=False)
            rows = await Nomination.insert(
                Nomination(
                    election=election_id,
                    nominee=person_id,
                    shop=shop_id,
                    nominated_by=viewer.person_id,
                    note=form.note,
                    status="proposed",
                    created_at=clock.now(),
                )
            ).returning(Nomination.id)
            nomination_id = rows[0]["id"]
            await record_change(
                actor_id=viewer.person_id,
                action="nomination.proposed",
                object_type="nomination",
                object_id=nomination_id,
                after={"election": election_id, "shop": shop_id, "nominee": person_id},
            )
    return nomination_id


async def election_of_nomination(nomination_id: int) -> int:
    row = await Nomination.select(Nomination.election).where(Nomination.id == nomination_id).first()
    if row is None:
        raise NotFound("No such nomination.")
    return row["election"]


async def _nomination_for_change(nomination_id: int, viewer: Viewer) -> dict:
    row = (
        await Nomination.select(
            Nomination.id, Nomination.election, Nomination.nominee, Nomination.shop, Nomination.status
        )
        .where(Nomination.id == nomination_id)
        .first()
    )
    if row is None:
        raise NotFound("No such nomination.")
    if row["nominee"] != viewer.person_id:
        raise Forbidden("Only the nominee may answer this nomination.")
    return row


async def accept_nomination(viewer: Viewer, nomination_id: int, form: AcceptForm) -> int:
    """The nominee accepts, with their own statement; returns the election."""
    async with write_transaction():
        row = await _nomination_for_change(nomination_id, viewer)
        await _hold_phase(row["election"], "nominating")
        if row["status"] != "proposed":
            raise Conflict("This nomination has already been answered.")
        if not await _acts_for_open_shop(viewer.person_id, row["shop"]):
            raise Conflict("You no longer act for this open shop, so you cannot stand for it.")
        await Nomination.update(
            {Nomination.status: "accepted", Nomination.statement: form.statement, Nomination.accepted_at: clock.now()}
        ).where(Nomination.id == nomination_id)
        await record_change(
            actor_id=viewer.person_id,
            action="nomination.accepted",
            object_type="nomination",
            object_id=nomination_id,
            before={"status": "proposed"},
            after={"status": "accepted"},
        )
    return row["election"]


async def withdraw_nomination(viewer: Viewer, nomination_id: int) -> int:
    """The nominee declines a proposal or withdraws their candidacy, while nominations are open."""
    async with write_transaction():
        row = await _nomination_for_change(nomination_id, viewer)
        await _hold_phase(row["election"], "nominating")
        if row["status"] not in LIVE:
            raise Conflict("This nomination has already been answered.")
        status = "declined" if row["status"] == "proposed" else "withdrawn"
        await Nomination.update({Nomination.status: status}).where(Nomination.id == nomination_id)
        await record_change(
            actor_id=viewer.person_id,
            action=f"nomination.{status}",
            object_type="nomination",
            object_id=nomination_id,
            before={"status": row["status"]},
            after={"status": status},
        )
    return row["election"]
