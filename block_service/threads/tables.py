"""Tables of threads, their messages, photos, me-toos, flags, mutes and evaluations."""

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from block_service.accounts.tables import Person
from block_service.shops.tables import Segment, Shop


class Category(Table, tablename="category"):
    """What a thread is about; each category has its own response deadline."""

    slug = Varchar(length=40, unique=True)
    kind = Varchar(length=10, index=True)  # report | issue
    name_zh = Varchar(length=60)
    name_en = Varchar(length=80)
    response_hours = Integer(default=24)
    sort_order = Integer(default=0)
    active = Boolean(default=True)
    # Photos of this category reach the public only once staff approve them (faces, number plates).
    photos_need_approval = Boolean(default=False)
    # Gas, fire, injury: the report form says "call 119 / 110 / 120 now" first, and staff see it as urgent.
    emergency = Boolean(default=False)


class ResponseTemplate(Table, tablename="response_template"):
    """A staff answer prepared for a category."""

    category = ForeignKey(references=Category, index=True)
    title = Varchar(length=80)
    body = Text()


class Thread(Table, tablename="thread"):
    kind = Varchar(length=10, index=True)  # report | issue
    title = Varchar(length=80)
    body = Text()
    category = ForeignKey(references=Category, index=True)
    house_number = Varchar(length=30)
    street_number = Integer(index=True)
    segment = ForeignKey(references=Segment, index=True)
    map_x = Integer(null=True, default=None)  # optional point on the block map, 0–1000 along the road
    map_side = Varchar(length=5, default="")  # east | west | ""
    shop = ForeignKey(references=Shop, null=True, default=None, index=True)
    author = ForeignKey(references=Person, index=True)
    anonymous = Boolean(default=False)
    name_to_shop = Boolean(default=False)
    status = Varchar(length=15, default="new", index=True)
    duplicate_of = Integer(null=True, default=None)
    assigned_to = ForeignKey(references=Person, null=True, default=None, index=True)
    visibility = Varchar(length=10, default="public", index=True)  # public | group
    group_id = Integer(null=True, default=None, index=True)
    hidden = Boolean(default=False, index=True)
    hidden_reason = Text(default="")
    flag_count = Integer(default=0)
    metoo_count = Integer(default=0)
    message_count = Integer(default=0)
    photo_count = Integer(default=0)
    created_at = Timestamptz(index=True)
    last_activity_at = Timestamptz(index=True)
    due_at = Timestamptz(index=True)
    acknowledged_at = Timestamptz(null=True, default=None)
    resolved_at = Timestamptz(null=True, default=None, index=True)
    closed_at = Timestamptz(null=True, default=None)


class Message(Table, tablename="message"):
    """An answer, or the record of a status change with its reason."""

    thread = ForeignKey(references=Thread, index=True)
    author = ForeignKey(references=Person, null=True, default=None, index=True)
    kind = Varchar(length=10, default="answer")  # answer | status
    body = Text(default="")
    official = Boolean(default=False)
    status_from = Varchar(length=15, default="")
    status_to = Varchar(length=15, default="")
    hidden = Boolean(default=False)
    hidden_reason = Text(default="")
    flag_count = Integer(default=0)
    created_at = Timestamptz(index=True)


class Photo(Table, tablename="photo"):
    thread = ForeignKey(references=Thread, index=True)
    file_name = Varchar(length=64, unique=True)
    width = Integer()
    height = Integer()
    size_bytes = Integer()
    created_at = Timestamptz()
    # False until staff approve it, in categories that ask for that; the reporter, the shop and staff see it.
    approved = Boolean(default=True)


class MeToo(Table, tablename="me_too"):
    """(thread, person) is unique through a raw index."""

    thread = ForeignKey(references=Thread, index=True)
    person = ForeignKey(references=Person, index=True)
    created_at = Timestamptz()


class Flag(Table, tablename="flag"):
    """A person's flag on a thread or message; (object_type, object_id, person) is unique."""

    object_type = Varchar(length=10)
    object_id = Integer()
    person = ForeignKey(references=Person, index=True)
    reason = Varchar(length=200)
    created_at = Timestamptz()


class Mute(Table, tablename="thread_mute"):
    """(thread, person) is unique through a raw index."""

    thread = ForeignKey(references=Thread, index=True)
    person = ForeignKey(references=Person, index=True)


class Evaluation(Table, tablename="evaluation"):
    """Was it fixed, and how satisfied: one per person and thread (raw unique index)."""

    thread = ForeignKey(references=Thread, index=True)
    person = ForeignKey(references=Person, index=True)
    fixed = Varchar(length=10)  # yes | partly | no
    score = Integer()
    comment = Varchar(length=500, default="")
    created_at = Timestamptz()


class StaffNote(Table, tablename="staff_note"):
    """An internal note on a thread: staff only (read through threads.staff_notes, never with the thread)."""

    thread = ForeignKey(references=Thread, index=True)
    author = ForeignKey(references=Person, null=True, default=None, index=True)
    body = Text()
    created_at = Timestamptz()


class Intake(Table, tablename="thread_intake"):
    """Who a report filed by staff on someone's behalf came from: staff only, one per thread."""

    thread = ForeignKey(references=Thread, unique=True)
    source = Varchar(length=10)  # walk_in | phone | hotline (12345)
    work_order = Varchar(length=40, default="")
    caller_name = Varchar(length=40, default="")
    caller_contact = Varchar(length=60, default="")
    filed_by = ForeignKey(references=Person, null=True, default=None, index=True)
    created_at = Timestamptz()


class ReportDraft(Table, tablename="report_draft"):
    """A report being written step by step: a visitor's is found by its cookie token, a person's by them.

    A visitor's draft is adopted by the account they sign in or up with; one draft per person (raw unique
    index); drafts untouched for a week are deleted with their photos (threads/tasks.py)."""

    token = Varchar(length=64, unique=True)
    person = ForeignKey(references=Person, null=True, default=None, index=True)
    fields = Text(default="{}")  # JSON: the answers given so far, as the forms sent them
    photos = Text(default="[]")  # JSON: [[file name, width, height, bytes], …] stored by photos.store_uploads
    updated_at = Timestamptz(index=True)
