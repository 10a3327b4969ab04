"""Secret ballots: opening the vote, casting a shop's ballot, the count at the close and the turnout."""

from __future__ import annotations

import collections
import datetime as dt
import logging
import secrets

import msgspec

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.clock import BLOCK_TIMEZONE
from block_service.council.counting import Candidate, CountResult, count_seats
from block_service.council.nominations import _acts_for_open_shop, _hold_phase
from block_service.council.schemas import (
    BallotForm,
)
from block_service.council.tables import (
    Approval,
    Election,
    Nomination,
    Seat,
    ShopVoted,
    Tally,
)
from block_service.db import duplicate_means, engine, is_sqlite, write_transaction
from block_service.errors import Conflict, Forbidden, Invalid, NotFound
from block_service.groups.services import list_groups
from block_service.shops.tables import Shop, ShopMerchant

# Approval rows per INSERT statement at the close (well under both engines' limits on parameters).
APPROVAL_BATCH = 300


logger = logging.getLogger(__name__)


def _already_voted() -> Conflict:
    return Conflict("This shop has already voted in this election. A shop casts one ballot, and it cannot be changed.")


def ballot_audit_time(moment: dt.datetime) -> dt.datetime:
    """The time a ballot's audit row records: midnight of the block's day, never the moment it was cast,
    which other records (a log-in, a post) could match to a merchant."""
    local = moment.astimezone(BLOCK_TIMEZONE)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)


def _approval_key() -> str:
    return secrets.token_hex(16)


async def open_voting(staff: Viewer, election_id: int) -> None:
    """Nominations close: unanswered ones lapse, each accepted candidate gets a tally at zero."""
    async with write_transaction():
        await _hold_phase(election_id, "nominating", {Election.phase: "voting", Election.voting_opened_at: clock.now()})
        accepted = (
            await Nomination.select(Nomination.id)
            .where((Nomination.election == election_id) & (Nomination.status == "accepted"))
            .order_by(Nomination.id)
        )
        if not accepted:
            raise Conflict("No candidate has accepted a nomination yet, so voting cannot open.")
        lapsed = (
            await Nomination.update({Nomination.status: "lapsed"})
            .where((Nomination.election == election_id) & (Nomination.status == "proposed"))
            .returning(Nomination.id)
        )
        await Tally.insert(*[Tally(election=election_id, nomination=row["id"], votes=0) for row in accepted])
        await record_change(
            actor_id=staff.person_id,
            action="election.voting_opened",
            object_type="election",
            object_id=election_id,
            before={"phase": "nominating"},
            after={
                "phase": "voting",
                "candidates": [row["id"] for row in accepted],
                "lapsed": [row["id"] for row in lapsed],
            },
        )


async def cast_ballot(viewer: Viewer, election_id: int, form: BallotForm) -> None:
    """One secret ballot per shop, in one transaction: the voter roll gets the shop (its unique index refuses
    a second ballot, even a concurrent one), and each approved candidate gets an approval row under a random
    key with no shop, person or time. The audit row says that a ballot was cast in this election, on which
    day, and nothing else. Tallies stay untouched until the close.

    What remains while voting is open: the two writes share a transaction, so whoever reads the live
    database files (the write-ahead log, PostgreSQL's row versions and their transaction ids, the order
    rows were appended in) or compares two copies taken during voting can match a ballot to the shop that
    voted at that moment. close_election rewrites the approvals to take that away from later copies."""
    chosen = sorted(set(form.candidates))
    if not chosen:
        raise Invalid("Approve at least one candidate.", field="candidates")
    if len(chosen) != len(form.candidates):
        raise Invalid("Approve each candidate at most once.", field="candidates")
    with duplicate_means(_already_voted()):
        async with write_transaction():
            await _hold_phase(election_id, "voting")
            if not await _acts_for_open_shop(viewer.person_id, form.shop_id):
                raise Forbidden("Only a merchant of an open shop may cast its ballot.")
            seats = (
                await Election.select(Election.term.seats.as_alias("seats")).where(Election.id == election_id).first()
            )
            if len(chosen) > seats["seats"]:
                raise Invalid("Approve at most %(count)s candidates.", field="candidates", count=seats["seats"])
            known = {
                row["nomination"] for row in await Tally.select(Tally.nomination).where(Tally.election == election_id)
            }
            if not set(chosen) <= known:
                raise Invalid("Choose candidates from this election's list.", field="candidates")
            if await ShopVoted.exists().where((ShopVoted.election == election_id) & (ShopVoted.shop == form.shop_id)):
                raise _already_voted()
            await ShopVoted.insert(ShopVoted(election=election_id, shop=form.shop_id))
            await Approval.insert(
                *[Approval(id=_approval_key(), election=election_id, nomination=nomination) for nomination in chosen]
            )
            await record_change(
                actor_id=None,
                action="election.ballot_cast",
                object_type="election",
                object_id=election_id,
                at=ballot_audit_time(clock.now()),
            )


