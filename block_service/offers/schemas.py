"""Offer schemas: the merchant's form in; offers, their hours and kinds out; the strip map's markers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

Description = Annotated[str, msgspec.Meta(min_length=2, max_length=1000)]
Conditions = Annotated[str, msgspec.Meta(max_length=500)]
DayHours = Annotated[str, msgspec.Meta(max_length=120)]
# A date field sends YYYY-MM-DD; the service parses it (and says so in the person's language when it cannot).
DateText = Annotated[str, msgspec.Meta(min_length=1, max_length=10)]
DbId = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]


class OfferForm(msgspec.Struct, kw_only=True):
    """One field per weekday (Monday hours_0 … Sunday hours_6); an empty day is closed."""

    shop_id: DbId
    kind_id: DbId
    description: Description
    conditions: Conditions = ""
    valid_until: DateText
    hours_0: DayHours = ""
    hours_1: DayHours = ""
    hours_2: DayHours = ""
    hours_3: DayHours = ""
    hours_4: DayHours = ""
    hours_5: DayHours = ""
    hours_6: DayHours = ""

    def day_fields(self) -> dict[int, str]:
        return {day: getattr(self, f"hours_{day}") for day in range(7)}


class OfferKindForm(msgspec.Struct, kw_only=True):
    slug: Annotated[str, msgspec.Meta(min_length=2, max_length=40, pattern=r"^[a-z0-9-]+$")]
    name_zh: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    name_en: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    sort_order: Annotated[int, msgspec.Meta(ge=0, le=999)] = 0
    active: bool = True


class OfferKindOut(msgspec.Struct, kw_only=True):
    id: int
    slug: str
    name_zh: str
    name_en: str
    sort_order: int
    active: bool


class HoursOut(msgspec.Struct, kw_only=True):
    """A range in minutes from the weekday's midnight (Monday 0); closes past 1440 runs past midnight."""

    weekday: int
    opens: int
    closes: int


class OfferOut(msgspec.Struct, kw_only=True):
    id: int
    shop_id: int
    shop_name: str
    house_number: str
    street_number: int
    segment_id: int
    kind_id: int
    kind_slug: str
    kind_name_zh: str
    kind_name_en: str
    description: str
    conditions: str
    valid_until: dt.date
    status: str
    thanks_count: int
    hours: list[HoursOut] = []
    open_now: bool = False


class OfferFilter(msgspec.Struct, kw_only=True):
    kind: int | None = None
    segment: int | None = None
    open_now: bool = False
    shop: int | None = None
    page: int = 1
    per_page: int = 20


class OfferMarker(msgspec.Struct, kw_only=True):
    """One offer on a road's strip map: where (house number), what, its page, and whether it is open now."""

    offer_id: int
    shop_id: int
    house_number: str
    street_number: int
    label: str
    href: str
    open_now: bool


class ReportForm(msgspec.Struct, kw_only=True):
    """What happened when the offer was not honoured; opens a thread about the shop."""

    body: Annotated[str, msgspec.Meta(min_length=5, max_length=2000)]
