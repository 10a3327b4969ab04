"""Council rules: terms and seats, elections from nomination to results, secret ballots, declared interests.

Sitting members are derived, never stored: the seats of the current term (today between its start and
end) that have not ceased. The "council" role of a person comes from the same rule (accounts.load_viewer).
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import logging
import secrets

import msgspec

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.clock import BLOCK_TIMEZONE, block_today
from block_service.council.counting import Candidate, CountResult, Placement, count_seats, next_runner_up
from block_service.council.schemas import (
    POSITIONS,
    SINGLE_POSITIONS,
    AcceptForm,
    BallotForm,
    CandidateOut,
    CouncilOut,
    ElectionDetail,
    ElectionForm,
    ElectionOut,
    ElectionSummary,
    InterestForm,
    InterestOut,
    NominateForm,
    NomineeChoice,
    PositionForm,
    ResultLine,
    ResultsOut,
    SeatOut,
    StaffDesk,
    StandForm,
    TermForm,
    TermOut,
    TurnoutLine,
    TurnoutOut,
    VoterShop,
)
from block_service.council.tables import (
    Approval,
    CouncilTerm,
    Election,
    Interest,
    Nomination,
    Seat,
    ShopVoted,
    Tally,
)
from block_service.db import engine, is_sqlite, is_unique_violation, write_transaction
from block_service.errors import Conflict, Forbidden, FormInvalid, Invalid, NotFound
from block_service.groups.services import groups_of_shops, list_groups
from block_service.i18n import gettext as _
from block_service.pagination import Page, clamp, paginate
from block_service.shops.tables import Shop, ShopMerchant

LIVE = ("proposed", "accepted")
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


def _parse_date(text: str | None, field: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Invalid("Enter a date as YYYY-MM-DD.", field=field) from None


# ---- terms --------------------------------------------------------------------------------------


def _term_out(row: dict, today: dt.date | None = None) -> TermOut:
    today = today or block_today()
    term = msgspec.convert({key: row[key] for key in ("id", "number", "starts_on", "ends_on", "seats")}, TermOut)
    term.is_current = term.starts_on <= today <= term.ends_on
    term.has_ended = term.ends_on < today
    return term


async def create_term(staff: Viewer, form: TermForm) -> int:
    starts_on = _parse_date(form.starts_on, "starts_on")
    ends_on = _parse_date(form.ends_on, "ends_on")
    assert starts_on and ends_on
    if ends_on <= starts_on:
        raise FormInvalid({"ends_on": _("A term must end after it starts.")})
    try:
        async with write_transaction():
            clash = (
                await CouncilTerm.select(CouncilTerm.number)
                .where((CouncilTerm.starts_on <= ends_on) & (CouncilTerm.ends_on >= starts_on))
                .first()
            )
            if clash:
                raise FormInvalid({"starts_on": _("These dates overlap term %(number)s.", number=clash["number"])})
            rows = await CouncilTerm.insert(
                CouncilTerm(
                    number=form.number,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    seats=form.seats,
                    created_by=staff.person_id,
                    created_at=clock.now(),
                )
            ).returning(CouncilTerm.id)
            term_id = rows[0]["id"]
            await record_change(
                actor_id=staff.person_id,
                action="council_term.created",
                object_type="council_term",
                object_id=term_id,
                after={
                    "number": form.number,
                    "starts_on": form.starts_on,
                    "ends_on": form.ends_on,
                    "seats": form.seats,
                },
            )
    except Exception as error:
        if is_unique_violation(error):
            raise FormInvalid({"number": _("A term with this number exists already.")}) from None
        raise
    return term_id


async def list_terms(page: int = 1) -> Page[TermOut]:
    page, per_page = clamp(page, 20)
    today = block_today()
    return await paginate(
        CouncilTerm.select().order_by(CouncilTerm.number, ascending=False),
        CouncilTerm.count(),
        page,
        per_page,
        lambda row: _term_out(row, today),
    )


async def get_term(term_id: int) -> TermOut:
    row = await CouncilTerm.select().where(CouncilTerm.id == term_id).first()
    if row is None:
        raise NotFound("No such council term.")
    return _term_out(row)


async def current_term() -> TermOut | None:
    today = block_today()
    row = (
        await CouncilTerm.select()
        .where((CouncilTerm.starts_on <= today) & (CouncilTerm.ends_on >= today))
        .order_by(CouncilTerm.starts_on, ascending=False)
        .first()
    )
    return _term_out(row, today) if row else None


async def suggested_term() -> dict[str, str]:
    """Values for the new-term form: the next number, two years from the day after the last term."""
    last = (
        await CouncilTerm.select(CouncilTerm.number, CouncilTerm.ends_on, CouncilTerm.seats)
        .order_by(CouncilTerm.number, ascending=False)
        .first()
    )
    today = block_today()
    starts = max(today, last["ends_on"] + dt.timedelta(days=1)) if last else today
    try:
        ends = starts.replace(year=starts.year + 2) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        ends = dt.date(starts.year + 2, 2, 28)
    return {
        "number": str(last["number"] + 1 if last else 1),
        "starts_on": starts.isoformat(),
        "ends_on": ends.isoformat(),
        "seats": str(last["seats"] if last else 5),
    }


# ---- seats --------------------------------------------------------------------------------------


@functools.cache
def _seat_columns() -> tuple:
    """Built once: Piccolo's joined columns are costly to build for every query."""
    return (
        Seat.id,
        Seat.term.as_alias("term_id"),
        Seat.person.as_alias("person_id"),
        Seat.person.display_name.as_alias("display_name"),
        Seat.shop.as_alias("shop_id"),
        Seat.shop.name.as_alias("shop_name"),
        Seat.shop.house_number.as_alias("house_number"),
        Seat.position,
        Seat.source,
        Seat.reserved_segment.as_alias("reserved_segment_id"),
        Seat.reserved_segment.name_zh.as_alias("reserved_segment_name_zh"),
        Seat.reserved_segment.name_en.as_alias("reserved_segment_name_en"),
        Seat.replaces,
        Seat.started_at,
        Seat.ceased_at,
        Seat.ceased_kind,
        Seat.ceased_reason,
    )