async def _count_approvals(election_id: int) -> dict[int, int]:
    """Inside the close: the votes per candidate, read from the approvals, which are then written again
    under fresh random keys in key order. Afterwards nothing in the rows (their order on disk, PostgreSQL's
    transaction ids, SQLite's page layout) says which ballot, or which moment of voting, they came from."""
    rows = await Approval.select(Approval.nomination).where(Approval.election == election_id)
    votes = collections.Counter(row["nomination"] for row in rows)
    sqlite = is_sqlite()
    if sqlite:
        # Freed space is overwritten, so the old rows' bytes do not stay behind in the file.
        await Approval.raw("PRAGMA secure_delete = ON")
    await Approval.delete().where(Approval.election == election_id)
    fresh = sorted((_approval_key(), nomination) for nomination, count in votes.items() for _ in range(count))
    for start in range(0, len(fresh), APPROVAL_BATCH):
        await Approval.insert(
            *[
                Approval(id=key, election=election_id, nomination=nomination)
                for key, nomination in fresh[start : start + APPROVAL_BATCH]
            ]
        )
    if sqlite:
        await Approval.raw("PRAGMA secure_delete = OFF")
    return dict(votes)


async def _vacuum_approvals() -> None:
    """PostgreSQL: drop the rewritten approvals' old row versions now rather than at autovacuum's next turn
    (VACUUM cannot run inside the close's transaction). Best effort: autovacuum does it anyway."""
    database = engine()
    if is_sqlite() or database.current_transaction.get() is not None:
        return
    try:
        await database.run_ddl("VACUUM council_approval")
    except Exception as error:  # the close is committed; only the early clean-up failed
        logger.warning("VACUUM council_approval after the count failed: %s", error)


async def _nomination_facts(election_id: int) -> dict[int, dict]:
    """Per nomination: nominee, shop, its segment now, when accepted, and whether the nominee can still sit."""
    rows = await Nomination.select(
        Nomination.id,
        Nomination.nominee,
        Nomination.shop,
        Nomination.status,
        Nomination.accepted_at,
        Nomination.shop.segment.as_alias("segment"),
        Nomination.shop.status.as_alias("shop_status"),
        Nomination.nominee.is_active.as_alias("active"),
    ).where(Nomination.election == election_id)
    pairs = set()
    if rows:
        pairs = {
            (row["shop"], row["person"])
            for row in await ShopMerchant.select(ShopMerchant.shop, ShopMerchant.person).where(
                ShopMerchant.shop.is_in(sorted({r["shop"] for r in rows}))
            )
        }
    return {
        row["id"]: {
            **row,
            "eligible": row["shop_status"] == "open" and bool(row["active"]) and (row["shop"], row["nominee"]) in pairs,
        }
        for row in rows
    }


