"""Where a regional group's shops go on its strip map: pure layout, drawn by templates/groups/_strip.html."""

from __future__ import annotations

from block_service.groups.schemas import StripMap, StripPoint

TOP = 36.0
ROAD_LENGTH = 320.0
LABEL_GAP = 18.0
BOTTOM_MARGIN = 36.0


def lay_out_strip(first_number: int, last_number: int, shops: list[dict]) -> StripMap:
    """Shops (id, name, house_number, street_number) placed by house number; labels never overlap."""
    span = max(last_number - first_number, 1)
    points: list[StripPoint] = []
    last_label = {True: -LABEL_GAP, False: -LABEL_GAP}
    for shop in sorted(shops, key=lambda row: (row["street_number"], row["id"])):
        y = TOP + (min(max(shop["street_number"], first_number), last_number) - first_number) / span * ROAD_LENGTH
        odd = shop["street_number"] % 2 == 1
        label_y = max(y, last_label[odd] + LABEL_GAP)
        last_label[odd] = label_y
        points.append(
            StripPoint(
                shop_id=shop["id"],
                name=shop["name"],
                house_number=shop["house_number"],
                odd_side=odd,
                y=round(y, 1),
                label_y=round(label_y, 1),
            )
        )
    bottom = max([TOP + ROAD_LENGTH] + [point.label_y for point in points])
    return StripMap(
        first_number=first_number,
        last_number=last_number,
        top=TOP,
        bottom=round(bottom, 1),
        height=round(bottom + BOTTOM_MARGIN, 1),
        points=points,
    )