def _position_order(seat: SeatOut) -> tuple:
    return (POSITIONS.index(seat.position) if seat.position in POSITIONS else len(POSITIONS), seat.started_at, seat.id)


async def seats_of_term(term_id: int) -> list[SeatOut]:
    """Every seat of a term, sitting ones first by position, then the ceased ones."""
    rows = await Seat.select(*_seat_columns()).where(Seat.term == term_id).order_by(Seat.id)
    seats = [msgspec.convert(row, SeatOut) for row in rows]
    replaced = {seat.replaces for seat in seats if seat.replaces}
    for seat in seats:
        seat.replaced = seat.id in replaced
    return sorted(seats, key=lambda seat: (seat.ceased_at is not None, _position_order(seat)))


async def is_sitting(person_id: int) -> bool:
    today = block_today()
    return await Seat.exists().where(
        (Seat.person == person_id)
        & Seat.ceased_at.is_null()
        & (Seat.term.starts_on <= today)
        & (Seat.term.ends_on >= today)
    )


async def get_council() -> CouncilOut:
    """The current term, its sitting members with positions, shops, groups and interests, and the elections."""
    term = await current_term()
    members: list[SeatOut] = []
    ceased: list[SeatOut] = []
    if term:
        seats = await seats_of_term(term.id)
        members = [seat for seat in seats if seat.ceased_at is None]
        ceased = [seat for seat in seats if seat.ceased_at is not None]
        groups = await groups_of_shops([seat.shop_id for seat in members])
        interests = await interests_of([seat.person_id for seat in members])
        for seat in members:
            seat.groups = groups.get(seat.shop_id, [])
            seat.interests = interests.get(seat.person_id, [])
    return CouncilOut(
        term=term,
        members=members,
        ceased=ceased,
        empty_seats=max((term.seats if term else 0) - len(members), 0),
        elections=await list_elections(),
    )


async def term_of_seat(seat_id: int) -> int:
    row = await Seat.select(Seat.term).where(Seat.id == seat_id).first()
    if row is None:
        raise NotFound("No such seat.")
    return row["term"]


