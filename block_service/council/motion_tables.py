"""Tables of council motions: the motion, who may vote on it (its roll), the current votes and their history.

One current vote per member and motion: (motion, person) is unique in `MotionVote` (a raw index in the
migration), and a changed vote updates that row in place while `MotionVoteChange` keeps every vote cast.
"""

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from block_service.accounts.tables import Person
from block_service.council.tables import CouncilTerm, Seat


class Motion(Table, tablename="council_motion"):
    """A question put to the council. status: scheduled -> open -> closed (result once closed), or withdrawn
    before any vote."""

    term = ForeignKey(references=CouncilTerm, index=True)
    title = Varchar(length=200)
    text = Text(default="")
    # proposal (approve a proposal), position, funds (spending the autonomous funds), rule (a rule of the block)
    kind = Varchar(length=10, default="position")
    quorum = Varchar(length=12, default="half")
    rule = Varchar(length=12, default="simple")
    # Plans and meetings are other domains: plain ids (plans sits below, meetings above the council).
    proposal_id = Integer(null=True, default=None, index=True)
    plan_id = Integer(null=True, default=None, index=True)  # the proposal's plan, for the plan pages
    agenda_item_id = Integer(null=True, default=None, index=True)
    size = Varchar(length=8, default="")  # large | small | mini (a motion on a proposal)
    budget_cap = Integer(null=True, default=None)  # yuan
    status = Varchar(length=10, default="open", index=True)
    opens_at = Timestamptz()
    closes_at = Timestamptz(index=True)
    opened_by = ForeignKey(references=Person, null=True, default=None)
    created_at = Timestamptz()
    reminded_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    close_reason = Varchar(length=10, default="")  # deadline | all_voted
    result = Varchar(length=10, default="")  # passed | rejected | no_quorum
    eligible_count = Integer(default=0)
    yes_count = Integer(default=0)
    no_count = Integer(default=0)
    abstain_count = Integer(default=0)
    withdrawn_reason = Text(default="")  # status "withdrawn": the chair or staff took it back before any vote


class MotionMember(Table, tablename="council_motion_member"):
    """A member sitting when the motion opened. status: eligible | interest (a declared interest) | recused.
    (motion, person) is unique."""

    motion = ForeignKey(references=Motion, index=True)
    person = ForeignKey(references=Person, index=True)
    seat = ForeignKey(references=Seat, null=True, default=None)
    status = Varchar(length=10, default="eligible")
    reason = Text(default="")
    changed_at = Timestamptz()


class MotionVote(Table, tablename="council_motion_vote"):
    """A member's current vote (yes | no | abstain); (motion, person) is unique, changes update the row."""

    motion = ForeignKey(references=Motion, index=True)
    person = ForeignKey(references=Person, index=True)
    choice = Varchar(length=8)
    cast_at = Timestamptz()
    changes = Integer(default=0)


class MotionVoteChange(Table, tablename="council_motion_vote_change"):
    """Every vote cast, in order: the history behind a changed vote."""

    motion = ForeignKey(references=Motion, index=True)
    person = ForeignKey(references=Person, index=True)
    choice = Varchar(length=8)
    cast_at = Timestamptz()
