"""The road's strip map, north at the top, odd numbers left and even numbers right: its layout, and the markers
any domain puts on it without touching the map (drawn by templates/groups/_road.html).

A domain adds a kind of marker once, when its controllers load::

    register_markers("offer", N_("Offers"), offers_between, count=N_("Offers: %(num)s"), shape="square")

where `offers_between(first_number, last_number)` returns `StripMarker`s (house number, kind, label, link) of
what everybody may see in that range of house numbers. Every strip map then shows them: the markers of a
stretch (a regional group's page, a thread's place), the counts per segment of the whole road, and the panel
that tapping a segment opens (`/road/{segment_id}`), with the same things as a text list for screen readers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from block_service.errors import NotFound
from block_service.groups.schemas import StripBand, StripMap, StripMarker, StripPoint
from block_service.groups.tables import OrgGroup
from block_service.i18n import N_
from block_service.shops.schemas import SegmentOut
from block_service.shops.segments import list_segments
from block_service.shops.tables import Shop

TOP = 36.0
ROAD_LENGTH = 320.0
LABEL_GAP = 18.0
BOTTOM_MARGIN = 36.0
# The whole road: each segment's box is at least this tall (its name and counts), plus its share of the road.
BAND_MIN = 64.0
BAND_SHARE = 240.0
# What one kind may put on one map: a stretch stays readable, a query stays bounded.
MAX_MARKERS_PER_KIND = 160
SHAPES = ("circle", "square", "diamond")

MarkerSource = Callable[[int, int], Awaitable[list[StripMarker]]]


@dataclass(frozen=True)
class MarkerKind:
    """A kind of marker: its legend and its count wording (English msgids, the count as %(num)s), its shape."""

    name: str
    legend: str
    count: str
    source: MarkerSource
    shape: str = "circle"
    order: int = 100


_kinds: dict[str, MarkerKind] = {}


def register_markers(
    kind: str,
    legend: str,
    source: MarkerSource,
    *,
    count: str,
    shape: str = "circle",
    order: int = 100,
) -> None:
    """Register (or replace) a kind of marker and where its markers come from (public things only: the maps
    are kept and shown to everybody alike)."""
    if shape not in SHAPES:
        raise ValueError(f"a marker's shape is one of {SHAPES}: {shape!r}")
    _kinds[kind] = MarkerKind(name=kind, legend=legend, count=count, source=source, shape=shape, order=order)


def marker_kind(kind: str) -> MarkerKind | None:
    return _kinds.get(kind)


def marker_kinds() -> list[MarkerKind]:
    return sorted(_kinds.values(), key=lambda item: (item.order, item.name))


async def markers_between(first_number: int, last_number: int) -> list[StripMarker]:
    """Every registered kind's markers in this range of house numbers (one query per kind, bounded)."""
    found: list[StripMarker] = []
    for kind in marker_kinds():
        found.extend((await kind.source(first_number, last_number))[:MAX_MARKERS_PER_KIND])
    return found


def _order(marker: StripMarker) -> tuple:
    rank = _kinds[marker.kind].order if marker.kind in _kinds else 1000
    return (marker.street_number, rank, marker.label)


def _place(marker: StripMarker, y: float, label_y: float) -> StripPoint:
    return StripPoint(
        street_number=marker.street_number,
        kind=marker.kind,
        label=marker.label,
        href=marker.href,
        house_number=marker.house_number or f"{marker.street_number}号",
        odd_side=marker.street_number % 2 == 1,
        y=round(y, 1),
        label_y=round(label_y, 1),
    )


def lay_out_strip(
    first_number: int, last_number: int, markers: Iterable[StripMarker], *, here: StripMarker | None = None
) -> StripMap:
    """A stretch of the road with labelled markers placed by house number; labels never overlap. `here` is
    highlighted (a marker with the same link is drawn once, as `here`)."""
    span = max(last_number - first_number, 1)

    def y_of(number: int) -> float:
        return TOP + (min(max(number, first_number), last_number) - first_number) / span * ROAD_LENGTH

    points: list[StripPoint] = []
    last_label = {True: -LABEL_GAP, False: -LABEL_GAP}
    for marker in sorted(markers, key=_order):
        if here is not None and here.href and marker.href == here.href:
            continue
        y = y_of(marker.street_number)
        odd = marker.street_number % 2 == 1
        label_y = max(y, last_label[odd] + LABEL_GAP)
        last_label[odd] = label_y
        points.append(_place(marker, y, label_y))
    placed_here = None if here is None else _place(here, y_of(here.street_number), y_of(here.street_number))
    bottom = max([TOP + ROAD_LENGTH] + [point.label_y for point in points])
    return StripMap(
        first_number=first_number,
        last_number=last_number,
        top=TOP,
        bottom=round(bottom, 1),
        height=round(bottom + BOTTOM_MARGIN, 1),
        points=points,
        here=placed_here,
    )


