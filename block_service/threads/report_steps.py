"""The guided report, step by step: what each step accepts, and sending the finished draft as a report."""

from __future__ import annotations

import msgspec

from block_service.accounts.schemas import Viewer
from block_service.errors import FormInvalid, Invalid
from block_service.i18n import N_
from block_service.shops.segments import parse_house_number, segment_for_number
from block_service.shops.services import shop_choices
from block_service.threads import categories, opening
from block_service.threads.drafts import Draft
from block_service.threads.schemas import ThreadForm

STEPS = ("photo", "place", "category", "details", "privacy", "review")
# Which step asks for a field: an error found when the report is sent is shown on that step.
STEP_OF_FIELD = {
    "photos": "photo",
    "house_number": "place",
    "shop_id": "place",
    "map_side": "place",
    "category_id": "category",
    "kind": "category",
    "title": "details",
    "body": "details",
    "anonymous": "privacy",
    "name_to_shop": "privacy",
}


MIN_TITLE, MAX_TITLE, MAX_BODY = 4, 80, 4000


def next_step(step: str) -> str:
    return STEPS[min(STEPS.index(step) + 1, len(STEPS) - 1)]


def previous_step(step: str) -> str | None:
    return STEPS[STEPS.index(step) - 1] if STEPS.index(step) > 0 else None


def shops_by_segment(shops: list[dict], segments: list) -> dict[int, list[dict]]:
    """Open shops grouped under the road segment their house number falls in."""
    grouped: dict[int, list[dict]] = {segment.id: [] for segment in segments}
    for shop in shops:
        try:
            number = parse_house_number(shop["house_number"])[1]
        except Invalid:
            continue
        for segment in segments:
            if segment.first_number <= number <= segment.last_number:
                grouped[segment.id].append(shop)
                break
    return grouped


async def read_place(data: dict) -> dict[str, str]:
    """A shop picked, or a house number typed (a tapped segment only narrows the choice)."""
    shop_text = str(data.get("shop_id") or "").strip()
    typed = str(data.get("house_number") or "").strip()
    map_side = str(data.get("map_side") or "")
    if map_side not in ("", "east", "west"):
        map_side = ""
    shop = None
    if shop_text:
        shop = next((s for s in await shop_choices() if str(s["id"]) == shop_text), None)
        if shop is None:
            raise FormInvalid({"shop_id": N_("Choose a shop from the list.")})
    if not typed and shop is None:
        raise FormInvalid({"house_number": N_("Tap the place on the road, pick a shop or type the house number.")})
    house_number, number = parse_house_number(typed or shop["house_number"])
    segment_id = await segment_for_number(number)
    return {
        "house_number": house_number,
        "shop_id": str(shop["id"]) if shop else "",
        "shop_name": shop["name"] if shop else "",
        "segment_id": str(segment_id),
        "map_side": map_side,
    }


async def read_category(data: dict) -> dict[str, str]:
    chosen = str(data.get("category_id") or "")
    if not any(str(c.id) == chosen for c in await categories.list_categories("report")):
        raise FormInvalid({"category_id": N_("Choose what kind of problem it is.")})
    return {"category_id": chosen}


async def read_details(data: dict) -> dict[str, str]:
    """One line (4 to 80 characters) and, if the person wants, more detail."""
    title = " ".join(str(data.get("title") or "").split())
    body = str(data.get("body") or "").strip()
    errors = {}
    if len(title) < MIN_TITLE:
        errors["title"] = N_("Say in a few words what is wrong (at least 4 characters).")
    elif len(title) > MAX_TITLE:
        errors["title"] = N_("Keep the line short: at most 80 characters; say more below.")
    if len(body) > MAX_BODY:
        errors["body"] = N_("At most 4,000 characters, please.")
    if errors:
        raise FormInvalid(errors)
    return {"title": title, "body": body}


async def read_privacy(data: dict) -> dict[str, str]:
    shown = str(data.get("anonymous") or "")
    if shown not in ("yes", "no"):
        raise FormInvalid({"anonymous": N_("Choose how your name is shown.")})
    name_to_shop = "yes" if shown == "yes" and data.get("name_to_shop") in ("true", "yes", "1", "on") else ""
    return {"anonymous": shown, "name_to_shop": name_to_shop}


def missing_steps(fields: dict[str, str]) -> list[str]:
    """The steps still to answer before the report can be sent (the photo is optional)."""
    needed = {"place": "house_number", "category": "category_id", "details": "title", "privacy": "anonymous"}
    return [step for step, field in needed.items() if not fields.get(field)]


async def send_draft(viewer: Viewer, draft: Draft) -> int:
    """Open the report the draft describes; its photos become the thread's. Refusals name their step's field."""
    fields = draft.fields
    gaps = missing_steps(fields)
    if gaps:
        raise FormInvalid({"__all__": N_("Some steps are not answered yet.")})
    try:
        form = ThreadForm(
            kind="report",
            title=fields["title"],
            body=fields.get("body") or fields["title"],
            category_id=int(fields["category_id"]),
            house_number=fields["house_number"],
            shop_id=int(fields["shop_id"]) if fields.get("shop_id") else None,
            map_side=fields.get("map_side", "") if fields.get("map_side") in ("east", "west") else "",
            anonymous=fields.get("anonymous") == "yes",
            name_to_shop=fields.get("name_to_shop") == "yes",
        )
    except (ValueError, msgspec.ValidationError) as error:
        raise FormInvalid({"__all__": N_("Some steps are not answered yet.")}) from error
    return await opening.open_thread(viewer, form, list(draft.photos))
