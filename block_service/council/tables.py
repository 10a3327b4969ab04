"""Tables of the council: terms, seats, elections, nominations, ballots (kept secret) and interests.

Ballot secrecy: `ShopVoted` (the voter roll) records THAT a shop voted; `Approval` holds what ballots
approved, one row per approved candidate under a random key, with no shop, person, time or ballot
number; `Tally` is filled from the approvals only when voting closes, and the close rewrites the
approvals in the order of fresh random keys. A copy of the database taken after the count therefore
links no shop to its choices (see council.services.cast_ballot and close_election for what remains).
"""

from piccolo.columns import Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from block_service.accounts.tables import Person
from block_service.shops.tables import Segment, Shop


class CouncilTerm(Table, tablename="council_term"):
    number = Integer(unique=True)
    starts_on = Date(index=True)
    ends_on = Date(index=True)
    seats = Integer()
    created_by = ForeignKey(references=Person, null=True, default=None)
    created_at = Timestamptz()


class Election(Table, tablename="council_election"):
    """Phases, changed only by staff: nominating -> voting -> closed (counted); turnout published after."""

    term = ForeignKey(references=CouncilTerm, unique=True)
    phase = Varchar(length=12, default="nominating", index=True)
    nomination_starts_on = Date(null=True, default=None)
    nomination_ends_on = Date(null=True, default=None)
    voting_starts_on = Date(null=True, default=None)
    voting_ends_on = Date(null=True, default=None)
    # The count (JSON): elected in order, runners-up in order, empty seats.
    results = Text(default="")
    # Turnout per group and in total (JSON), computed at closing, shown once published.
    turnout = Text(default="")
    created_by = ForeignKey(references=Person, null=True, default=None)
    created_at = Timestamptz(index=True)
    voting_opened_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    turnout_published_at = Timestamptz(null=True, default=None)


class Nomination(Table, tablename="council_nomination"):
    """A merchant standing for a shop. Live (proposed or accepted) ones are unique per person and per shop."""

    election = ForeignKey(references=Election, index=True)
    nominee = ForeignKey(references=Person, index=True)
    shop = ForeignKey(references=Shop, index=True)
    nominated_by = ForeignKey(references=Person, null=True, default=None)
    note = Text(default="")
    statement = Text(default="")
    status = Varchar(length=10, default="proposed", index=True)
    created_at = Timestamptz()
    accepted_at = Timestamptz(null=True, default=None)


class Tally(Table, tablename="council_tally"):
    """Votes per candidate: zero while voting is open, counted from the approvals when it closes."""

    election = ForeignKey(references=Election, index=True)
    nomination = ForeignKey(references=Nomination, unique=True)
    votes = Integer(default=0)


class Approval(Table, tablename="council_approval"):
    """One approval of one candidate on a secret ballot. The key is random (SQLite: a WITHOUT ROWID table,
    so rows are stored in key order); there is deliberately no shop, person, time or ballot number."""

    id = Varchar(length=32, primary_key=True)
    election = ForeignKey(references=Election, index=True)
    nomination = ForeignKey(references=Nomination, index=True)


class ShopVoted(Table, tablename="council_shop_voted"):
    """That a shop voted (never how). (election, shop) is unique: one ballot per shop."""

    election = ForeignKey(references=Election, index=True)
    shop = ForeignKey(references=Shop, index=True)


class Seat(Table, tablename="council_seat"):
    """A merchant's seat for a term. Sitting = the term is current and the seat has not ceased."""

    term = ForeignKey(references=CouncilTerm, index=True)
    person = ForeignKey(references=Person, index=True)
    shop = ForeignKey(references=Shop, index=True)
    position = Varchar(length=12, default="member")
    source = Varchar(length=12, default="election")
    election = ForeignKey(references=Election, null=True, default=None)
    # The regional group this seat was reserved for at the count; a runner-up from there fills it first.
    reserved_segment = ForeignKey(references=Segment, null=True, default=None)
    # The ceased seat this one fills (at most one filling per ceased seat).
    replaces = Integer(null=True, default=None, unique=True)
    started_at = Timestamptz()
    ceased_at = Timestamptz(null=True, default=None, index=True)
    ceased_kind = Varchar(length=10, default="")
    ceased_reason = Text(default="")
    ceased_by = ForeignKey(references=Person, null=True, default=None)


class Interest(Table, tablename="council_interest"):
    """A council member's declared interest in a shop, thread or proposal; it keeps them out of its votes."""

    person = ForeignKey(references=Person, index=True)
    object_type = Varchar(length=10)
    object_id = Integer()
    note = Text(default="")
    declared_at = Timestamptz()
    withdrawn_at = Timestamptz(null=True, default=None)
