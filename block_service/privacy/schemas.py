"""Privacy schemas: the deletion forms, what deleting an account would change, and its outcome."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec


class DeleteAccountForm(msgspec.Struct, kw_only=True):
    """A person deleting their own account: the password again, and explicit confirmations."""

    password: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    confirm: bool = False
    confirm_shops: bool = False  # needed only when a shop would be left without a merchant


class StaffDeleteForm(msgspec.Struct, kw_only=True):
    """Staff deleting an account on the person's request."""

    confirm: bool = False
    confirm_shops: bool = False


class ShopLeftAlone(msgspec.Struct, kw_only=True):
    id: int
    name: str
    house_number: str


class DeletionPreview(msgspec.Struct, kw_only=True):
    """What deleting this account would change, shown before the person confirms."""

    person_id: int
    display_name: str
    erased: bool
    was_merchant: bool
    shops_left_alone: list[ShopLeftAlone] = []
    sitting_seats: int = 0


class ErasureOutcome(msgspec.Struct, kw_only=True):
    person_id: int
    label: str
    shops_without_merchant: list[int]
    erased_at: dt.datetime
