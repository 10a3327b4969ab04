"""Helpers for group and council tests: merchants with shops, terms and elections made through the services."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from block_service import clock
from block_service.council import nominations, terms
from block_service.council.schemas import ElectionForm, StandForm, TermForm
from block_service.i18n import current_language, gettext, ngettext
from tests.helpers import make_person, make_shop, viewer_for


def zh(message: str, **params) -> str:
    """A message as the zh-Hans catalogue has it, so tests read what a person reads, whoever worded it."""
    token = current_language.set("zh-Hans")
    try:
        return gettext(message, **params)
    finally:
        current_language.reset(token)


def zh_plural(singular: str, plural: str, count: int, **params) -> str:
    token = current_language.set("zh-Hans")
    try:
        return ngettext(singular, plural, count, **params)
    finally:
        current_language.reset(token)


async def staff_viewer(contact: str | None = None):
    person = await make_person("工作站", contact or f"staff-{uuid.uuid4().hex[:8]}@test.example", roles=("staff",))
    return viewer_for(person, "staff")


async def merchant(name: str, house_number: str = "1143号", shop_name: str | None = None, contact: str | None = None):
    """A person who acts for a newly approved shop; the Viewer carries the shop as a request's would."""
    person = await make_person(name, contact)
    shop_name = shop_name or f"{name}的店"
    # The same shop always gets the same licence number, so two runs of a scenario read the same.
    licence = "91310115" + hashlib.sha256(shop_name.encode()).hexdigest()[:10].upper()
    shop = await make_shop(person, name=shop_name, house_number=house_number, licence=licence)
    return viewer_for(person, "resident", "merchant", shops=(shop,))


def shop_of(viewer) -> int:
    return next(iter(viewer.shop_ids))


async def make_term(staff, number: int = 1, seats: int = 5, started_days_ago: int = 30, days: int = 730) -> int:
    """A term running today (by default), dated relative to today so no test depends on the calendar."""
    starts = clock.block_today() - dt.timedelta(days=started_days_ago)
    form = TermForm(
        number=number, starts_on=starts.isoformat(), ends_on=(starts + dt.timedelta(days=days)).isoformat(), seats=seats
    )
    return await terms.create_term(staff, form)


async def make_election(staff, term_id: int) -> int:
    return await nominations.open_election(staff, term_id, ElectionForm())


async def stand(candidate, election_id: int, statement: str = "我会为街区多跑腿。") -> int:
    return await nominations.stand(candidate, election_id, StandForm(shop_id=shop_of(candidate), statement=statement))


async def election_for_permission_walk() -> None:
    """An open election (id 1 in a fresh database) so the election pages answer the permission walk."""
    staff = await staff_viewer()
    await make_election(staff, await make_term(staff))