def lay_out_road(
    segments: Iterable, markers: Iterable[StripMarker], href: Callable[[int], str], *, here: int | None = None
) -> StripMap:
    """The whole road: one band per segment (each as tall as its name and counts need, plus its share of the
    road), markers as unlabelled dots, counted per band. `segments` have id, name_zh, name_en, first_number,
    last_number; `href(segment_id)` is where tapping a band goes; `here` is a house number to highlight."""
    ordered = sorted(segments, key=lambda segment: segment.first_number)
    if not ordered:
        return StripMap(first_number=0, last_number=0, top=TOP, bottom=TOP, height=TOP + BOTTOM_MARGIN, points=[])
    first, last = ordered[0].first_number, ordered[-1].last_number
    span = max(last - first + 1, 1)
    bands: list[StripBand] = []
    y = TOP
    for segment in ordered:
        height = BAND_MIN + (segment.last_number - segment.first_number + 1) / span * BAND_SHARE
        bands.append(
            StripBand(
                segment_id=segment.id,
                name_zh=segment.name_zh,
                name_en=segment.name_en,
                first_number=segment.first_number,
                last_number=segment.last_number,
                y=round(y, 1),
                height=round(height, 1),
                href=href(segment.id),
            )
        )
        y += height

    def y_of(number: int) -> float | None:
        for band in bands:
            if band.first_number <= number <= band.last_number:
                share = (number - band.first_number + 0.5) / (band.last_number - band.first_number + 1)
                return band.y + 4 + share * (band.height - 8)
        return None

    points: list[StripPoint] = []
    for marker in sorted(markers, key=_order):
        marker_y = y_of(marker.street_number)
        if marker_y is None:
            continue
        points.append(_place(marker, marker_y, marker_y))
        band = next(band for band in bands if band.first_number <= marker.street_number <= band.last_number)
        band.counts[marker.kind] = band.counts.get(marker.kind, 0) + 1
    here_y = None if here is None else y_of(here)
    placed_here = None
    if here is not None and here_y is not None:
        placed_here = _place(StripMarker(street_number=here, kind="here", label=""), here_y, here_y)
    return StripMap(
        first_number=first,
        last_number=last,
        top=TOP,
        bottom=round(y, 1),
        height=round(y + BOTTOM_MARGIN, 1),
        points=points,
        bands=bands,
        here=placed_here,
        labelled=False,
    )


# ---- the shops: the first kind of marker, owned here (the groups read the registry of shops) -----------


async def shops_between(first_number: int, last_number: int) -> list[StripMarker]:
    rows = (
        await Shop.select(Shop.id, Shop.name, Shop.house_number, Shop.street_number)
        .where((Shop.status == "open") & (Shop.street_number >= first_number) & (Shop.street_number <= last_number))
        .order_by(Shop.street_number)
        .order_by(Shop.id)
        .limit(MAX_MARKERS_PER_KIND)
    )
    return [
        StripMarker(
            street_number=row["street_number"],
            kind="shop",
            label=row["name"],
            href=f"/shops/{row['id']}",
            house_number=row["house_number"],
        )
        for row in rows
    ]


register_markers("shop", N_("Shops"), shops_between, count=N_("Shops: %(num)s"), order=10)


# ---- the maps the pages show ---------------------------------------------------------------------------


async def whole_road(here: int | None = None) -> StripMap:
    """The whole road, segment by segment, with every kind's markers counted; a band opens /road/{segment}."""
    segments = await list_segments()
    if not segments:
        return lay_out_road([], [], str)
    first = min(segment.first_number for segment in segments)
    last = max(segment.last_number for segment in segments)
    return lay_out_road(
        segments, await markers_between(first, last), lambda segment_id: f"/road/{segment_id}", here=here
    )


async def segment_stretch(segment_id: int, here: StripMarker | None = None) -> tuple[SegmentOut, StripMap]:
    """One segment of the road and what is on it, `here` highlighted (NotFound for no such segment)."""
    segment = next((item for item in await list_segments() if item.id == segment_id), None)
    if segment is None:
        raise NotFound("No such segment.")
    markers = await markers_between(segment.first_number, segment.last_number)
    return segment, lay_out_strip(segment.first_number, segment.last_number, markers, here=here)


async def around(segment_id: int, here: StripMarker, reach: int, per_kind: int) -> StripMap:
    """The houses within `reach` numbers of `here`, inside its segment, and the `per_kind` markers of each kind
    nearest to it (a thread's map: its neighbours, where the whole segment may hold hundreds of markers)."""
    segment = next((item for item in await list_segments() if item.id == segment_id), None)
    if segment is None:
        raise NotFound("No such segment.")
    first = max(segment.first_number, here.street_number - reach)
    last = min(segment.last_number, here.street_number + reach)
    nearest: dict[str, list[StripMarker]] = {}
    for marker in await markers_between(first, last):
        if not (here.href and marker.href == here.href):
            nearest.setdefault(marker.kind, []).append(marker)
    kept = [
        marker
        for markers in nearest.values()
        for marker in sorted(markers, key=lambda item: abs(item.street_number - here.street_number))[:per_kind]
    ]
    return lay_out_strip(first, last, kept, here=here)


async def group_of_segment(segment_id: int) -> str | None:
    """The slug of the segment's regional group, if there is one."""
    row = await OrgGroup.select(OrgGroup.slug).where(OrgGroup.segment == segment_id).first()
    return row["slug"] if row else None