async def staff_desk(term_id: int | None = None, page: int = 1) -> StaffDesk:
    """Terms a page at a time, their elections, and every seat of the chosen term (the current one by default)."""
    terms = await list_terms(page)
    elections = {}
    if terms.items:
        rows = await Election.select(
            Election.id,
            Election.term.as_alias("term_id"),
            Election.term.number.as_alias("term_number"),
            Election.phase,
            Election.created_at,
        ).where(Election.term.is_in([term.id for term in terms.items]))
        elections = {row["term_id"]: msgspec.convert(row, ElectionSummary) for row in rows}
    term = await get_term(term_id) if term_id else await current_term()
    if term is None and terms.items:
        term = terms.items[0]
    if term and term.id not in elections:
        row = (
            await Election.select(
                Election.id,
                Election.term.as_alias("term_id"),
                Election.term.number.as_alias("term_number"),
                Election.phase,
                Election.created_at,
            )
            .where(Election.term == term.id)
            .first()
        )
        if row:
            elections[term.id] = msgspec.convert(row, ElectionSummary)
    return StaffDesk(terms=terms, elections=elections, term=term, seats=await seats_of_term(term.id) if term else [])


async def _seat_for_change(seat_id: int) -> dict:
    seat = (
        await Seat.select(
            Seat.id,
            Seat.term,
            Seat.person,
            Seat.shop,
            Seat.position,
            Seat.ceased_at,
            Seat.reserved_segment,
            Seat.term.ends_on.as_alias("term_ends_on"),
            Seat.term.seats.as_alias("term_seats"),
        )
        .where(Seat.id == seat_id)
        .first()
    )
    if seat is None:
        raise NotFound("No such seat.")
    return seat


async def assign_position(staff: Viewer, seat_id: int, form: PositionForm) -> None:
    """Staff record a position (as the council decided it); a chair or secretary before them becomes a member."""
    try:
        async with write_transaction():
            seat = await _seat_for_change(seat_id)
            if seat["ceased_at"] is not None:
                raise Conflict("This member has ceased; their seat no longer has a position.")
            if seat["position"] == form.position:
                return
            if form.position in SINGLE_POSITIONS:
                previous = (
                    await Seat.update({Seat.position: "member"})
                    .where((Seat.term == seat["term"]) & (Seat.position == form.position) & Seat.ceased_at.is_null())
                    .returning(Seat.id)
                )
                for row in previous:
                    await record_change(
                        actor_id=staff.person_id,
                        action="council_seat.position",
                        object_type="council_seat",
                        object_id=row["id"],
                        before={"position": form.position},
                        after={"position": "member"},
                    )
            await Seat.update({Seat.position: form.position}).where(Seat.id == seat_id)
            await record_change(
                actor_id=staff.person_id,
                action="council_seat.position",
                object_type="council_seat",
                object_id=seat_id,
                before={"position": seat["position"]},
                after={"position": form.position},
            )
    except Exception as error:
        if is_unique_violation(error):
            raise Conflict("Someone else changed the positions at the same moment. Reload and check.") from None
        raise


async def resign_seat(viewer: Viewer, seat_id: int, reason: str) -> None:
    """A member gives up their own seat, with a reason the council page shows."""
    await _cease(viewer, seat_id, reason, kind="resigned")


async def remove_seat(staff: Viewer, seat_id: int, reason: str) -> None:
    """Staff remove a member, with a reason the council page shows."""
    await _cease(staff, seat_id, reason, kind="removed")


async def _cease(actor: Viewer, seat_id: int, reason: str, kind: str) -> None:
    async with write_transaction():
        seat = await _seat_for_change(seat_id)
        if kind == "resigned" and seat["person"] != actor.person_id:
            raise Forbidden("Only the member themself may resign their seat.")
        if seat["ceased_at"] is not None:
            raise Conflict("This member has already ceased.")
        await Seat.update(
            {
                Seat.ceased_at: clock.now(),
                Seat.ceased_kind: kind,
                Seat.ceased_reason: reason,
                Seat.ceased_by: actor.person_id,
            }
        ).where(Seat.id == seat_id)
        await record_change(
            actor_id=actor.person_id,
            action=f"council_seat.{kind}",
            object_type="council_seat",
            object_id=seat_id,
            before={"person": seat["person"], "position": seat["position"]},
            after={"ceased": kind, "reason": reason},
        )