async def close_election(staff: Viewer, election_id: int) -> CountResult:
    """Voting ends; the votes are counted from the approvals (which are rewritten, see _count_approvals),
    the seats are allotted (council/counting.py) and created, and turnout is computed."""
    async with write_transaction():
        await _hold_phase(election_id, "voting", {Election.phase: "closed", Election.closed_at: clock.now()})
        election = (
            await Election.select(Election.term, Election.term.seats.as_alias("seats"))
            .where(Election.id == election_id)
            .first()
        )
        facts = await _nomination_facts(election_id)
        votes = await _count_approvals(election_id)
        tallies = await Tally.select(Tally.nomination).where(Tally.election == election_id).order_by(Tally.nomination)
        for row in tallies:
            row["votes"] = votes.get(row["nomination"], 0)
            await Tally.update({Tally.votes: row["votes"]}).where(
                (Tally.election == election_id) & (Tally.nomination == row["nomination"])
            )
        candidates = [
            Candidate(
                id=row["nomination"],
                votes=row["votes"],
                segment_id=facts[row["nomination"]]["segment"],
                accepted_at=facts[row["nomination"]]["accepted_at"],
            )
            for row in tallies
            if facts[row["nomination"]]["eligible"]
        ]
        excluded = sorted(row["nomination"] for row in tallies if not facts[row["nomination"]]["eligible"])
        result = count_seats(candidates, election["seats"])
        now = clock.now()
        if result.elected:
            await Seat.insert(
                *[
                    Seat(
                        term=election["term"],
                        person=facts[placement.candidate_id]["nominee"],
                        shop=facts[placement.candidate_id]["shop"],
                        source="election",
                        election=election_id,
                        reserved_segment=placement.reserved_segment_id,
                        started_at=now,
                    )
                    for placement in result.elected
                ]
            )
        turnout = await _count_turnout(election_id)
        stored = {
            "seats": result.seats,
            "elected": msgspec.to_builtins(result.elected),
            "runners_up": msgspec.to_builtins(result.runners_up),
            "excluded": excluded,
        }
        await Election.update(
            {
                Election.results: msgspec.json.encode(stored).decode(),
                Election.turnout: msgspec.json.encode(turnout).decode(),
            }
        ).where(Election.id == election_id)
        await record_change(
            actor_id=staff.person_id,
            action="election.closed",
            object_type="election",
            object_id=election_id,
            before={"phase": "voting"},
            after={"phase": "closed", **stored},
        )
    await _vacuum_approvals()
    return result


async def _count_turnout(election_id: int) -> dict:
    """Shops that voted, out of the shops that could (open now, or voted before closing), per group."""
    voted_rows = await ShopVoted.select(
        ShopVoted.shop, ShopVoted.shop.segment.as_alias("segment"), ShopVoted.shop.industry.as_alias("industry")
    ).where(ShopVoted.election == election_id)
    open_rows = await Shop.select(Shop.id.as_alias("shop"), Shop.segment, Shop.industry).where(Shop.status == "open")
    eligible = {row["shop"]: row for row in open_rows} | {row["shop"]: row for row in voted_rows}
    voted = {row["shop"] for row in voted_rows}
    lines = []
    for group in await list_groups():
        column, value = ("segment", group.segment_id) if group.kind == "regional" else ("industry", group.industry_id)
        members = [shop for shop, row in eligible.items() if row[column] == value]
        lines.append({"group_id": group.id, "voted": sum(shop in voted for shop in members), "eligible": len(members)})
    return {"voted": len(voted), "eligible": len(eligible), "groups": lines}


async def publish_turnout(staff: Viewer, election_id: int) -> None:
    async with write_transaction():
        row = (
            await Election.select(Election.phase, Election.turnout_published_at)
            .where(Election.id == election_id)
            .first()
        )
        if row is None:
            raise NotFound("No such election.")
        if row["phase"] != "closed":
            raise Conflict("Turnout can be published once the election is closed.")
        if row["turnout_published_at"] is not None:
            raise Conflict("The turnout has already been published.")
        await Election.update({Election.turnout_published_at: clock.now()}).where(Election.id == election_id)
        await record_change(
            actor_id=staff.person_id, action="election.turnout_published", object_type="election", object_id=election_id
        )
