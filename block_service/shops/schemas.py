"""Shop schemas: application and edit forms in, shops and applications out."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from block_service.names import shown_name

ShopName = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
HouseNumber = Annotated[str, msgspec.Meta(min_length=1, max_length=30)]
# The unified social credit code (统一社会信用代码) is 18 characters; older licences have 15 digits.
LicenceNumber = Annotated[str, msgspec.Meta(min_length=15, max_length=18, pattern=r"^[0-9A-Za-z]{15,18}$")]
Phone = Annotated[str, msgspec.Meta(min_length=7, max_length=20, pattern=r"^[0-9+\- ]{7,20}$")]
ShopStatus = Literal["open", "closed"]


class ShopApplicationForm(msgspec.Struct, kw_only=True):
    shop_name: ShopName
    house_number: HouseNumber
    industry_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]  # also a JSON body: bounded like every id
    licence_number: LicenceNumber
    phone: Phone


class MerchantShopForm(msgspec.Struct, kw_only=True):
    """What a merchant may change about their own shop."""

    phone: Phone
    opening_hours: Annotated[str, msgspec.Meta(max_length=60)] = ""
    description: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class StaffShopForm(msgspec.Struct, kw_only=True):
    """Staff may also move a shop, change its industry or close it (which changes its groups)."""

    name: ShopName
    house_number: HouseNumber
    industry_id: int
    phone: Phone
    status: ShopStatus
    opening_hours: Annotated[str, msgspec.Meta(max_length=60)] = ""
    description: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class SegmentForm(msgspec.Struct, kw_only=True):
    slug: Annotated[str, msgspec.Meta(min_length=2, max_length=40, pattern=r"^[a-z0-9-]+$")]
    name_zh: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    name_en: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    first_number: Annotated[int, msgspec.Meta(ge=1, le=99999)]
    last_number: Annotated[int, msgspec.Meta(ge=1, le=99999)]
    sort_order: Annotated[int, msgspec.Meta(ge=0, le=999)] = 0


class IndustryForm(msgspec.Struct, kw_only=True):
    slug: Annotated[str, msgspec.Meta(min_length=2, max_length=40, pattern=r"^[a-z0-9-]+$")]
    name_zh: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    name_en: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    sort_order: Annotated[int, msgspec.Meta(ge=0, le=999)] = 0


class SegmentOut(msgspec.Struct, kw_only=True):
    id: int
    slug: str
    name_zh: str
    name_en: str
    first_number: int
    last_number: int
    sort_order: int


class IndustryOut(msgspec.Struct, kw_only=True):
    id: int
    slug: str
    name_zh: str
    name_en: str
    sort_order: int


class ShopOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    house_number: str
    street_number: int
    segment_id: int
    segment_name_zh: str
    segment_name_en: str
    industry_id: int
    industry_name_zh: str
    industry_name_en: str
    phone: str
    opening_hours: str
    description: str
    status: str
    created_at: dt.datetime


class MerchantOut(msgspec.Struct, kw_only=True):
    person_id: int
    display_name: str
    since: dt.datetime

    def __post_init__(self) -> None:
        self.display_name = shown_name(self.display_name)  # a deleted account: "a former merchant"


class ShopDetail(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A shop and the people acting for it; `merchants` is left out for viewers who may not see them."""

    shop: ShopOut
    merchants: list[MerchantOut] | None = None


class ApplicationOut(msgspec.Struct, kw_only=True):
    id: int
    applicant_id: int
    applicant_name: str
    shop_name: str
    house_number: str
    segment_name_zh: str
    segment_name_en: str
    industry_name_zh: str
    industry_name_en: str
    licence_number: str
    phone: str
    status: str
    reason: str
    shop_id: int | None
    created_at: dt.datetime
    reviewed_at: dt.datetime | None

    def __post_init__(self) -> None:
        self.applicant_name = shown_name(self.applicant_name)  # a deleted account: "a former resident"


class ShopFilter(msgspec.Struct, kw_only=True):
    q: str | None = None
    segment: int | None = None
    industry: int | None = None
    status: str | None = "open"
    page: int = 1
    per_page: int = 20


class CandidateChoice(msgspec.Struct, kw_only=True):
    """A merchant offered for a choice (a group's leader, a council nominee): they act for this open shop."""

    person_id: int
    display_name: str
    shop_id: int
    shop_name: str

    def __post_init__(self) -> None:
        self.display_name = shown_name(self.display_name)  # a deleted account: "a former merchant"
