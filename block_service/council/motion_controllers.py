"""Motion pages: the council's motion desk, a motion (vote, recuse, roll-call), opening one, and its JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Response, Template

from block_service.clock import BLOCK_TIMEZONE, now
from block_service.council import motion_reads
from block_service.council.motion_notices import KIND, motion_titles
from block_service.council.motion_parts import plan_motions
from block_service.council.motion_schemas import (
    CHOICES,
    MOTION_KINDS,
    QUORUM_RULES,
    SIZES,
    THRESHOLD_RULES,
    MotionForm,
    MotionOut,
    VoteForm,
)
from block_service.council.motion_votes import cast_vote, recuse
from block_service.council.motion_withdraw import WITHDRAWABLE, ensure_may_withdraw, withdraw_motion
from block_service.council.motions import may_open_motions, open_motion
from block_service.errors import DomainError, Forbidden, FormInvalid
from block_service.i18n import gettext as _
from block_service.inbox import KindView, register_kind
from block_service.plans.chain import chain_of
from block_service.schemas import ReasonForm
from block_service.web import shared_pages
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form, status_of
from block_service.web.htmx import redirect_after_post
from block_service.web.labels import N_
from block_service.web.opened import read_notices_about
from block_service.web.page_parts import fills, fills_by_default, part_of_page
from block_service.web.params import Id, OptionalId, PageNumber
from block_service.web.templating import flash, render

_A_WEEK = dt.timedelta(days=7)
RESULTS = {"passed": N_("Passed"), "rejected": N_("Rejected"), "no_quorum": N_("No quorum")}


async def _describe_motions(motion_ids: list[int], _viewer) -> dict[int, KindView]:
    """Motions in an inbox; a notice opens the motion at its vote buttons (the second tap votes)."""
    titles = await motion_titles(motion_ids)
    return {
        motion_id: KindView(title=title, url=f"/motions/{motion_id}#vote-panel") for motion_id, title in titles.items()
    }


def _motion_detail(event: str, detail: str) -> str:
    return _(RESULTS[detail]) if event == "result" and detail in RESULTS else detail


@fills("plan_motions")
async def _plan_motions(viewer, plan_ids: list[int], detail: bool) -> dict[str, Any]:
    """The plan cards' "motions this term" and the plan page's list of its motions."""
    return {**await plan_motions(plan_ids, detail), "template": "council/motions/_plan_part.html"}


@fills_by_default("motion_project")
async def _no_project(viewer, motion_id: int, passed: bool) -> dict[str, Any]:
    """Until the projects domain fills it: no project and no way to start one."""
    return {}


@fills("proposal_motion")
async def _proposal_motion(proposal_id: int, **_known: Any) -> dict[str, Any]:
    """The proposal page's motion section: the closed motion's result and roll-call (council/motions/_roll.html)."""
    motion = await motion_reads.closed_motion_of_proposal(proposal_id)
    return {"motion": motion, "template": "council/motions/_proposal_part.html" if motion else None}


register_kind(
    KIND,
    _describe_motions,
    {
        "opened": N_("A council motion is open for your vote."),
        "reminder": N_("This motion closes within 24 hours and you have not voted."),
        "result": N_("The motion has closed: %(detail)s."),
        "withdrawn": N_("The motion was withdrawn before any vote: %(detail)s"),
    },
    detail_label=_motion_detail,
)


class MotionController(Controller):
    @get("/council/motions", name="motions")
    async def desk(self, request: Request, page: FromQuery[PageNumber] = 1) -> Response:
        shared = await shared_pages.lookup(request, shared_pages.by_person)
        if isinstance(shared, Response):
            return shared
        desk = await motion_reads.motion_desk(viewer_of(request), page)
        return shared_pages.render_shared(request, shared, "council/motions/desk.html", desk=desk)

    @get("/motions/new", name="motion_form")
    async def motion_form(self, request: Request, proposal: FromQuery[OptionalId] = None) -> Template:
        if not await may_open_motions(viewer_of(request)):
            raise Forbidden("Only the council's chair or staff open a motion.")
        values = {"closes_at": (now() + _A_WEEK).astimezone(BLOCK_TIMEZONE).strftime("%Y-%m-%dT%H:%M")}
        if proposal:
            values |= {"kind": "proposal", "proposal_id": str(proposal)}
        return _form_page(request, values=values)

    @post("/motions", name="create_motion")
    async def create_motion(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        if not await may_open_motions(viewer_of(request)):  # before the form: its errors are not theirs to see
            raise Forbidden("Only the council's chair or staff open a motion.")
        try:
            motion_id = await open_motion(viewer_of(request), read_form(MotionForm, data))
        except (FormInvalid, DomainError) as error:
            if status_of(error) in (403, 404):
                raise
            return _form_page(request, values=data, errors=form_errors(error), status_code=status_of(error))
        flash(request, _("The motion is open. The members on its roll have been told."), "success")
        return redirect_after_post(request, request.app.route_reverse("motion", motion_id=motion_id))

    @get("/motions/{motion_id:int}", name="motion")
    async def motion(self, request: Request, motion_id: FromPath[Id]) -> Response:
        await read_notices_about(request, "motion", motion_id)
        shared = await shared_pages.lookup(request, shared_pages.by_person)
        if isinstance(shared, Response):
            return shared
        return await _motion_page(request, motion_id, shared=shared)

    @get("/motions/{motion_id:int}/vote", name="motion_vote")
    async def vote_part(self, request: Request, motion_id: FromPath[Id]) -> Response:
        """The state of the vote and the viewer's own part: the fragment the page refreshes."""
        return await _motion_page(request, motion_id, fragment="council/motions/_vote.html", force_fragment=True)

    @post("/motions/{motion_id:int}/vote", name="vote_motion")
    async def vote(self, request: Request, motion_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]) -> Response:
        try:
            closed = await cast_vote(viewer_of(request), motion_id, read_form(VoteForm, data))
        except (FormInvalid, DomainError) as error:
            if status_of(error) == 404:
                raise
            return await _motion_page(
                request,
                motion_id,
                fragment="council/motions/_vote.html",
                errors=form_errors(error),
                status_code=status_of(error),
            )
        if closed:
            flash(request, _("Your vote was the last one: the motion has closed and its result is below."), "success")
        else:
            flash(request, _("Your vote is recorded. You may change it until the motion closes."), "success")
        return redirect_after_post(request, request.app.route_reverse("motion", motion_id=motion_id))

    @post("/motions/{motion_id:int}/recuse", name="recuse_motion")
    async def recuse(self, request: Request, motion_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]) -> Response:
        try:
            await recuse(viewer_of(request), motion_id, read_form(ReasonForm, data))
        except (FormInvalid, DomainError) as error:
            if status_of(error) == 404:
                raise
            return await _motion_page(
                request,
                motion_id,
                fragment="council/motions/_vote.html",
                errors=form_errors(error),
                values={"reason": data.get("reason", "")},
                status_code=status_of(error),
            )
        flash(request, _("You have recused yourself from this motion; the page shows your reason."), "info")
        return redirect_after_post(request, request.app.route_reverse("motion", motion_id=motion_id))

    @post("/motions/{motion_id:int}/withdraw", name="withdraw_motion")
    async def withdraw(
        self, request: Request, motion_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        """The chair or staff take back a motion nobody has voted on yet, with a reason."""
        await ensure_may_withdraw(viewer_of(request), motion_id)
        try:
            await withdraw_motion(viewer_of(request), motion_id, read_form(ReasonForm, data))
        except (FormInvalid, DomainError) as error:
            if status_of(error) in (403, 404):
                raise
            return await _motion_page(
                request,
                motion_id,
                errors=form_errors(error) | {"withdraw_failed": True},
                values={"reason": data.get("reason", "")},
                status_code=status_of(error),
            )
        flash(request, _("The motion is withdrawn. The members on its roll have been told."), "info")
        return redirect_after_post(request, request.app.route_reverse("motion", motion_id=motion_id))


class MotionApiController(Controller):
    path = "/api"
    tags = ["council"]

    @get("/motions/{motion_id:int}", name="api_motion")
    async def api_motion(self, request: Request, motion_id: FromPath[Id]) -> MotionOut:
        """A council motion: its roll (interests, recusals), who has voted while it is open (not how), and
        once it has closed the counts, the result and each member's final vote (the roll-call)."""
        return await shared_pages.kept_value(request, shared_pages.by_role, lambda: motion_reads.motion_json(motion_id))


def _form_page(request: Request, *, values: dict, errors: dict | None = None, status_code: int = 200) -> Template:
    return render(
        request,
        "council/motions/new.html",
        fragment="council/motions/_form.html",
        status_code=status_code,
        values=values,
        errors=errors or {},
        kinds=MOTION_KINDS,
        quorum_rules=QUORUM_RULES,
        threshold_rules=THRESHOLD_RULES,
        sizes=SIZES,
    )


async def _motion_page(
    request: Request,
    motion_id: int,
    *,
    fragment: str | None = None,
    force_fragment: bool = False,
    errors: dict | None = None,
    values: dict | None = None,
    status_code: int = 200,
    shared: shared_pages.SharedPage | None = None,
) -> Response:
    page = await motion_reads.get_motion(motion_id, viewer_of(request))
    context = {"page": page, "motion": page.motion, "mine": page.mine, "choices": CHOICES}
    context["may_withdraw"] = (
        page.motion.status in WITHDRAWABLE and not page.motion.voted and await may_open_motions(viewer_of(request))
    )
    if page.motion.proposal and not fragment:
        context["chain"] = await chain_of(page.motion.proposal.id, viewer_of(request))
        passed = page.motion.status == "closed" and page.motion.result == "passed"
        context |= await part_of_page("motion_project", viewer=viewer_of(request), motion_id=motion_id, passed=passed)
    context |= {"errors": errors or {}, "values": values or {}}
    if force_fragment:
        return Template(template_name=fragment, context=context, status_code=status_code)
    return shared_pages.render_shared(
        request, shared, "council/motions/motion.html", fragment=fragment, status_code=status_code, **context
    )
