"""Fund pages: the public ledger (/funds, /api/funds) and staff recording income and corrections."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, Parameter, URLEncodedBody
from litestar.response import Response

from block_service.errors import DomainError, FormInvalid
from block_service.funds import services
from block_service.funds.schemas import CorrectionForm, FundsOut, IncomeForm
from block_service.i18n import gettext as _
from block_service.web import shared_pages
from block_service.web.auth import viewer_of
from block_service.web.forms import form_errors, read_form, status_of
from block_service.web.htmx import redirect_after_post
from block_service.web.params import PageNumber
from block_service.web.templating import flash, render

YearParam = Annotated[int | None, Parameter(ge=2000, le=2100)]


class FundController(Controller):
    @get("/funds", name="funds")
    async def funds(
        self, request: Request, year: FromQuery[YearParam] = None, page: FromQuery[PageNumber] = 1
    ) -> Response:
        shared = await shared_pages.lookup(request, shared_pages.by_role)
        if isinstance(shared, Response):
            return shared
        funds = await services.funds_of(year, page)
        return shared_pages.render_shared(
            request, shared, "funds/page.html", fragment="funds/_ledger.html", funds=funds
        )


class FundApiController(Controller):
    path = "/api"
    tags = ["funds"]

    @get("/funds", name="api_funds")
    async def api_funds(
        self, request: Request, year: FromQuery[YearParam] = None, page: FromQuery[PageNumber] = 1
    ) -> FundsOut:
        """The autonomous fund of one year (this year by default), amounts in fen: income, allocated, spent,
        available (income - allocated), balance (income - spent), and the ledger a page at a time, newest first."""
        return await shared_pages.kept_value(request, shared_pages.by_role, lambda: services.funds_of(year, page))


class StaffFundController(Controller):
    path = "/staff"

    @get("/funds", name="staff_funds")
    async def staff_funds(self, request: Request, year: FromQuery[YearParam] = None) -> Response:
        return await _staff_page(request, year)

    @post("/funds/income", name="record_fund_income")
    async def record_fund_income(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        try:
            form = read_form(IncomeForm, data)
            entry_id = await services.record_income(viewer_of(request), form)
        except (FormInvalid, DomainError) as error:
            if status_of(error) == 403:
                raise
            return await _staff_page(request, None, income=(form_errors(error), data), status=status_of(error))
        flash(request, _("Income recorded as entry %(id)s.", id=entry_id), "success")
        return redirect_after_post(request, request.app.route_reverse("staff_funds") + f"?year={form.year}")

    @post("/funds/corrections", name="correct_fund_entry")
    async def correct_fund_entry(self, request: Request, data: URLEncodedBody[dict[str, Any]]) -> Response:
        try:
            entry_id = await services.correct(viewer_of(request), read_form(CorrectionForm, data))
        except (FormInvalid, DomainError) as error:
            if status_of(error) == 403:
                raise
            return await _staff_page(request, None, correction=(form_errors(error), data), status=status_of(error))
        flash(request, _("Correction recorded as entry %(id)s.", id=entry_id), "success")
        return redirect_after_post(request, request.app.route_reverse("staff_funds"))


async def _staff_page(
    request: Request,
    year: int | None,
    *,
    income: tuple[dict, dict] = ({}, {}),
    correction: tuple[dict, dict] = ({}, {}),
    status: int = 200,
) -> Response:
    funds = await services.funds_of(year, 1)
    return render(
        request,
        "funds/staff.html",
        status_code=status,
        funds=funds,
        income_errors=income[0],
        income_values=income[1] or {"year": str(funds.year)},
        correction_errors=correction[0],
        correction_values=correction[1],
    )
