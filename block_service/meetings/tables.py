"""Tables of meetings: the meeting, its agenda, who is invited, who answered, who came, and the minutes.

What an agenda item points at (a thread, proposal or motion) and the meeting's proposal or thread are plain
integers: those domains sit below meetings and never learn about it. Composite unique indexes are raw steps
of the migration (see migrations/block_2026_11_29t05_30_01_000000.py).
"""

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from block_service.accounts.tables import Person


class Meeting(Table, tablename="meeting"):
    kind = Varchar(length=12, index=True)  # hearing | coordination | evaluation | council
    title = Varchar(length=120)
    description = Text(default="")
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    place = Varchar(length=120)
    convener = ForeignKey(references=Person, index=True)
    open_to_residents = Boolean(default=False)
    capacity = Integer(null=True, default=None)  # None: no limit
    # People who said yes; changed only together with their answer, and never above the capacity.
    going = Integer(default=0)
    proposal_id = Integer(null=True, default=None, index=True)  # a hearing's proposal
    thread_id = Integer(null=True, default=None, index=True)  # a coordination meeting's thread
    created_at = Timestamptz()
    minutes_published_at = Timestamptz(null=True, default=None)
    minutes_published_by = ForeignKey(references=Person, null=True, default=None)
    reminded_at = Timestamptz(null=True, default=None, index=True)
    status = Varchar(length=10, default="scheduled")  # scheduled | cancelled
    cancel_reason = Text(default="")
    sequence = Integer(default=0)  # iCalendar SEQUENCE: bumped at every change of time, place or title


class AgendaItem(Table, tablename="meeting_agenda_item"):
    meeting = ForeignKey(references=Meeting, index=True)
    position = Integer()
    title = Varchar(length=120)
    target_type = Varchar(length=10, default="")  # thread | proposal | motion | "" (free text)
    target_id = Integer(null=True, default=None)
    minutes = Text(default="")
    minutes_at = Timestamptz(null=True, default=None)


class Invitee(Table, tablename="meeting_invitee"):
    """A group, shop or person invited. (meeting, invitee_type, invitee_id) is unique."""

    meeting = ForeignKey(references=Meeting, index=True)
    invitee_type = Varchar(length=8)  # group | shop | person
    invitee_id = Integer()


class Rsvp(Table, tablename="meeting_rsvp"):
    """A person's answer, yes or no. (meeting, person) is unique: one answer each, changed in place."""

    meeting = ForeignKey(references=Meeting, index=True)
    person = ForeignKey(references=Person, index=True)
    answer = Varchar(length=4)
    answered_at = Timestamptz()


class Attendance(Table, tablename="meeting_attendance"):
    """Who came (or was absent, or excused), recorded after the meeting: a person or a shop.
    (meeting, attendee_type, attendee_id) is unique."""

    meeting = ForeignKey(references=Meeting, index=True)
    attendee_type = Varchar(length=8)  # person | shop
    attendee_id = Integer()
    status = Varchar(length=8, default="present")  # present | absent | excused (rows older than it: present)
    recorded_by = ForeignKey(references=Person, null=True, default=None)
    recorded_at = Timestamptz()
