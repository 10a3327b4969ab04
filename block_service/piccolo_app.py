"""Piccolo app config: every table of every domain, migrations in the top-level migrations/."""

from piccolo.conf.apps import AppConfig

from block_service.accounts.tables import Person, RecoveryCode, ResetCode, RoleGrant, TotpCredential
from block_service.audit.tables import AuditEntry
from block_service.council.motion_tables import Motion, MotionMember, MotionVote, MotionVoteChange
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
from block_service.funds.tables import FundEntry, FundYear
from block_service.groups.tables import LeaderBacking, OrgGroup
from block_service.inbox.tables import InboxEntry
from block_service.meetings.tables import AgendaItem, Attendance, Invitee, Meeting, Rsvp
from block_service.needs.tables import Need
from block_service.notices.tables import (
    GovService,
    InspectionResult,
    InspectionRound,
    Notice,
    NoticeAttachment,
    NoticeAudience,
    NoticeRead,
    NoticeRecipient,
    NoticeReminder,
    NoticeShopReceipt,
)
from block_service.offers.tables import Offer, OfferHours, OfferKind, OfferThanks
from block_service.plans.tables import Plan, PlanCategory, PlanLead, Proposal, ProposalStep, ProposalThread, Support
from block_service.pledges.tables import Pledge, PledgeGoal
from block_service.projects.tables import (
    Milestone,
    Project,
    ProjectDocument,
    ProjectEvaluation,
    ProjectInvitee,
    ProjectPhoto,
    ProjectReceipt,
    ProjectStep,
    ProjectUpdate,
    ProjectWorker,
)
from block_service.settings import PROJECT_ROOT
from block_service.shops.tables import Industry, Segment, Shop, ShopApplication, ShopMerchant
from block_service.threads.tables import (
    Category,
    Evaluation,
    Flag,
    Intake,
    Message,
    MeToo,
    Mute,
    Photo,
    ResponseTemplate,
    StaffNote,
    Thread,
)

APP_CONFIG = AppConfig(
    app_name="block",
    migrations_folder_path=str(PROJECT_ROOT / "migrations"),
    table_classes=[
        Person,
        RoleGrant,
        AuditEntry,
        Segment,
        Industry,
        Shop,
        ShopMerchant,
        ShopApplication,
        Category,
        ResponseTemplate,
        Thread,
        Message,
        Photo,
        MeToo,
        Flag,
        Mute,
        Evaluation,
        StaffNote,
        Intake,
        ResetCode,
        OrgGroup,
        LeaderBacking,
        CouncilTerm,
        Election,
        Nomination,
        Tally,
        ShopVoted,
        Seat,
        Interest,
        Approval,
        Motion,
        MotionMember,
        MotionVote,
        MotionVoteChange,
        TotpCredential,
        RecoveryCode,
        InboxEntry,
        Plan,
        PlanLead,
        PlanCategory,
        Proposal,
        ProposalThread,
        Support,
        ProposalStep,
        Meeting,
        AgendaItem,
        Invitee,
        Rsvp,
        Attendance,
        OfferKind,
        Offer,
        OfferHours,
        OfferThanks,
        Need,
        PledgeGoal,
        Pledge,
        FundYear,
        FundEntry,
        GovService,
        Notice,
        NoticeAttachment,
        NoticeAudience,
        NoticeRecipient,
        NoticeRead,
        NoticeShopReceipt,
        NoticeReminder,
        InspectionRound,
        InspectionResult,
        Project,
        ProjectWorker,
        Milestone,
        ProjectUpdate,
        ProjectPhoto,
        ProjectDocument,
        ProjectStep,
        ProjectInvitee,
        ProjectEvaluation,
        ProjectReceipt,
    ],
)
