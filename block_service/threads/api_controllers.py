"""The JSON API of threads: the list and one thread."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from block_service.pagination import Page
from block_service.threads import (
    listing,
    reading,
)
from block_service.threads.controllers import FILTERED
from block_service.threads.schemas import (
    ThreadFilter,
    ThreadPage,
    ThreadSummary,
)
from block_service.web import shared_pages
from block_service.web.auth import viewer_of
from block_service.web.params import Id, PerPage


class ThreadApiController(Controller):
    path = "/api/threads"
    tags = ["threads"]

    @get("/", name="api_threads", dependencies=FILTERED)
    async def api_threads(
        self,
        request: Request,
        filters: NamedDependency[ThreadFilter],
        per_page: FromQuery[PerPage] = 20,
    ) -> Page[ThreadSummary]:
        """Threads visible to the caller, filtered, newest activity first."""
        filters.per_page = per_page
        return await shared_pages.kept_value(
            request, shared_pages.by_person, lambda: listing.list_threads(viewer_of(request), filters)
        )

    @get("/{thread_id:int}", name="api_thread")
    async def api_thread(self, request: Request, thread_id: FromPath[Id]) -> ThreadPage:
        """A thread with its messages, photos and evaluation summary, as the caller may see it."""
        return await reading.get_thread_page(viewer_of(request), thread_id)
