"""Pledge routes: pledge, withdraw, mark delivered; each answers htmx with the panel, a plain form with a redirect."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Response

from block_service.errors import DomainError, FormInvalid
from block_service.i18n import N_
from block_service.i18n import gettext as _
from block_service.inbox import KindView, register_kind
from block_service.pledges import services
from block_service.pledges.schemas import PledgeForm, PledgeSubject
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form, status_of
from block_service.web.htmx import redirect_after_post
from block_service.web.params import Id
from block_service.web.templating import flash, render


class SubjectForm(msgspec.Struct, kw_only=True):
    subject_kind: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    subject_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]


async def _describe(pledge_ids: list[int], viewer) -> dict[int, KindView]:
    described = await services.describe_pledges(pledge_ids, viewer)
    return {pledge_id: KindView(title=title, url=url) for pledge_id, (title, url) in described.items()}


register_kind("pledge", _describe, {"delivered": N_("Thank you: %(name)s marked your pledge delivered.")})


async def _answer(
    request: Request,
    subject: PledgeSubject,
    *,
    errors: dict | None = None,
    values: dict | None = None,
    status: int = 200,
) -> Response:
    panel = await services.panel(subject, viewer_of(request))
    if request.htmx or errors:
        return render(
            request,
            "pledges/refused.html",
            fragment="pledges/_fragment.html",
            status_code=status,
            panel=panel,
            errors=errors or {},
            values=values or {},
        )
    return redirect_after_post(request, panel.return_url)


class PledgeController(Controller):
    @post("/pledges", name="make_pledge")
    async def make_pledge(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        subject_form = read_form(SubjectForm, data)  # a forged target is a 422 before anything is read
        subject = PledgeSubject(kind=subject_form.subject_kind, id=subject_form.subject_id)
        try:
            await services.pledge(viewer_of(request), subject, read_form(PledgeForm, data))
        except (FormInvalid, DomainError) as error:
            if status_of(error) == 404:
                raise
            return await _answer(request, subject, errors=form_errors(error), values=data, status=status_of(error))
        flash(request, _("Thank you for your pledge."), "success")
        return await _answer(request, subject)

    @post("/pledges/{pledge_id:int}/withdraw", name="withdraw_pledge")
    async def withdraw_pledge(self, request: Request, pledge_id: FromPath[Id]) -> Response:
        subject = await services.withdraw(viewer_of(request), pledge_id)
        flash(request, _("Your pledge is withdrawn."), "info")
        return await _answer(request, subject)

    @post("/pledges/{pledge_id:int}/delivered", name="deliver_pledge")
    async def deliver_pledge(self, request: Request, pledge_id: FromPath[Id]) -> Response:
        subject = await services.mark_delivered(viewer_of(request), pledge_id)
        flash(request, _("The pledge is marked delivered; the pledger is thanked."), "success")
        return await _answer(request, subject)
