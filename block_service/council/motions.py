"""Opening council motions: who may open one, its times and rules, and the roll of members who vote on it.

The roll is fixed when the motion opens: the members sitting then, each marked `eligible`, or `interest`
when they declared an interest in the proposal, one of its shops or one of its threads (they sit the vote
out). Later a member may recuse themself (`recused`, with a reason) before voting. See motion_votes.py for
voting and for the rule on a seat that ends while the motion is open, motion_closing.py for the close.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.clock import BLOCK_TIMEZONE, now
from block_service.council.motion_links import proposal_facts, put_on_agenda
from block_service.council.motion_notices import notify
from block_service.council.motion_schemas import MotionForm
from block_service.council.motion_tables import Motion, MotionMember
from block_service.council.services import current_term, has_declared_interest, seats_of_term
from block_service.council.tables import CouncilTerm, Seat
from block_service.db import write_transaction
from block_service.errors import Conflict, Forbidden, Invalid

# A motion stays open at least this long, so every member can be told and answer.
SHORTEST_VOTE = dt.timedelta(hours=1)


async def is_chair(person_id: int | None) -> bool:
    """The sitting chair (理事长) of the current term."""
    if person_id is None:
        return False
    term = await current_term()
    if term is None:
        return False
    return await Seat.exists().where(
        (Seat.person == person_id) & (Seat.term == term.id) & (Seat.position == "chair") & Seat.ceased_at.is_null()
    )


async def may_open_motions(viewer: Viewer) -> bool:
    return viewer.is_staff or await is_chair(viewer.person_id)


def parse_local(text: str, field: str) -> dt.datetime:
    """A moment typed in the block's time (YYYY-MM-DDTHH:MM), as UTC."""
    try:
        moment = dt.datetime.fromisoformat(text.replace(" ", "T")[:16])
    except ValueError:
        raise Invalid("Enter a date and time as YYYY-MM-DD HH:MM.", field=field) from None
    return moment.replace(tzinfo=BLOCK_TIMEZONE).astimezone(dt.UTC)


def _term_end(ends_on: dt.date) -> dt.datetime:
    """The last moment of a term: midnight after its last day, in the block's time."""
    return dt.datetime.combine(ends_on + dt.timedelta(days=1), dt.time(), tzinfo=BLOCK_TIMEZONE).astimezone(dt.UTC)


async def _checked_times(form: MotionForm, moment: dt.datetime, ends_on: dt.date) -> tuple[dt.datetime, dt.datetime]:
    opens_at = parse_local(form.opens_at, "opens_at") if form.opens_at else moment
    opens_at = max(opens_at, moment)  # a time already past means now
    closes_at = parse_local(form.closes_at, "closes_at")
    if closes_at <= opens_at:
        raise Invalid("The vote must close after it opens.", field="closes_at")
    if closes_at - opens_at < SHORTEST_VOTE:
        raise Invalid("Leave the vote open for at least an hour.", field="closes_at")
    if closes_at > _term_end(ends_on):
        raise Invalid("The vote must close before the council's term ends.", field="closes_at")
    return opens_at, closes_at


def _checked_kind(form: MotionForm) -> None:
    if form.kind == "proposal":
        if form.proposal_id is None:
            raise Invalid("Choose the proposal this motion decides.", field="proposal_id")
        if not form.size:
            raise Invalid("Choose the project size: large, small or mini.", field="size")
    elif form.proposal_id is not None:
        raise Invalid("Only a motion on a proposal names a proposal.", field="proposal_id")


async def open_motion(actor: Viewer, form: MotionForm, *, agenda_item_id: int | None = None) -> int:
    """The chair or staff put a question to the council of the current term; returns the motion's id.

    A motion on a proposal puts the proposal on the council's agenda (refused unless it is under
    deliberation). When the opening time is now, the roll is drawn and the members are told at once;
    a later opening is done by the scheduled task (motion_closing.open_due_motions)."""
    if not await may_open_motions(actor):
        raise Forbidden("Only the council's chair or staff open a motion.")
    term = await current_term()
    if term is None:
        raise Conflict("There is no sitting council: a motion needs a current term.")
    _checked_kind(form)
    moment = now()
    opens_at, closes_at = await _checked_times(form, moment, term.ends_on)
    facts = await proposal_facts(form.proposal_id) if form.proposal_id else None
    opens_now = opens_at <= moment
    async with write_transaction():
        rows = await Motion.insert(
            Motion(
                term=term.id,
                title=form.title,
                text=form.text,
                kind=form.kind,
                quorum=form.quorum,
                rule=form.rule,
                proposal_id=form.proposal_id,
                agenda_item_id=agenda_item_id,
                size=form.size if form.kind == "proposal" else "",
                budget_cap=form.budget_cap,
                status="open" if opens_now else "scheduled",
                opens_at=opens_at,
                closes_at=closes_at,
                opened_by=actor.person_id,
                created_at=moment,
            )
        ).returning(Motion.id)
        motion_id = rows[0]["id"]
        if form.proposal_id:
            await put_on_agenda(form.proposal_id, motion_id, actor_id=actor.person_id, now=moment)
        await record_change(
            actor_id=actor.person_id,
            action="motion.opened" if opens_now else "motion.scheduled",
            object_type="motion",
            object_id=motion_id,
            after={**msgspec.to_builtins(form), "agenda_item_id": agenda_item_id, "term": term.id},
        )
        if opens_now:
            await draw_roll(motion_id, term.id, facts, moment)
    return motion_id


def _interest_objects(facts: Any) -> list[tuple[str, int]]:
    """What a member may have declared an interest in: the proposal, its shops and its threads."""
    if facts is None:
        return []
    return (
        [("proposal", facts.id)]
        + [("shop", shop_id) for shop_id in facts.shop_ids]
        + [("thread", thread_id) for thread_id in facts.thread_ids]
    )


async def _has_interest(person_id: int, objects: list[tuple[str, int]]) -> bool:
    for object_type, object_id in objects:
        if await has_declared_interest(person_id, object_type, object_id):
            return True
    return False


async def draw_roll(motion_id: int, term_id: int, facts: Any, moment: dt.datetime) -> list[int]:
    """Inside the caller's transaction: the roll of the members sitting now, and the opening notice to the
    eligible ones. Returns the eligible members' ids."""
    objects = _interest_objects(facts)
    eligible: list[int] = []
    members = []
    for seat in await seats_of_term(term_id):
        if seat.ceased_at is not None:
            continue
        interest = await _has_interest(seat.person_id, objects)
        members.append(
            MotionMember(
                motion=motion_id,
                person=seat.person_id,
                seat=seat.id,
                status="interest" if interest else "eligible",
                changed_at=moment,
            )
        )
        if not interest:
            eligible.append(seat.person_id)
    if members:
        await MotionMember.insert(*members)
    await Motion.update({Motion.eligible_count: len(eligible)}).where(Motion.id == motion_id)
    await notify(eligible, motion_id, "opened", now=moment)
    return eligible


async def term_is_current(term_id: int) -> bool:
    term = await current_term()
    return term is not None and term.id == term_id


async def term_number(term_id: int) -> int:
    row = await CouncilTerm.select(CouncilTerm.number).where(CouncilTerm.id == term_id).first()
    return row["number"] if row else 0
