"""The open data files of threads, proposals, motions and their roll-calls, meetings and the plan indicators.

What leaves out people: no author, reporter, supporter, convener, voter or assignee, no names or contacts; a
thread's anonymity is not exported either, so anonymous and named threads look alike. Hidden threads, group
discussions, drafts, and the votes of motions still open are not published at all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from block_service.council.motion_tables import Motion, MotionMember
from block_service.i18n import N_
from block_service.insights.indicators import all_plan_indicators
from block_service.insights.opendata import BATCH, Field, keyset_batches, open_file
from block_service.meetings.tables import Meeting
from block_service.plans.tables import Proposal
from block_service.threads.tables import Thread

ID = Field("id", "integer", "Number of the record on the workstation (its page's address)")


def _values(*names: str):
    return lambda row: tuple(row[name] for name in names)


THREAD_FIELDS = [
    ID,
    Field("kind", "string", "report (a resident's doorstep report) or issue (a merchant's matter for the block)"),
    Field("category", "string", "Category slug"),
    Field("segment", "string", "Slug of the road segment"),
    Field("shop_id", "integer", "The shop it concerns, if any"),
    Field("title", "string", "Title as published"),
    Field("status", "string", "new, acknowledged, in_progress, resolved, closed, rejected, duplicate or reopened"),
    Field("metoo_count", "integer", "People who said they have the same problem"),
    Field("message_count", "integer", "Answers and steps"),
    Field("created_at", "datetime", "Reported (UTC)"),
    Field("due_at", "datetime", "Response deadline (UTC)"),
    Field("acknowledged_at", "datetime", "Acknowledged by staff (UTC)"),
    Field("resolved_at", "datetime", "Marked resolved (UTC)"),
    Field("closed_at", "datetime", "Closed, rejected or marked duplicate (UTC)"),
]


@open_file("threads.csv", N_("Reports and issues"), THREAD_FIELDS)
async def thread_rows() -> AsyncIterator[list[tuple]]:
    def build(after: int):
        return (
            Thread.select(
                Thread.id,
                Thread.kind,
                Thread.category.slug.as_alias("category"),
                Thread.segment.slug.as_alias("segment"),
                Thread.shop.as_alias("shop_id"),
                Thread.title,
                Thread.status,
                Thread.metoo_count,
                Thread.message_count,
                Thread.created_at,
                Thread.due_at,
                Thread.acknowledged_at,
                Thread.resolved_at,
                Thread.closed_at,
            )
            .where((Thread.visibility == "public") & (Thread.hidden == False) & (Thread.id > after))  # noqa: E712
            .order_by(Thread.id)
            .limit(BATCH)
        )

    async for batch in keyset_batches(build, _values(*(field.name for field in THREAD_FIELDS))):
        yield batch


PROPOSAL_FIELDS = [
    ID,
    Field("plan", "string", "Slug of the action plan"),
    Field("title", "string", "Title"),
    Field("size", "string", "large, small or mini"),
    Field("cost_yuan", "integer", "Estimated cost in yuan"),
    Field("status", "string", "submitted, deliberation, declined, merged, on_agenda, passed, rejected or withdrawn"),
    Field("segment", "string", "Slug of the road segment, if any"),
    Field("support_count", "integer", "People supporting it"),
    Field("shop_count", "integer", "Distinct shops among the supporters"),
    Field("motion_id", "integer", "The council motion deciding it"),
    Field("project_id", "integer", "The project carrying it out"),
    Field("created_at", "datetime", "Filed (UTC)"),
    Field("submitted_at", "datetime", "Submitted (UTC)"),
    Field("ready_at", "datetime", "Reached the plan's thresholds (UTC)"),
    Field("changed_at", "datetime", "Last step (UTC)"),
]


@open_file("proposals.csv", N_("Proposals"), PROPOSAL_FIELDS)
async def proposal_rows() -> AsyncIterator[list[tuple]]:
    def build(after: int):
        return (
            Proposal.select(
                Proposal.id,
                Proposal.plan.slug.as_alias("plan"),
                Proposal.title,
                Proposal.size,
                Proposal.cost_yuan,
                Proposal.status,
                Proposal.segment.slug.as_alias("segment"),
                Proposal.support_count,
                Proposal.shop_count,
                Proposal.motion_id,
                Proposal.project_id,
                Proposal.created_at,
                Proposal.submitted_at,
                Proposal.ready_at,
                Proposal.changed_at,
            )
            .where((Proposal.status != "draft") & (Proposal.id > after))
            .order_by(Proposal.id)
            .limit(BATCH)
        )

    async for batch in keyset_batches(build, _values(*(field.name for field in PROPOSAL_FIELDS))):
        yield batch


MOTION_FIELDS = [
    ID,
    Field("term", "integer", "Council term number"),
    Field("title", "string", "Title"),
    Field("kind", "string", "proposal, position, funds or rule"),
    Field("proposal_id", "integer", "The proposal it decides, if any"),
    Field("size", "string", "Project size it sets (large, small, mini)"),
    Field("budget_cap_yuan", "integer", "Budget cap in yuan"),
    Field("status", "string", "scheduled, open or closed"),
    Field("opens_at", "datetime", "Voting opens (UTC)"),
    Field("closes_at", "datetime", "Voting closes (UTC)"),
    Field("closed_at", "datetime", "Closed (UTC)"),
    Field("result", "string", "passed, rejected or no_quorum (once closed)"),
    Field("eligible_count", "integer", "Members who could vote (once closed)"),
    Field("yes_count", "integer", "Yes votes (once closed)"),
    Field("no_count", "integer", "No votes (once closed)"),
    Field("abstain_count", "integer", "Abstentions (once closed)"),
]
_COUNTS = ("eligible_count", "yes_count", "no_count", "abstain_count")


def _motion_row(row: dict) -> tuple:
    closed = row["status"] == "closed"
    return tuple(
        (row[field.name] if closed else None) if field.name in _COUNTS else row[field.name] for field in MOTION_FIELDS
    )


@open_file("motions.csv", N_("Council motions"), MOTION_FIELDS)
async def motion_rows() -> AsyncIterator[list[tuple]]:
    def build(after: int):
        return (
            Motion.select(
                Motion.id,
                Motion.term.number.as_alias("term"),
                Motion.title,
                Motion.kind,
                Motion.proposal_id,
                Motion.size,
                Motion.budget_cap.as_alias("budget_cap_yuan"),
                Motion.status,
                Motion.opens_at,
                Motion.closes_at,
                Motion.closed_at,
                Motion.result,
                *(getattr(Motion, name) for name in _COUNTS),
            )
            .where(Motion.id > after)
            .order_by(Motion.id)
            .limit(BATCH)
        )

    async for batch in keyset_batches(build, _motion_row):
        yield batch


ROLL_CALL_FIELDS = [
    ID,
    Field("motion_id", "integer", "The motion"),
    Field("seat_id", "integer", "The council seat (a merchant's seat for the term), not a person"),
    Field("member_status", "string", "eligible, interest (declared an interest) or recused"),
    Field("choice", "string", "yes, no, abstain, or empty when the member did not vote"),
]


@open_file("roll_calls.csv", N_("Roll-calls of closed motions"), ROLL_CALL_FIELDS)
async def roll_call_rows() -> AsyncIterator[list[tuple]]:
    """Seat by seat, only for closed motions: the votes of a motion still open are never published."""

    def build(after: int):
        return (
            MotionMember.select(
                MotionMember.id,
                MotionMember.motion.as_alias("motion_id"),
                MotionMember.seat.as_alias("seat_id"),
                MotionMember.status.as_alias("member_status"),
            )
            .where((MotionMember.motion.status == "closed") & (MotionMember.id > after))
            .order_by(MotionMember.id)
            .limit(BATCH)
        )

    async for batch in keyset_batches(
        build, lambda row: (row["id"], row["motion_id"], row["seat_id"], row["member_status"])
    ):
        choices = await _choices([row[0] for row in batch])
        yield [row + (choices.get(row[0], ""),) for row in batch]


async def _choices(member_ids: list[int]) -> dict[int, str]:
    """The vote of each roll-call row (member of a closed motion): one statement per batch."""
    if not member_ids:
        return {}
    rows = await MotionMember.raw(
        "SELECT mm.id AS id, v.choice AS choice FROM council_motion_member mm JOIN council_motion_vote v "
        "ON v.motion = mm.motion AND v.person = mm.person JOIN council_motion m ON m.id = mm.motion "
        f"WHERE m.status = 'closed' AND mm.id IN ({', '.join('{}' for _ in member_ids)})",
        *member_ids,
    )
    return {row["id"]: row["choice"] for row in rows}


MEETING_FIELDS = [
    ID,
    Field("kind", "string", "hearing, coordination, evaluation or council"),
    Field("title", "string", "Title"),
    Field("starts_at", "datetime", "Starts (UTC)"),
    Field("ends_at", "datetime", "Ends (UTC)"),
    Field("place", "string", "Where"),
    Field("open_to_residents", "boolean", "Anyone signed in may come"),
    Field("capacity", "integer", "Places, if limited"),
    Field("going", "integer", "People who said they will come"),
    Field("proposal_id", "integer", "A hearing's proposal"),
    Field("thread_id", "integer", "A coordination meeting's thread"),
    Field("minutes_published_at", "datetime", "Minutes published (UTC)"),
]


@open_file("meetings.csv", N_("Meetings"), MEETING_FIELDS)
async def meeting_rows() -> AsyncIterator[list[tuple]]:
    def build(after: int):
        columns = [getattr(Meeting, field.name) for field in MEETING_FIELDS]
        return Meeting.select(*columns).where(Meeting.id > after).order_by(Meeting.id).limit(BATCH)

    async for batch in keyset_batches(build, _values(*(field.name for field in MEETING_FIELDS))):
        yield batch


INDICATOR_FIELDS = [
    Field("plan", "string", "Slug of the action plan"),
    Field("month", "string", "Calendar month in Shanghai time (YYYY-MM)"),
    Field("figure", "string", "Which indicator (see the plan's page)"),
    Field("unit", "string", "count, days, percent or yuan"),
    Field("value", "number", "The month's value; empty when there was nothing to measure"),
]


@open_file("plan_indicators.csv", N_("Plan indicators, month by month"), INDICATOR_FIELDS)
async def indicator_rows() -> AsyncIterator[list[tuple]]:
    for plan in await all_plan_indicators():
        rows = []
        for series in plan.series:
            rows += [
                (plan.slug, month, series.key, series.unit, value)
                for month, value in zip(series.months, series.values, strict=True)
            ]
        yield rows
