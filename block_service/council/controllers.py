"""Council pages: the council, an election (nominate, accept, vote), interests, and the staff's council desk."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Response, Template

from block_service.accounts.schemas import ANONYMOUS
from block_service.council import ballots, elections, interests, nominations, pages, seats, terms
from block_service.council.schemas import (
    INTEREST_OBJECTS,
    POSITIONS,
    AcceptForm,
    BallotForm,
    CouncilOut,
    ElectionDetail,
    ElectionForm,
    InterestForm,
    NominateForm,
    PositionForm,
    StandForm,
    TermForm,
)
from block_service.errors import DomainError, FormInvalid
from block_service.i18n import N_
from block_service.i18n import gettext as _
from block_service.schemas import ReasonForm
from block_service.web import shared_pages
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form, status_of
from block_service.web.htmx import redirect_after_post
from block_service.web.params import MAX_ID, Id, OptionalId, PageNumber
from block_service.web.templating import flash, render


def read_ballot(data: dict[str, Any]) -> BallotForm:
    """Ticked boxes arrive as one value or a list under the same name."""
    raw = data.get("candidates") or []
    values = raw if isinstance(raw, list) else [raw]
    try:
        candidates = [int(value) for value in values if str(value).strip()]
        shop_id = int(str(data.get("shop_id", "")).strip())
    except ValueError:
        raise FormInvalid({"candidates": N_("Choose candidates from this election's list.")}) from None
    if not all(0 < number <= MAX_ID for number in (*candidates, shop_id)):
        raise FormInvalid({"candidates": N_("Choose candidates from this election's list.")})
    return BallotForm(shop_id=shop_id, candidates=candidates)


class CouncilController(Controller):
    @get("/council", name="council")
    async def council(self, request: Request) -> Response:
        shared = await shared_pages.lookup(request, shared_pages.by_person)
        if isinstance(shared, Response):
            return shared
        return await _council_page(request, shared=shared)

    @get("/elections/{election_id:int}", name="election")
    async def election(self, request: Request, election_id: FromPath[Id]) -> Response:
        shared = await shared_pages.lookup(request, shared_pages.by_person)
        if isinstance(shared, Response):
            return shared
        return await _election_page(request, election_id, shared=shared)

    @post("/elections/{election_id:int}/stand", name="stand")
    async def stand(
        self, request: Request, election_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        try:
            await nominations.stand(viewer_of(request), election_id, read_form(StandForm, data))
        except (FormInvalid, DomainError) as error:
            return await _election_form_error(request, election_id, "stand", error, data)
        return _to_election(request, election_id, _("You are a candidate. Good luck!"))

    @post("/elections/{election_id:int}/nominations", name="nominate")
    async def nominate(
        self, request: Request, election_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        try:
            await nominations.nominate(viewer_of(request), election_id, read_form(NominateForm, data))
        except (FormInvalid, DomainError) as error:
            return await _election_form_error(request, election_id, "nominate", error, data)
        return _to_election(
            request, election_id, _("Your nomination has been sent. It counts once the merchant accepts it.")
        )

    @post("/nominations/{nomination_id:int}/accept", name="accept_nomination")
    async def accept_nomination(
        self, request: Request, nomination_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        viewer = viewer_of(request)
        try:
            election_id = await nominations.accept_nomination(viewer, nomination_id, read_form(AcceptForm, data))
        except (FormInvalid, DomainError) as error:
            if status_of(error) in (403, 404):
                raise
            election_id = await nominations.election_of_nomination(nomination_id)
            return await _election_form_error(
                request,
                election_id,
                f"accept-{nomination_id}",
                error,
                data,
                fragment="council/_accept_form.html",
                nomination_id=nomination_id,
            )
        return _to_election(request, election_id, _("You have accepted the nomination and stand as a candidate."))

    @post("/nominations/{nomination_id:int}/withdraw", name="withdraw_nomination")
    async def withdraw_nomination(self, request: Request, nomination_id: FromPath[Id]) -> Response:
        election_id = await nominations.withdraw_nomination(viewer_of(request), nomination_id)
        return _to_election(request, election_id, _("You no longer stand in this election."), "info")

    @post("/elections/{election_id:int}/ballot", name="cast_ballot")
    async def cast_ballot(
        self, request: Request, election_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        try:
            await ballots.cast_ballot(viewer_of(request), election_id, read_ballot(data))
        except (FormInvalid, DomainError) as error:
            return await _election_form_error(request, election_id, "ballot", error, data)
        flash(
            request,
            _(
                "Your shop's ballot has been cast. No page shows how a shop voted; once the votes are counted, the "
                "stored data no longer links a shop to its choices."
            ),
            "success",
        )
        return redirect_after_post(request, request.app.route_reverse("election", election_id=election_id))

    @post("/council/interests", name="declare_interest")
    async def declare_interest(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        try:
            await interests.declare_interest(viewer_of(request), read_form(InterestForm, data))
        except (FormInvalid, DomainError) as error:
            if status_of(error) in (403, 404):
                raise
            return await _council_page(
                request,
                fragment="council/_interest_form.html",
                status_code=status_of(error),
                errors={"interest": form_errors(error)},
                values={"interest": data},
            )
        flash(request, _("Your interest has been declared. You will sit out votes on this item."), "success")
        return redirect_after_post(request, request.app.route_reverse("council"))

    @post("/council/interests/{interest_id:int}/withdraw", name="withdraw_interest")
    async def withdraw_interest(self, request: Request, interest_id: FromPath[Id]) -> Response:
        await interests.withdraw_interest(viewer_of(request), interest_id)
        flash(request, _("The declaration has been withdrawn."), "info")
        return redirect_after_post(request, request.app.route_reverse("council"))

    @post("/council/seats/{seat_id:int}/resign", name="resign_seat")
    async def resign_seat(
        self, request: Request, seat_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        try:
            form = read_form(ReasonForm, data)
        except FormInvalid as error:
            return await _council_page(
                request,
                fragment="council/_resign_form.html",
                status_code=422,
                errors={"resign": error.errors},
                values={"resign": data},
            )
        await seats.resign_seat(viewer_of(request), seat_id, form.reason)
        flash(request, _("You have resigned your seat on the council."), "info")
        return redirect_after_post(request, request.app.route_reverse("council"))


class StaffCouncilController(Controller):
    path = "/staff"

    @get("/council", name="staff_council")
    async def staff_council(
        self, request: Request, term: FromQuery[OptionalId] = None, page: FromQuery[PageNumber] = 1
    ) -> Template:
        return await _staff_page(request, term_id=term, page=page)

    @post("/terms", name="create_term")
    async def create_term(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        try:
            term_id = await terms.create_term(viewer_of(request), read_form(TermForm, data))
        except (FormInvalid, DomainError) as error:
            return await _staff_page(
                request,
                fragment="council/_term_form.html",
                status_code=status_of(error),
                errors={"term": form_errors(error)},
                values={"term": data},
            )
        flash(request, _("The term has been created. Open its election when the time comes."), "success")
        return redirect_after_post(request, request.app.route_reverse("staff_council") + f"?term={term_id}")

    @post("/terms/{term_id:int}/election", name="open_election")
    async def open_election(
        self, request: Request, term_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        try:
            election_id = await nominations.open_election(viewer_of(request), term_id, read_form(ElectionForm, data))
        except (FormInvalid, DomainError) as error:
            if status_of(error) == 404:
                raise
            return await _staff_page(
                request,
                term_id=term_id,
                fragment="council/_election_form.html",
                status_code=status_of(error),
                errors={"election": form_errors(error)},
                values={"election": data},
            )
        return _to_election(request, election_id, _("The election is open: merchants can now stand and nominate."))

    @post("/elections/{election_id:int}/voting", name="open_voting")
    async def open_voting(self, request: Request, election_id: FromPath[Id]) -> Response:
        await ballots.open_voting(viewer_of(request), election_id)
        return _to_election(request, election_id, _("Voting is open. Each shop may now cast one ballot."))

    @post("/elections/{election_id:int}/close", name="close_election")
    async def close_election(self, request: Request, election_id: FromPath[Id]) -> Response:
        await ballots.close_election(viewer_of(request), election_id)
        return _to_election(
            request, election_id, _("The election is closed and counted; the seats of the term have been created.")
        )

    @post("/elections/{election_id:int}/turnout", name="publish_turnout")
    async def publish_turnout(self, request: Request, election_id: FromPath[Id]) -> Response:
        await ballots.publish_turnout(viewer_of(request), election_id)
        return _to_election(request, election_id, _("The turnout has been published."))

    @post("/seats/{seat_id:int}/position", name="assign_position")
    async def assign_position(
        self, request: Request, seat_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        term_id = await seats.term_of_seat(seat_id)
        try:
            await seats.assign_position(viewer_of(request), seat_id, read_form(PositionForm, data))
        except (FormInvalid, DomainError) as error:
            if status_of(error) == 404:
                raise
            return await _staff_page(
                request, term_id=term_id, status_code=status_of(error), errors={f"seat-{seat_id}": form_errors(error)}
            )
        flash(request, _("The position has been recorded."), "success")
        return redirect_after_post(request, request.app.route_reverse("staff_council") + f"?term={term_id}")

    @post("/seats/{seat_id:int}/remove", name="remove_seat")
    async def remove_seat(
        self, request: Request, seat_id: FromPath[Id], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        term_id = await seats.term_of_seat(seat_id)
        try:
            await seats.remove_seat(viewer_of(request), seat_id, read_form(ReasonForm, data).reason)
        except (FormInvalid, DomainError) as error:
            if status_of(error) == 404:
                raise
            return await _staff_page(
                request,
                term_id=term_id,
                status_code=status_of(error),
                errors={f"seat-{seat_id}": form_errors(error)},
                values={f"seat-{seat_id}": data},
            )
        flash(request, _("The member has been removed; the council page shows the reason."), "info")
        return redirect_after_post(request, request.app.route_reverse("staff_council") + f"?term={term_id}")

    @post("/seats/{seat_id:int}/fill", name="fill_seat")
    async def fill_seat(self, request: Request, seat_id: FromPath[Id]) -> Response:
        term_id = await seats.term_of_seat(seat_id)
        await seats.fill_seat(viewer_of(request), seat_id)
        flash(request, _("The seat has gone to the next runner-up."), "success")
        return redirect_after_post(request, request.app.route_reverse("staff_council") + f"?term={term_id}")


class CouncilApiController(Controller):
    path = "/api"
    tags = ["council"]

    @get("/council", name="api_council")
    async def api_council(self) -> CouncilOut:
        """The current term, its sitting members with positions, shops, groups and declared interests."""
        return await pages.get_council()

    @get("/elections/{election_id:int}", name="api_election")
    async def api_election(self, election_id: FromPath[Id]) -> ElectionDetail:
        """An election as the public sees it: candidates, and results and turnout once published."""
        return await elections.get_election(election_id, ANONYMOUS)


async def _council_page(
    request: Request,
    *,
    fragment: str | None = None,
    status_code: int = 200,
    errors: dict | None = None,
    values: dict | None = None,
    shared: shared_pages.SharedPage | None = None,
) -> Response:
    viewer = viewer_of(request)
    council = await pages.get_council()
    return shared_pages.render_shared(
        request,
        shared,
        "council/council.html",
        fragment=fragment,
        status_code=status_code,
        council=council,
        my_seat=next((seat for seat in council.members if seat.person_id == viewer.person_id), None),
        interest_objects=INTEREST_OBJECTS,
        errors=errors or {},
        values=values or {},
    )


async def _election_page(
    request: Request,
    election_id: int,
    *,
    fragment: str | None = None,
    status_code: int = 200,
    errors: dict | None = None,
    values: dict | None = None,
    shared: shared_pages.SharedPage | None = None,
    **context: Any,
) -> Response:
    detail = await elections.get_election(election_id, viewer_of(request))
    return shared_pages.render_shared(
        request,
        shared,
        "council/election.html",
        fragment=fragment,
        status_code=status_code,
        detail=detail,
        errors=errors or {},
        values=values or {},
        **context,
    )


def _to_election(request: Request, election_id: int, message: str, kind: str = "success") -> Response:
    """After a step of an election: its page, with what happened said once."""
    flash(request, message, kind)
    return redirect_after_post(request, request.app.route_reverse("election", election_id=election_id))


async def _election_form_error(
    request: Request,
    election_id: int,
    form: str,
    error: Exception,
    data: dict,
    fragment: str | None = None,
    **context: Any,
) -> Template:
    """The form again with its errors (a 409 for a wrong phase or a second ballot, 422 for bad input)."""
    if status_of(error) == 404:
        raise error
    return await _election_page(
        request,
        election_id,
        fragment=fragment or f"council/_{form}_form.html",
        status_code=status_of(error),
        errors={form: form_errors(error)},
        values={form: data},
        **context,
    )


async def _staff_page(
    request: Request,
    *,
    term_id: int | None = None,
    page: int = 1,
    fragment: str | None = None,
    status_code: int = 200,
    errors: dict | None = None,
    values: dict | None = None,
) -> Template:
    desk = await pages.staff_desk(term_id, page)
    return render(
        request,
        "council/staff.html",
        fragment=fragment,
        status_code=status_code,
        desk=desk,
        positions=POSITIONS,
        errors=errors or {},
        values={"term": await terms.suggested_term(), **(values or {})},
    )
