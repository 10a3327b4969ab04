"""Elections as read: the list, one election with its candidates, results and turnout."""

from __future__ import annotations

import functools

import msgspec

from block_service.accounts.schemas import Viewer
from block_service.council.schemas import (
    CandidateOut,
    ElectionDetail,
    ElectionOut,
    ElectionSummary,
    ResultLine,
    ResultsOut,
    TurnoutLine,
    TurnoutOut,
    VoterShop,
)
from block_service.council.tables import (
    Election,
    Nomination,
    ShopVoted,
)
from block_service.council.terms import _term_out
from block_service.errors import NotFound
from block_service.groups.services import list_groups
from block_service.shops.schemas import CandidateChoice
from block_service.shops.tables import Shop, ShopMerchant

LIVE = ("proposed", "accepted")


@functools.cache
def _election_columns() -> tuple:
    """Built once: Piccolo's joined columns are costly to build for every query."""
    return (
        Election.id,
        Election.phase,
        Election.nomination_starts_on,
        Election.nomination_ends_on,
        Election.voting_starts_on,
        Election.voting_ends_on,
        Election.results,
        Election.turnout,
        Election.created_at,
        Election.voting_opened_at,
        Election.closed_at,
        Election.turnout_published_at,
        Election.term.as_alias("term_id"),
        Election.term.number.as_alias("term_number"),
        Election.term.starts_on.as_alias("term_starts_on"),
        Election.term.ends_on.as_alias("term_ends_on"),
        Election.term.seats.as_alias("term_seats"),
    )


def _election_out(row: dict) -> ElectionOut:
    term = _term_out(
        {
            "id": row["term_id"],
            "number": row["term_number"],
            "starts_on": row["term_starts_on"],
            "ends_on": row["term_ends_on"],
            "seats": row["term_seats"],
        }
    )
    fields = (
        "id",
        "phase",
        "nomination_starts_on",
        "nomination_ends_on",
        "voting_starts_on",
        "voting_ends_on",
        "created_at",
        "voting_opened_at",
        "closed_at",
        "turnout_published_at",
    )
    return msgspec.convert({**{key: row[key] for key in fields}, "term": term}, ElectionOut)


async def election_summaries(condition=None, limit: int | None = None) -> list[ElectionSummary]:
    """Elections as listed (newest first): all of them, or those matching `condition`."""
    query = Election.select(
        Election.id,
        Election.term.as_alias("term_id"),
        Election.term.number.as_alias("term_number"),
        Election.phase,
        Election.created_at,
    ).order_by(Election.id, ascending=False)
    if condition is not None:
        query = query.where(condition)
    if limit is not None:
        query = query.limit(limit)
    return [msgspec.convert(row, ElectionSummary) for row in await query]


async def list_elections(limit: int = 20) -> list[ElectionSummary]:
    return await election_summaries(limit=limit)


@functools.cache
def _candidate_columns() -> tuple:
    """Built once: Piccolo's joined columns are costly to build for every query."""
    return (
        Nomination.id.as_alias("nomination_id"),
        Nomination.nominee.as_alias("person_id"),
        Nomination.nominee.display_name.as_alias("display_name"),
        Nomination.shop.as_alias("shop_id"),
        Nomination.shop.name.as_alias("shop_name"),
        Nomination.shop.house_number.as_alias("house_number"),
        Nomination.shop.segment.as_alias("segment_id"),
        Nomination.shop.segment.name_zh.as_alias("segment_name_zh"),
        Nomination.shop.segment.name_en.as_alias("segment_name_en"),
        Nomination.status,
        Nomination.statement,
        Nomination.note,
        Nomination.nominated_by,
        Nomination.nominated_by.display_name.as_alias("nominated_by_name"),
        Nomination.created_at,
        Nomination.accepted_at,
    )


