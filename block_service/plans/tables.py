"""Tables of the six action plans, their leads and categories, and of proposals, supports and their steps."""

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from block_service.accounts.tables import Person
from block_service.shops.tables import Segment
from block_service.threads.tables import Category, Thread


class Plan(Table, tablename="plan"):
    """One of the block's action plans: data the workstation renames, reorders and archives."""

    slug = Varchar(length=40, unique=True)
    name_zh = Varchar(length=60)
    name_en = Varchar(length=80)
    goal_zh = Text(default="")
    goal_en = Text(default="")
    sort_order = Integer(default=0, index=True)
    active = Boolean(default=True, index=True)
    # A proposal is ready for deliberation once it has this many supports from people AND from distinct shops.
    people_threshold = Integer(default=10)
    shop_threshold = Integer(default=3)
    created_at = Timestamptz()


class PlanLead(Table, tablename="plan_lead"):
    """A council member who leads a plan; (plan, person) is unique through a raw index."""

    plan = ForeignKey(references=Plan, index=True)
    person = ForeignKey(references=Person, index=True)
    since = Timestamptz()


class PlanCategory(Table, tablename="plan_category"):
    """A thread category whose reports feed a plan's figures; (plan, category) is unique through a raw index."""

    plan = ForeignKey(references=Plan, index=True)
    category = ForeignKey(references=Category, index=True)


class Proposal(Table, tablename="proposal"):
    plan = ForeignKey(references=Plan, index=True)
    author = ForeignKey(references=Person, index=True)
    title = Varchar(length=80)
    body = Text()
    house_number = Varchar(length=30, default="")
    street_number = Integer(null=True, default=None, index=True)
    segment = ForeignKey(references=Segment, null=True, default=None, index=True)
    size = Varchar(length=10, default="small")  # large | small | mini
    cost_yuan = Integer(null=True, default=None)
    # draft | submitted | deliberation | declined | merged | on_agenda | passed | rejected | withdrawn
    status = Varchar(length=15, default="draft", index=True)
    status_reason = Text(default="")
    merged_into = Integer(null=True, default=None, index=True)
    # The thread that carries its discussion and photos (visibility "proposal"): the message machinery.
    discussion = ForeignKey(references=Thread, null=True, default=None, unique=True)
    motion_id = Integer(null=True, default=None, index=True)
    project_id = Integer(null=True, default=None, index=True)  # the project that carries it out (next issue)
    support_count = Integer(default=0, index=True)  # everyone, shown and sorted on
    shop_count = Integer(default=0)  # distinct shops of the supporters, shown
    ready_at = Timestamptz(null=True, default=None, index=True)  # when it first reached its plan's thresholds
    created_at = Timestamptz(index=True)
    submitted_at = Timestamptz(null=True, default=None)
    changed_at = Timestamptz(index=True)


class ProposalThread(Table, tablename="proposal_thread"):
    """A thread a proposal gathers; (proposal, thread) is unique through a raw index."""

    proposal = ForeignKey(references=Proposal, index=True)
    thread = ForeignKey(references=Thread, index=True)
    linked_by = ForeignKey(references=Person, null=True, default=None)
    linked_at = Timestamptz()


class Support(Table, tablename="proposal_support"):
    """One person's support; (proposal, person) is unique through a raw index."""

    proposal = ForeignKey(references=Proposal, index=True)
    person = ForeignKey(references=Person, index=True)
    created_at = Timestamptz()


class ProposalStep(Table, tablename="proposal_step"):
    """A step of a proposal's lifecycle with the reason everyone taking part reads."""

    proposal = ForeignKey(references=Proposal, index=True)
    status_from = Varchar(length=15, default="")
    status_to = Varchar(length=15)
    reason = Text(default="")
    actor = ForeignKey(references=Person, null=True, default=None)
    motion_id = Integer(null=True, default=None)
    at = Timestamptz(index=True)