async def fill_seat(staff: Viewer, seat_id: int) -> int:
    """A ceased member's seat goes to the next runner-up of the term's election (see counting.py)."""
    try:
        async with write_transaction():
            seat = await _seat_for_change(seat_id)
            if seat["ceased_at"] is None:
                raise Conflict("This seat is still held; only a ceased member's seat can be filled.")
            if seat["term_ends_on"] < block_today():
                raise Conflict("This term has ended.")
            if await Seat.exists().where(Seat.replaces == seat_id):
                raise Conflict("This seat has already been filled.")
            election = (
                await Election.select(Election.id, Election.results)
                .where((Election.term == seat["term"]) & (Election.phase == "closed"))
                .first()
            )
            if election is None or not election["results"]:
                raise Conflict("This term has no counted election to take runners-up from.")
            results = msgspec.json.decode(election["results"])
            runners = [msgspec.convert(item, Placement) for item in results["runners_up"]]
            nominations = await _nomination_facts(election["id"])
            seated = {row["person"] for row in await Seat.select(Seat.person).where(Seat.term == seat["term"])}
            taken = {nid for nid, facts in nominations.items() if facts["nominee"] in seated or not facts["eligible"]}
            chosen = next_runner_up(runners, taken, seat["reserved_segment"])
            if chosen is None:
                raise Conflict("No runner-up is left: the seat stays empty until the next election.")
            facts = nominations[chosen.candidate_id]
            keeps_reservation = seat["reserved_segment"] is not None and chosen.segment_id == seat["reserved_segment"]
            rows = await Seat.insert(
                Seat(
                    term=seat["term"],
                    person=facts["nominee"],
                    shop=facts["shop"],
                    source="runner_up",
                    election=election["id"],
                    reserved_segment=seat["reserved_segment"] if keeps_reservation else None,
                    replaces=seat_id,
                    started_at=clock.now(),
                )
            ).returning(Seat.id)
            new_id = rows[0]["id"]
            await record_change(
                actor_id=staff.person_id,
                action="council_seat.filled",
                object_type="council_seat",
                object_id=new_id,
                after={"replaces": seat_id, "person": facts["nominee"], "nomination": chosen.candidate_id},
            )
    except Exception as error:
        if is_unique_violation(error):
            raise Conflict("This seat has already been filled.") from None
        raise
    return new_id


# ---- elections: reading -------------------------------------------------------------------------


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


async def list_elections(limit: int = 20) -> list[ElectionSummary]:
    rows = (
        await Election.select(
            Election.id,
            Election.term.as_alias("term_id"),
            Election.term.number.as_alias("term_number"),
            Election.phase,
            Election.created_at,
        )
        .order_by(Election.id, ascending=False)
        .limit(limit)
    )
    return [msgspec.convert(row, ElectionSummary) for row in rows]


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


async def _nominee_choices(election_id: int, viewer: Viewer) -> list[NomineeChoice]:
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
    return [msgspec.convert(row, NomineeChoice) for row in rows]


# ---- elections: changes -------------------------------------------------------------------------


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
            raise FormInvalid({end: _("This date comes before the one it follows.")})
    try:
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
    except Exception as error:
        if is_unique_violation(error):
            raise Conflict("This term already has an election.") from None
        raise
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
    try:
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
    except Exception as error:
        if is_unique_violation(error):
            raise Conflict("You or your shop already stand in this election.") from None
        raise
    return nomination_id


async def nominate(viewer: Viewer, election_id: int, form: NominateForm) -> int:
    """A merchant of one shop nominates a merchant of another; it counts once the nominee accepts."""
    shop_id, person_id = (int(part) for part in form.nominee.split(":"))
    if person_id == viewer.person_id:
        raise Invalid("To stand yourself, use the form for standing as a candidate.", field="nominee")
    try:
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
    except Exception as error:
        if is_unique_violation(error):
            raise Conflict("This merchant or their shop already stands in this election.") from None
        raise
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
    try:
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
    except Exception as error:
        if is_unique_violation(error):
            raise _already_voted() from None
        raise


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


# ---- conflicts of interest ----------------------------------------------------------------------


