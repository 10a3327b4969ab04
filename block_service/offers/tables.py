"""Tables of community offers: the kinds staff keep, a shop's offers, their weekly hours and the thanks.

(person, offer, month) of a thanks is unique through a raw index (see migrations/block_2026_11_29t08_40_01_000000.py).
"""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from block_service.accounts.tables import Person
from block_service.shops.tables import Shop


class OfferKind(Table, tablename="offer_kind"):
    """Drinking water, a toilet, phone charging…: data staff rename, reorder and retire."""

    slug = Varchar(length=40, unique=True)
    name_zh = Varchar(length=60)
    name_en = Varchar(length=80)
    sort_order = Integer(default=0, index=True)
    active = Boolean(default=True)


class Offer(Table, tablename="offer"):
    """What a shop offers the community, when, on which conditions, until when."""

    shop = ForeignKey(references=Shop, index=True)
    kind = ForeignKey(references=OfferKind)  # indexed as offer_by_kind (offer_kind is the kinds table's name)
    description = Text(default="")
    conditions = Text(default="")
    valid_until = Date(index=True)
    status = Varchar(length=10, default="active", index=True)  # active | withdrawn
    thanks_count = Integer(default=0)
    created_by = ForeignKey(references=Person, null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    # When the shop's merchants were told the offer ends within a week; claimed by the task, so told once.
    expiry_warned_at = Timestamptz(null=True, default=None, index=True)


class OfferHours(Table, tablename="offer_hours"):
    """One opening range: minutes from the weekday's midnight (Monday 0); `closes` past 1440 runs overnight."""

    offer = ForeignKey(references=Offer, index=True)
    weekday = Integer()
    opens = Integer()
    closes = Integer()


class OfferThanks(Table, tablename="offer_thanks"):
    """ "Thank you, I used it": once per person, offer and month (YYYY-MM in Beijing time)."""

    offer = ForeignKey(references=Offer, index=True)
    person = ForeignKey(references=Person, index=True)
    month = Varchar(length=7)
    created_at = Timestamptz()
