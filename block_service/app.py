"""create_app(): plugins, templates, CSRF, sessions, auth, static files, lifespan — nothing else."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator

from litestar import Litestar, Request
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.logging.config import LoggingConfig
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store

from block_service.accounts.controllers import AccountApiController, AccountController, StaffPeopleController
from block_service.accounts.reset_controllers import PasswordResetController
from block_service.audit.controllers import AuditController
from block_service.council.controllers import CouncilApiController, CouncilController, StaffCouncilController
from block_service.council.motion_controllers import MotionApiController, MotionController
from block_service.council.motion_tasks import run_motion_tasks
from block_service.db import close_database, listening_for_changes, open_database
from block_service.db.kept import keep_values
from block_service.funds.controllers import FundApiController, FundController, StaffFundController
from block_service.groups.controllers import GroupApiController, GroupController, StaffGroupController
from block_service.groups.road_controllers import RoadController
from block_service.i18n import LazyText, load_catalogues
from block_service.inbox.controllers import InboxApiController, InboxController
from block_service.insights.controllers import (
    DashboardController,
    InsightsApiController,
    OpenDataController,
    StaffLoopController,
)
from block_service.meetings.change_controllers import MeetingChangeController
from block_service.meetings.controllers import MeetingApiController, MeetingController
from block_service.meetings.tasks import run_meeting_tasks
from block_service.migrate import apply_migrations
from block_service.needs.controllers import NeedApiController, NeedController
from block_service.notices.controllers import (
    NoticeApiController,
    NoticeController,
    ServiceDirectoryController,
    StaffNoticeController,
)
from block_service.notices.inspection_controllers import InspectionApiController, InspectionController
from block_service.offers.controllers import OfferApiController, OfferController, StaffOfferController
from block_service.offers.tasks import run_offer_tasks
from block_service.plans.controllers import PlanApiController, PlanController, StaffPlanController
from block_service.plans.proposal_controllers import ProposalApiController, ProposalController
from block_service.pledges.controllers import PledgeController
from block_service.privacy.controllers import PrivacyController, StaffPrivacyController
from block_service.projects.api_controllers import ProjectApiController, ProjectFileController
from block_service.projects.controllers import ProjectController
from block_service.projects.evaluation import set_evaluation_days
from block_service.projects.money_controllers import ProjectMoneyController
from block_service.projects.tasks import run_project_tasks
from block_service.settings import PROJECT_ROOT, Settings, get_settings
from block_service.shops.controllers import ShopApiController, ShopController, StaffShopController
from block_service.threads.api_controllers import ThreadApiController
from block_service.threads.controllers import ThreadController
from block_service.threads.desk_controllers import StaffDeskController
from block_service.threads.part_controllers import GroupDiscussionController
from block_service.threads.photo_controllers import PhotoController
from block_service.threads.report_controllers import ReportController
from block_service.threads.staff_controllers import StaffThreadController
from block_service.threads.tasks import run_periodic_tasks
from block_service.threads.todo_controllers import MerchantDeskController
from block_service.threads.workflow import configure_due_hours
from block_service.web import shared_pages
from block_service.web.api_docs import VendoredRedocPlugin
from block_service.web.auth import ViewerMiddleware, enforce_route_access
from block_service.web.errors import handle_error
from block_service.web.language import LanguageMiddleware
from block_service.web.live import create_channels_plugin
from block_service.web.openapi import document_responses
from block_service.web.security import client_address, security_headers
from block_service.web.session import RotatingSessionConfig, cookie_name
from block_service.web.stores import SQLiteStore, shared_store
from block_service.web.system import SystemController
from block_service.web.templating import create_template_config

STATIC_DIR = PROJECT_ROOT / "static"
MAX_BODY_BYTES = 1024 * 1024  # every form and JSON body; routes that take photos raise their own cap


def build_stores(settings: Settings) -> dict[str, Store]:
    """Sessions and rate-limit counters, shared by every worker: in Redis when it is configured (several
    machines), else in one SQLite file under var/ that all workers of this machine open."""
    if settings.redis_url:
        from litestar.stores.redis import RedisStore

        root = RedisStore.with_client(url=settings.redis_url, namespace="block")
    else:
        root = shared_store(settings.var_dir)
    return {"sessions": root.with_namespace("sessions"), "rate_limit": root.with_namespace("rate_limit")}


async def close_stores(app: Litestar) -> None:
    """Redis stores hold a connection pool each, the SQLite store a connection; close them when the app stops."""
    for name in ("sessions", "rate_limit"):
        store = app.stores.get(name)
        if hasattr(store, "_shutdown"):
            await store._shutdown()
        elif isinstance(store, SQLiteStore):
            store.close()


def _rate_limit_key(request: Request) -> str:
    """A signed-in person is counted as themselves, so neighbours behind one mobile-network address do
    not use up each other's allowance; everyone else by client address (X-Forwarded-For only from
    BLOCK_TRUSTED_PROXIES)."""
    user = request.scope.get("user")
    person_id = getattr(user, "person_id", None)
    if person_id:
        return f"person:{person_id}"
    return f"address:{client_address(request.scope, request.app.state.settings.trusted_proxies)}"


async def _is_rate_limited(request: Request) -> bool:
    # A coroutine: Litestar runs a plain function here in a worker thread, on every request.
    return request.method == "POST" and bool(request.route_handler.opt.get("rate_limited"))


@contextlib.asynccontextmanager
async def _database_lifespan(app: Litestar) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    load_catalogues()
    await open_database(settings.db_pool_size)
    try:
        if settings.migrate_on_start:
            await apply_migrations(settings.var_dir)
        # What start-up built lives as long as the process. Frozen, it is left out of the collector's full
        # passes, which otherwise walked all of it (about 100 ms, a pause every few thousand requests).
        gc.collect()
        gc.freeze()
        async with listening_for_changes():
            yield
    finally:
        gc.unfreeze()
        shared_pages.forget_all()
        await close_stores(app)
        await close_database()


# gzip for pages, CSS, JS and JSON; not for photos (already JPEG) nor for live event streams, which must
# leave each event at once. Level 6: nearly level 9's size at a fraction of its CPU.
COMPRESSION = CompressionConfig(
    backend="gzip", minimum_size=1000, gzip_compress_level=6, exclude=[r"^/photos/", r"/events$"]
)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    keep_values(settings.shared_pages)
    configure_due_hours(settings.default_due_hours)
    set_evaluation_days(settings.evaluation_days)
    session_config = RotatingSessionConfig(
        key=cookie_name("block_session", settings.debug),
        max_age=settings.session_idle_minutes * 60,
        secure=not settings.debug,
        httponly=True,
        samesite="lax",
        exclude=["^/static/"],
    )
    rate_limit_config = RateLimitConfig(
        rate_limit=("minute", settings.login_rate_per_minute),
        check_throttle_handler=_is_rate_limited,
        identifier_for_request=_rate_limit_key,
        exclude=["^/static/"],
    )
    csrf_config = CSRFConfig(
        secret=settings.secret_key,
        cookie_name=cookie_name("block_csrf", settings.debug),
        cookie_secure=not settings.debug,
        cookie_httponly=True,
        cookie_samesite="lax",
        header_name="x-csrftoken",
    )
    return document_responses(
        Litestar(
            route_handlers=[
                SystemController,
                AccountController,
                StaffPeopleController,
                PasswordResetController,
                AccountApiController,
                ShopController,
                StaffShopController,
                ShopApiController,
                AuditController,
                GroupController,
                StaffGroupController,
                GroupApiController,
                RoadController,
                GroupDiscussionController,
                ReportController,
                CouncilController,
                StaffCouncilController,
                CouncilApiController,
                MotionController,
                MotionApiController,
                ThreadController,
                MerchantDeskController,
                PhotoController,
                StaffThreadController,
                StaffDeskController,
                ThreadApiController,
                PlanController,
                StaffPlanController,
                PlanApiController,
                ProposalController,
                ProposalApiController,
                MeetingController,
                MeetingChangeController,
                MeetingApiController,
                OfferController,
                StaffOfferController,
                OfferApiController,
                NeedController,
                NeedApiController,
                PledgeController,
                FundController,
                StaffFundController,
                FundApiController,
                NoticeController,
                StaffNoticeController,
                ServiceDirectoryController,
                NoticeApiController,
                InspectionController,
                InspectionApiController,
                ProjectController,
                ProjectMoneyController,
                ProjectApiController,
                ProjectFileController,
                InboxController,
                InboxApiController,
                PrivacyController,
                StaffPrivacyController,
                DashboardController,
                OpenDataController,
                StaffLoopController,
                InsightsApiController,
                create_static_files_router(
                    path="/static",
                    directories=[STATIC_DIR],
                    name="static",
                    cache_control=CacheControlHeader(max_age=3600, public=True),
                    include_in_schema=False,
                ),
            ],
            middleware=[
                LanguageMiddleware(),
                session_config.middleware,
                ViewerMiddleware(),
                rate_limit_config.middleware,
            ],
            guards=[enforce_route_access],
            csrf_config=csrf_config,
            compression_config=COMPRESSION,
            template_config=create_template_config(settings.debug),
            plugins=[HTMXPlugin(), create_channels_plugin(settings.redis_url)],
            stores=build_stores(settings),
            exception_handlers={Exception: handle_error},
            # handle_error logs: a person's mistake at INFO, our own failures with a traceback, in every mode.
            logging_config=LoggingConfig(log_exceptions="never"),
            before_send=[security_headers(settings.debug), shared_pages.on_response_start],
            lifespan=[
                _database_lifespan,
                run_periodic_tasks,
                run_motion_tasks,
                run_meeting_tasks,
                run_offer_tasks,
                run_project_tasks,
            ],
            openapi_config=OpenAPIConfig(
                title="Lingyan block workstation API",
                version="0.1.0",
                path="/schema",
                render_plugins=[VendoredRedocPlugin()],
            ),
            state=State({"settings": settings}),
            request_max_body_size=MAX_BODY_BYTES,
            # The domains' words (a deleted account's label, "A resident"): JSON gives them in the request's language.
            type_encoders={LazyText: str},
            debug=settings.debug,
        )
    )