async def declare_interest(viewer: Viewer, form: InterestForm) -> int:
    """A sitting member declares an interest in a shop, thread or proposal; they sit out its votes."""
    if not await is_sitting(viewer.person_id):
        raise Forbidden("Only sitting council members declare interests here.")
    if form.object_type == "shop" and not await Shop.exists().where(Shop.id == form.object_id):
        raise Invalid("There is no shop with this number.", field="object_id")
    try:
        async with write_transaction():
            if await has_declared_interest(viewer.person_id, form.object_type, form.object_id):
                raise Conflict("You have already declared an interest in this.")
            rows = await Interest.insert(
                Interest(
                    person=viewer.person_id,
                    object_type=form.object_type,
                    object_id=form.object_id,
                    note=form.note,
                    declared_at=clock.now(),
                )
            ).returning(Interest.id)
            interest_id = rows[0]["id"]
            await record_change(
                actor_id=viewer.person_id,
                action="interest.declared",
                object_type="interest",
                object_id=interest_id,
                after=msgspec.to_builtins(form),
            )
    except Exception as error:
        if is_unique_violation(error):
            raise Conflict("You have already declared an interest in this.") from None
        raise
    return interest_id


async def withdraw_interest(viewer: Viewer, interest_id: int) -> None:
    async with write_transaction():
        row = await Interest.select(Interest.person, Interest.withdrawn_at).where(Interest.id == interest_id).first()
        if row is None:
            raise NotFound("No such declaration.")
        if row["person"] != viewer.person_id:
            raise Forbidden("Only the member who declared it may withdraw a declaration.")
        if row["withdrawn_at"] is not None:
            raise Conflict("This declaration has already been withdrawn.")
        await Interest.update({Interest.withdrawn_at: clock.now()}).where(Interest.id == interest_id)
        await record_change(
            actor_id=viewer.person_id, action="interest.withdrawn", object_type="interest", object_id=interest_id
        )


async def has_declared_interest(person_id: int, object_type: str, object_id: int) -> bool:
    """For votes on an item: True when this person declared an interest in it and has not withdrawn it."""
    return await Interest.exists().where(
        (Interest.person == person_id)
        & (Interest.object_type == object_type)
        & (Interest.object_id == object_id)
        & Interest.withdrawn_at.is_null()
    )


async def interests_of(person_ids: list[int]) -> dict[int, list[InterestOut]]:
    """Declared interests per person (two statements: the declarations, then the names of the shops)."""
    if not person_ids:
        return {}
    rows = (
        await Interest.select(
            Interest.id,
            Interest.person.as_alias("person_id"),
            Interest.person.display_name.as_alias("display_name"),
            Interest.object_type,
            Interest.object_id,
            Interest.note,
            Interest.declared_at,
        )
        .where(Interest.person.is_in(sorted(set(person_ids))) & Interest.withdrawn_at.is_null())
        .order_by(Interest.id)
    )
    shop_ids = sorted({row["object_id"] for row in rows if row["object_type"] == "shop"})
    names = {}
    if shop_ids:
        names = {row["id"]: row["name"] for row in await Shop.select(Shop.id, Shop.name).where(Shop.id.is_in(shop_ids))}
    interests: dict[int, list[InterestOut]] = {}
    for row in rows:
        label = names.get(row["object_id"], "") if row["object_type"] == "shop" else ""
        interests.setdefault(row["person_id"], []).append(InterestOut(**row, object_label=label))
    return interests


# ---- a deleted account ---------------------------------------------------------------------------


async def release_council_places_of(person_id: int) -> None:
    """Inside the caller's transaction: a deleted account's sitting seats cease (as a resignation, so staff
    may fill them from the runners-up), its live nominations in elections still nominating are withdrawn
    and its declared interests end. The history stays, under the label "a former merchant"."""
    now = clock.now()
    await Seat.update(
        {Seat.ceased_at: now, Seat.ceased_kind: "resigned", Seat.ceased_reason: "", Seat.ceased_by: person_id}
    ).where((Seat.person == person_id) & Seat.ceased_at.is_null())
    await Nomination.update({Nomination.status: "withdrawn"}).where(
        (Nomination.nominee == person_id)
        & Nomination.status.is_in(["proposed", "accepted"])
        & Nomination.election.is_in(Election.select(Election.id).where(Election.phase == "nominating"))
    )
    await Interest.update({Interest.withdrawn_at: now}).where(
        (Interest.person == person_id) & Interest.withdrawn_at.is_null()
    )
