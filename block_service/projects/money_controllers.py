"""A project's money and pledges: staff allocate from the fund, the lead records spending with a receipt photo,
a mini project's lead sets its pledge goals. Refusals re-render the project page with the form's errors."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, MultipartBody, URLEncodedBody
from litestar.response import Response

from block_service.errors import Forbidden, Invalid
from block_service.funds import register_project_describer
from block_service.projects import access, money, pledging
from block_service.projects.controllers import PHOTO_BODY, act
from block_service.projects.reads import project_titles
from block_service.projects.schemas import AllocationForm, GoalsForm, SpendingForm
from block_service.threads import photos as photo_store
from block_service.web.auth import viewer_of
from block_service.web.forms import read_form
from block_service.web.labels import N_
from block_service.web.params import Id


async def _describe_for_funds(project_ids: list[int]) -> dict[int, tuple[str, str]]:
    titles = await project_titles(project_ids)
    return {pid: (title, f"/projects/{pid}") for pid, title in titles.items()}


register_project_describer(_describe_for_funds)
REGISTERED = pledging.KIND  # importing pledging registered the project as a pledge target


def _receipt(data: dict[str, Any]) -> UploadFile | None:
    upload = data.get("receipt")
    upload = upload[-1] if isinstance(upload, list) and upload else upload
    return upload if isinstance(upload, UploadFile) and upload.filename else None


class ProjectMoneyController(Controller):
    @post("/projects/{project_id:int}/allocation", name="allocate_project_money")
    async def allocate(
        self, request: Request, project_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        if not viewer_of(request).is_staff:
            raise Forbidden("Only staff allocate the autonomous fund.")
        return await act(
            request,
            project_id,
            data,
            "allocation",
            N_("The money is allocated to the project."),
            lambda viewer: money.allocate_money(viewer, project_id, read_form(AllocationForm, data)),
        )

    @post("/projects/{project_id:int}/spending", name="record_project_spending", **PHOTO_BODY)
    async def spending(
        self, request: Request, project_id: FromPath[Id], data: MultipartBody[dict[str, Any]]
    ) -> Response:
        var_dir = request.app.state.settings.var_dir
        fields = {k: v for k, v in data.items() if not isinstance(v, UploadFile | list)}

        async def record(viewer) -> None:
            form = read_form(SpendingForm, fields)
            upload = _receipt(data)
            if upload is None:
                raise Invalid("Attach a photo of the receipt.", field="receipt")
            try:
                stored = await photo_store.store_uploads(var_dir, [upload])
            except Invalid as error:  # the photo checks speak of "photos": here it is the receipt
                raise Invalid(error.message, field="receipt", **error.params) from None
            try:
                await money.record_spending(viewer, project_id, form, stored[0])
            except BaseException:
                photo_store.discard_photos(var_dir, [name for name, *_rest in stored])
                raise

        return await act(request, project_id, fields, "spending", N_("The spending is recorded."), record)

    @post("/projects/{project_id:int}/goals", name="set_project_goal")
    async def goal(self, request: Request, project_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]) -> Response:
        return await act(
            request,
            project_id,
            data,
            "goal",
            N_("The goal is set."),
            lambda viewer: pledging.set_goal(viewer, project_id, read_form(GoalsForm, data)),
        )


__all__ = ["ProjectMoneyController", "access"]