async def get_election(election_id: int, viewer: Viewer) -> ElectionDetail:
    """An election's page: a constant number of statements, whatever the number of candidates."""
    row = await Election.select(*_election_columns()).where(Election.id == election_id).first()
    if row is None:
        raise NotFound("No such election.")
    election = _election_out(row)
    # Candidates in road order, north to south: no order of merit before the count.
    nominations = [
        msgspec.convert(item, CandidateOut)
        for item in await Nomination.select(*_candidate_columns())
        .where(Nomination.election == election_id)
        .order_by(Nomination.shop.street_number)
        .order_by(Nomination.id)
    ]
    by_id = {candidate.nomination_id: candidate for candidate in nominations}
    candidates = [c for c in nominations if c.status == "accepted"]
    waiting = [
        c
        for c in nominations
        if c.status == "proposed" and (viewer.is_staff or viewer.person_id in (c.person_id, c.nominated_by))
    ]
    detail = ElectionDetail(
        election=election,
        candidates=candidates,
        waiting=waiting,
        results=_results_out(row["results"], by_id) if election.phase == "closed" else None,
        turnout=await _turnout_out(row["turnout"]) if election.turnout_published_at else None,
        ballots_cast=await ShopVoted.count().where(ShopVoted.election == election_id) if viewer.is_staff else None,
    )
    if viewer.shop_ids:
        shops = (
            await Shop.select(Shop.id, Shop.name)
            .where(Shop.id.is_in(sorted(viewer.shop_ids)) & (Shop.status == "open"))
            .order_by(Shop.street_number)
        )
        voted = {
            item["shop"]
            for item in await ShopVoted.select(ShopVoted.shop).where(
                (ShopVoted.election == election_id) & ShopVoted.shop.is_in(sorted(viewer.shop_ids))
            )
        }
        detail.my_shops = [
            VoterShop(shop_id=shop["id"], shop_name=shop["name"], has_voted=shop["id"] in voted) for shop in shops
        ]
        if election.phase == "nominating":
            detail.nominee_choices = await _nominee_choices(election_id, viewer)
    return detail


def _results_out(text: str, by_id: dict[int, CandidateOut]) -> ResultsOut | None:
    if not text:
        return None
    results = msgspec.json.decode(text)

    def lines(items: list, elected: bool, start: int) -> list[ResultLine]:
        return [
            ResultLine(
                rank=start + index,
                candidate=by_id[item["candidate_id"]],
                votes=item["votes"],
                elected=elected,
                reserved_segment_id=item.get("reserved_segment_id"),
            )
            for index, item in enumerate(items)
            if item["candidate_id"] in by_id
        ]

    elected = lines(results["elected"], True, 1)
    return ResultsOut(
        seats=results["seats"],
        empty_seats=max(results["seats"] - len(elected), 0),
        elected=elected,
        runners_up=lines(results["runners_up"], False, len(elected) + 1),
    )


async def _turnout_out(text: str) -> TurnoutOut | None:
    if not text:
        return None
    turnout = msgspec.json.decode(text)
    groups = {group.id: group for group in await list_groups()}
    lines = [
        TurnoutLine(group=groups[item["group_id"]], voted=item["voted"], eligible=item["eligible"])
        for item in turnout["groups"]
        if item["group_id"] in groups
    ]
    return TurnoutOut(
        voted=turnout["voted"],
        eligible=turnout["eligible"],
        regional=[line for line in lines if line.group.kind == "regional"],
        industry=[line for line in lines if line.group.kind == "industry"],
    )


async def _nominee_choices(election_id: int, viewer: Viewer) -> list[CandidateChoice]:
    """Merchants of other open shops who are not standing yet, in road order."""
    live = Nomination.select(Nomination.nominee).where(
        (Nomination.election == election_id) & Nomination.status.is_in(list(LIVE))
    )
    rows = (
        await ShopMerchant.select(
            ShopMerchant.shop.as_alias("shop_id"),
            ShopMerchant.shop.name.as_alias("shop_name"),
            ShopMerchant.person.as_alias("person_id"),
            ShopMerchant.person.display_name.as_alias("display_name"),
        )
        .where(
            (ShopMerchant.shop.status == "open")
            & (ShopMerchant.person.is_active == True)  # noqa: E712
            & ShopMerchant.shop.id.not_in(sorted(viewer.shop_ids))
            & ShopMerchant.person.not_in(live)
            & (ShopMerchant.person != viewer.person_id)
        )
        .order_by(ShopMerchant.shop.street_number)
        .order_by(ShopMerchant.id)
    )
    return [msgspec.convert(row, CandidateChoice) for row in rows]
