"""Council terms: creating one, listing them, the current and the suggested next term."""

from __future__ import annotations

import datetime as dt

import msgspec

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.clock import block_today
from block_service.council.schemas import (
    TermForm,
    TermOut,
)
from block_service.council.tables import (
    CouncilTerm,
)
from block_service.db import duplicate_means, write_transaction
from block_service.errors import FormInvalid, Invalid, NotFound
from block_service.i18n import N_
from block_service.pagination import Page, clamp, paginate


def _parse_date(text: str | None, field: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Invalid("Enter a date as YYYY-MM-DD.", field=field) from None


def _term_out(row: dict, today: dt.date | None = None) -> TermOut:
    today = today or block_today()
    term = msgspec.convert({key: row[key] for key in ("id", "number", "starts_on", "ends_on", "seats")}, TermOut)
    term.is_current = term.starts_on <= today <= term.ends_on
    term.has_ended = term.ends_on < today
    return term


async def create_term(staff: Viewer, form: TermForm) -> int:
    starts_on = _parse_date(form.starts_on, "starts_on")
    ends_on = _parse_date(form.ends_on, "ends_on")
    assert starts_on and ends_on
    if ends_on <= starts_on:
        raise FormInvalid({"ends_on": N_("A term must end after it starts.")})
    with duplicate_means(FormInvalid({"number": N_("A term with this number exists already.")})):
        async with write_transaction():
            clash = (
                await CouncilTerm.select(CouncilTerm.number)
                .where((CouncilTerm.starts_on <= ends_on) & (CouncilTerm.ends_on >= starts_on))
                .first()
            )
            if clash:
                raise FormInvalid({"starts_on": N_("These dates overlap term %(number)s.")}, number=clash["number"])
            rows = await CouncilTerm.insert(
                CouncilTerm(
                    number=form.number,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    seats=form.seats,
                    created_by=staff.person_id,
                    created_at=clock.now(),
                )
            ).returning(CouncilTerm.id)
            term_id = rows[0]["id"]
            await record_change(
                actor_id=staff.person_id,
                action="council_term.created",
                object_type="council_term",
                object_id=term_id,
                after={
                    "number": form.number,
                    "starts_on": form.starts_on,
                    "ends_on": form.ends_on,
                    "seats": form.seats,
                },
            )
    return term_id


async def list_terms(page: int = 1) -> Page[TermOut]:
    page, per_page = clamp(page, 20)
    today = block_today()
    return await paginate(
        CouncilTerm.select().order_by(CouncilTerm.number, ascending=False),
        CouncilTerm.count(),
        page,
        per_page,
        lambda row: _term_out(row, today),
    )


async def get_term(term_id: int) -> TermOut:
    row = await CouncilTerm.select().where(CouncilTerm.id == term_id).first()
    if row is None:
        raise NotFound("No such council term.")
    return _term_out(row)


async def current_term() -> TermOut | None:
    today = block_today()
    row = (
        await CouncilTerm.select()
        .where((CouncilTerm.starts_on <= today) & (CouncilTerm.ends_on >= today))
        .order_by(CouncilTerm.starts_on, ascending=False)
        .first()
    )
    return _term_out(row, today) if row else None


async def suggested_term() -> dict[str, str]:
    """Values for the new-term form: the next number, two years from the day after the last term."""
    last = (
        await CouncilTerm.select(CouncilTerm.number, CouncilTerm.ends_on, CouncilTerm.seats)
        .order_by(CouncilTerm.number, ascending=False)
        .first()
    )
    today = block_today()
    starts = max(today, last["ends_on"] + dt.timedelta(days=1)) if last else today
    try:
        ends = starts.replace(year=starts.year + 2) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        ends = dt.date(starts.year + 2, 2, 28)
    return {
        "number": str(last["number"] + 1 if last else 1),
        "starts_on": starts.isoformat(),
        "ends_on": ends.isoformat(),
        "seats": str(last["seats"] if last else 5),
    }
