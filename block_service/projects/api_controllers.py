"""Projects as JSON, and the files of a project: update photos and application documents (safe headers)."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import File

from block_service.errors import NotFound
from block_service.pagination import Page
from block_service.projects import money, projects, work
from block_service.projects.reads import StateQuery, filters_from
from block_service.projects.schemas import ProjectOut, ProjectSummary
from block_service.threads import photos as photo_store
from block_service.web import shared_pages
from block_service.web.params import Id, OptionalIdText, PageNumber, PerPage, optional_int


class ProjectApiController(Controller):
    path = "/api/projects"
    tags = ["projects"]

    @get("/", name="api_projects")
    async def api_projects(
        self,
        request: Request,
        plan: FromQuery[OptionalIdText] = None,
        size: FromQuery[str | None] = None,
        state_code: StateQuery = None,
        segment: FromQuery[OptionalIdText] = None,
        page: FromQuery[PageNumber] = 1,
        per_page: FromQuery[PerPage] = 20,
    ) -> Page[ProjectSummary]:
        """Projects, the latest changed first, filtered by plan, size (large | small | mini), state and segment."""
        filters = filters_from(optional_int(plan, "plan"), size, state_code, optional_int(segment, "segment"), page)
        filters.per_page = per_page
        return await shared_pages.kept_value(request, shared_pages.by_role, lambda: projects.list_projects(filters))

    @get("/{project_id:int}", name="api_project")
    async def api_project(self, project_id: FromPath[Id]) -> ProjectOut:
        """One project: its lead and maintainer, milestones and progress, updates, documents and evaluation results."""
        return await projects.get_project(project_id)


class ProjectFileController(Controller):
    include_in_schema = False

    @get("/projects/photos/{file_name:str}", name="project_photo")
    async def photo(self, request: Request, file_name: FromPath[str]) -> File:
        path = photo_store.photo_file(request.app.state.settings.var_dir, file_name)
        if path is None or not (await work.is_project_photo(file_name) or await money.is_receipt(file_name)):
            raise NotFound("No such photo.")
        return File(
            path=path,
            media_type="image/jpeg",
            content_disposition_type="inline",
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=86400"},
        )

    @get("/projects/{project_id:int}/documents/{document_id:int}", name="project_document")
    async def document(self, request: Request, project_id: FromPath[Id], document_id: FromPath[Id]) -> File:
        """PDFs always download (never rendered in the page's origin); images show inline; nothing is sniffed."""
        path, content_type, download_name = await work.document_file(
            project_id, document_id, request.app.state.settings.var_dir
        )
        return File(
            path=path,
            filename=download_name,
            media_type=content_type,
            content_disposition_type="attachment" if content_type == "application/pdf" else "inline",
            headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"},
        )
