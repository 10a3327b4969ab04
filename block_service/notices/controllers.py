"""Notice pages: a merchant's notices and one notice (reading it is the receipt, acknowledging it), staff's
publishing and follow-up (remind the rest, receipts as CSV), the services directory, and the JSON list."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, MultipartBody, URLEncodedBody
from litestar.response import File, Response, Template

from block_service.errors import DomainError, FormInvalid, NotFound
from block_service.i18n import N_
from block_service.inbox import register_kind
from block_service.notices import attachments, directory, publishing, reading, receipts
from block_service.notices.schemas import AUDIENCE_LABELS, TOPIC_LABELS, TOPICS, NoticeForm, NoticeSummary, ServiceForm
from block_service.pagination import Page
from block_service.web import shared_pages
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form, status_of
from block_service.web.htmx import redirect_after_post
from block_service.web.i18n import gettext as _
from block_service.web.params import Id, PageNumber, PerPage, whole_numbers
from block_service.web.templating import flash, render

register_kind(
    publishing.KIND,
    reading.describe_notices,
    {
        "published": N_("%(name)s sent a notice from the workstation."),
        "reminded": N_("%(name)s reminds you of a notice your shop has not answered yet."),
    },
)

FILES_BODY = {
    "request_max_body_size": attachments.MAX_REQUEST_BYTES,
    "opt": {"too_large": N_("Attachments may be at most 5 MB each, and at most 5 of them.")},
}
CSV = "text/csv; charset=utf-8"


def _uploads(data: dict[str, Any]) -> list[UploadFile]:
    files = data.get("attachments")
    if files is None:
        return []
    files = files if isinstance(files, list) else [files]
    return [f for f in files if isinstance(f, UploadFile) and f.filename]


async def _new_page(request: Request, values: dict, errors: dict | None = None, status_code: int = 200) -> Template:
    groups, shops = await publishing.form_choices()
    return render(
        request,
        "notices/new.html",
        values=values,
        errors=errors or {},
        groups=groups,
        shops=shops,
        services=await directory.list_services(),
        audience_labels=AUDIENCE_LABELS,
        status_code=status_code,
    )


class NoticeController(Controller):
    @get("/notices", name="notices")
    async def notices(self, request: Request, page: FromQuery[PageNumber] = 1) -> Response:
        """Kept for the person (what they have read is theirs) until anything is written."""
        shared = await shared_pages.lookup(request, shared_pages.by_person)
        if isinstance(shared, Response):
            return shared
        viewer = viewer_of(request)
        return shared_pages.render_shared(
            request,
            shared,
            "notices/list.html",
            fragment="notices/_list.html",
            result=await reading.list_notices(viewer, page),
            staff=viewer.is_staff,
        )

    @get("/notices/{notice_id:int}", name="notice")
    async def notice(self, request: Request, notice_id: FromPath[Id]) -> Template:
        """A merchant of an addressed shop opening this page is their read receipt (and their shop's, if first)."""
        viewer = viewer_of(request)
        return render(
            request, "notices/detail.html", notice=await reading.open_notice(viewer, notice_id), staff=viewer.is_staff
        )

    @post("/notices/{notice_id:int}/acknowledge", name="acknowledge_notice")
    async def acknowledge(self, request: Request, notice_id: FromPath[Id]) -> Response:
        await receipts.acknowledge(viewer_of(request), notice_id)
        flash(request, _("Thank you: your shop's acknowledgement is recorded."), "success")
        return redirect_after_post(request, request.app.route_reverse("notice", notice_id=notice_id))

    @get("/notices/{notice_id:int}/files/{attachment_id:int}", name="notice_file")
    async def notice_file(self, request: Request, notice_id: FromPath[Id], attachment_id: FromPath[Id]) -> File:
        """Always a download (never shown inline), with its type fixed: a file cannot act as a page of the site."""
        row = await reading.attachment_for(viewer_of(request), notice_id, attachment_id)
        path = attachments.file_path(request.app.state.settings.var_dir, row["file_name"])
        if path is None:
            raise NotFound("No such attachment.")
        return File(
            path=path,
            media_type=row["media_type"],
            content_disposition_type="attachment",
            filename=row["original_name"],
            headers={
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, max-age=3600",
                "Content-Security-Policy": "default-src 'none'; sandbox",
            },
        )


class StaffNoticeController(Controller):
    path = "/staff/notices"

    @get("/new", name="notice_form")
    async def notice_form(self, request: Request) -> Template:
        return await _new_page(request, {"audience_kind": "all"})

    @post("/", name="publish_notice", **FILES_BODY)
    async def publish(self, request: Request, data: MultipartBody[dict[str, Any]]) -> Response:
        fields = {
            k: v for k, v in data.items() if not isinstance(v, UploadFile | list) and k not in ("group_ids", "shop_ids")
        }
        var_dir = request.app.state.settings.var_dir
        stored: list = []
        try:
            form = msgspec.structs.replace(
                read_form(NoticeForm, fields),
                group_ids=whole_numbers(data, "group_ids"),
                shop_ids=whole_numbers(data, "shop_ids"),
            )
            stored = await attachments.check_and_store(var_dir, _uploads(data))
            notice_id = await publishing.publish_notice(viewer_of(request), form, stored)
        except (FormInvalid, DomainError) as error:
            attachments.discard(var_dir, stored)
            if status_of(error) in (403, 404):
                raise
            values = fields | {
                "group_ids": whole_numbers(data, "group_ids"),
                "shop_ids": whole_numbers(data, "shop_ids"),
            }
            return await _new_page(request, values, form_errors(error), status_code=422)
        flash(request, _("The notice is sent."), "success")
        return redirect_after_post(request, request.app.route_reverse("notice_follow_up", notice_id=notice_id))

    @get("/{notice_id:int}", name="notice_follow_up")
    async def follow_up(self, request: Request, notice_id: FromPath[Id]) -> Template:
        return render(request, "notices/follow_up.html", follow=await reading.follow_up(viewer_of(request), notice_id))

    @post("/{notice_id:int}/remind", name="remind_notice")
    async def remind(self, request: Request, notice_id: FromPath[Id]) -> Response:
        count = await receipts.remind_the_rest(viewer_of(request), notice_id)
        flash(request, _("%(count)s merchants were reminded.", count=count), "success")
        return redirect_after_post(request, request.app.route_reverse("notice_follow_up", notice_id=notice_id))

    @get("/{notice_id:int}/receipts.csv", name="notice_receipts_csv")
    async def receipts_csv(self, request: Request, notice_id: FromPath[Id]) -> Response:
        follow = await reading.follow_up(viewer_of(request), notice_id)
        header = [
            _("Shop id"),
            _("Shop"),
            _("House number"),
            _("Read at"),
            _("Read by"),
            _("Acknowledged at"),
            _("Acknowledged by"),
        ]
        return Response(
            reading.receipts_csv(follow.receipts, header),
            media_type=CSV,
            headers={
                "content-disposition": f'attachment; filename="notice-{notice_id}-receipts.csv"',
                "X-Content-Type-Options": "nosniff",
            },
        )


class ServiceDirectoryController(Controller):
    @get("/services", name="services")
    async def services(self, request: Request) -> Template:
        return render(
            request,
            "notices/services.html",
            services=await directory.list_services(),
            topics=TOPICS,
            topic_labels=TOPIC_LABELS,
            staff=viewer_of(request).is_staff,
            values={"topic": "licence"},
            errors={},
        )

    @post("/staff/services", name="create_service")
    async def create(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        return await _save_service(request, data, None)

    @post("/staff/services/{service_id:int}", name="update_service")
    async def update(
        self, request: Request, service_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        return await _save_service(request, data, service_id)

    @post("/staff/services/{service_id:int}/delete", name="delete_service")
    async def delete(self, request: Request, service_id: FromPath[Id]) -> Response:
        await directory.remove_service(viewer_of(request), service_id)
        flash(request, _("The entry is removed from the directory."), "success")
        return redirect_after_post(request, request.app.route_reverse("services"))


async def _save_service(request: Request, data: dict[str, Any], service_id: int | None) -> Response:
    try:
        await directory.save_service(viewer_of(request), read_form(ServiceForm, data), service_id)
    except (FormInvalid, DomainError) as error:
        if status_of(error) in (403, 404):
            raise
        return render(
            request,
            "notices/services.html",
            services=await directory.list_services(),
            topics=TOPICS,
            topic_labels=TOPIC_LABELS,
            staff=True,
            values=data,
            errors=form_errors(error),
            editing=service_id,
            status_code=422,
        )
    flash(request, _("The directory is saved."), "success")
    return redirect_after_post(request, request.app.route_reverse("services"))


class NoticeApiController(Controller):
    path = "/api/notices"
    tags = ["notices"]

    @get("/", name="api_notices")
    async def api_notices(
        self, request: Request, page: FromQuery[PageNumber] = 1, per_page: FromQuery[PerPage] = 20
    ) -> Page[NoticeSummary]:
        """A merchant: the notices addressed to them, unread first, with `read` and `acknowledged` (by any of
        their shop's merchants). Staff: every notice, newest first, with `shops_read` and `shops_acknowledged`
        of `shop_count`."""
        return await reading.list_notices(viewer_of(request), page, per_page)
