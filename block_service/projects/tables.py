"""Tables of projects: the project, its workers, milestones, updates with photos, documents, steps and evaluations.

A project carries out a passed council motion on a proposal. The proposal, motion, plan, segment and the
evaluation meeting are plain integers: plans and the council sit below, and meetings never learn about
projects. Composite unique indexes (one worker row, one invitation and one evaluation per person) are raw
steps of the migration (migrations/block_2026_11_29t08_20_01_000000.py).
"""

from piccolo.columns import Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from block_service.accounts.tables import Person


class Project(Table, tablename="project"):
    proposal_id = Integer(unique=True)  # one project per proposal
    motion_id = Integer(unique=True)  # the passed motion it carries out
    plan_id = Integer(index=True)
    segment_id = Integer(null=True, default=None, index=True)
    title = Varchar(length=80)
    summary = Text(default="")
    size = Varchar(length=8, index=True)  # large | small | mini (from the motion)
    budget_cap = Integer(null=True, default=None)  # yuan, from the motion
    # planned | in_progress | stalled | completed | evaluated | cancelled
    state = Varchar(length=12, default="planned", index=True)
    state_reason = Text(default="")
    # A large project's application to the street office: drafted | submitted | accepted | declined |
    # construction | completed; "" for small and mini projects.
    stage = Varchar(length=12, default="")
    reference_number = Varchar(length=40, default="")
    submitted_on = Date(null=True, default=None)
    lead_type = Varchar(length=8)  # person | shop | group
    lead_id = Integer(index=True)
    maintainer_type = Varchar(length=8, default="")  # "" until named | person | shop | group
    maintainer_id = Integer(null=True, default=None)
    maintainer_duties = Text(default="")
    starts_on = Date()
    created_by = ForeignKey(references=Person, null=True, default=None)
    created_at = Timestamptz(index=True)
    changed_at = Timestamptz(index=True)
    completed_at = Timestamptz(null=True, default=None, index=True)
    evaluation_closes_at = Timestamptz(null=True, default=None, index=True)
    evaluated_at = Timestamptz(null=True, default=None)
    evaluation_meeting_id = Integer(null=True, default=None, index=True)


class ProjectWorker(Table, tablename="project_worker"):
    """A person working on a project; (project, person) is unique."""

    project = ForeignKey(references=Project, index=True)
    person = ForeignKey(references=Person, index=True)
    added_at = Timestamptz()


class Milestone(Table, tablename="project_milestone"):
    project = ForeignKey(references=Project, index=True)
    title = Varchar(length=80)
    due_on = Date(index=True)
    weight = Integer(default=1)
    done_on = Date(null=True, default=None)
    done_by = ForeignKey(references=Person, null=True, default=None)
    created_at = Timestamptz()


class ProjectUpdate(Table, tablename="project_update"):
    """A progress update: words and up to three photos."""

    project = ForeignKey(references=Project, index=True)
    author = ForeignKey(references=Person, null=True, default=None)
    body = Text()
    created_at = Timestamptz(index=True)


class ProjectPhoto(Table, tablename="project_photo"):
    """A photo of an update, stored like thread photos (content-checked, re-encoded, EXIF stripped)."""

    update = ForeignKey(references=ProjectUpdate, index=True)
    file_name = Varchar(length=60, unique=True)
    width = Integer()
    height = Integer()
    size_bytes = Integer()
    created_at = Timestamptz()


class ProjectDocument(Table, tablename="project_document"):
    """A large project's application document: a PDF or an image, checked by its bytes."""

    project = ForeignKey(references=Project, index=True)
    file_name = Varchar(length=60, unique=True)
    title = Varchar(length=120)
    content_type = Varchar(length=40)
    size_bytes = Integer()
    uploaded_by = ForeignKey(references=Person, null=True, default=None)
    created_at = Timestamptz()


class ProjectStep(Table, tablename="project_step"):
    """Each change of state or stage, with who acted and why: the chain timeline reads these."""

    project = ForeignKey(references=Project, index=True)
    kind = Varchar(length=12)  # state | stage | milestone | done | worker | document | maintainer | meeting
    status_from = Varchar(length=12, default="")  # a state, a stage, a party type or "" (codes only)
    status_to = Varchar(length=12)  # a state, a stage, a party type, a pledge kind, added | done | attached | linked
    reason = Text(default="")  # the why, or what the step concerns (a milestone's or document's title)
    actor = ForeignKey(references=Person, null=True, default=None)
    at = Timestamptz(index=True)


class ProjectInvitee(Table, tablename="project_invitee"):
    """A person served, fixed when the project completes and invited to evaluate it; (project, person) is unique."""

    project = ForeignKey(references=Project, index=True)
    person = ForeignKey(references=Person, index=True)
    invited_at = Timestamptz()


class ProjectEvaluation(Table, tablename="project_evaluation"):
    """One answer per invited person; (project, person) is unique."""

    project = ForeignKey(references=Project, index=True)
    person = ForeignKey(references=Person, index=True)
    solved = Varchar(length=8)  # yes | partly | no
    satisfaction = Integer()  # 1..5
    comment = Text(default="")
    created_at = Timestamptz()


class ProjectReceipt(Table, tablename="project_receipt"):
    """The receipt photo of a small project's spending; the fund ledger's entry names it by id."""

    project = ForeignKey(references=Project, index=True)
    file_name = Varchar(length=60, unique=True)
    width = Integer()
    height = Integer()
    size_bytes = Integer()
    uploaded_by = ForeignKey(references=Person, null=True, default=None)
    created_at = Timestamptz()
