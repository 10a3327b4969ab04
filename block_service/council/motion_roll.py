"""A motion's roll as it stands: who counts as eligible now, the tally, whether everyone has voted."""

from __future__ import annotations

from block_service.council.motion_schemas import Tally
from block_service.council.motion_tables import MotionMember, MotionVote


class RollState:
    """The roll with the current votes: who counts as eligible now, the tally, whether everyone voted."""

    def __init__(self, members: list[dict], votes: dict[int, str]) -> None:
        self.members = members
        self.votes = votes
        self.eligible = [
            member["person"]
            for member in members
            if member["status"] == "eligible" and (member["ceased_at"] is None or member["person"] in votes)
        ]

    def tally(self) -> Tally:
        choices = [self.votes[person] for person in self.eligible if person in self.votes]
        return Tally(
            eligible=len(self.eligible),
            yes=choices.count("yes"),
            no=choices.count("no"),
            abstain=choices.count("abstain"),
        )

    @property
    def everyone_voted(self) -> bool:
        return bool(self.eligible) and all(person in self.votes for person in self.eligible)

    @property
    def not_voted(self) -> list[int]:
        return [person for person in self.eligible if person not in self.votes]


async def roll_state(motion_id: int) -> RollState:
    members = await MotionMember.select(
        MotionMember.person,
        MotionMember.status,
        MotionMember.seat.ceased_at.as_alias("ceased_at"),
    ).where(MotionMember.motion == motion_id)
    votes = await MotionVote.select(MotionVote.person, MotionVote.choice).where(MotionVote.motion == motion_id)
    return RollState(members, {row["person"]: row["choice"] for row in votes})
