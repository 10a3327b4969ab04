"""Helpers for need tests: a need posted through the service."""

from __future__ import annotations

import datetime as dt

from block_service.clock import BLOCK_TIMEZONE, now
from block_service.needs.schemas import NeedForm
from block_service.needs.services import post_need


def days_ahead(days: int) -> str:
    return (now().astimezone(BLOCK_TIMEZONE).date() + dt.timedelta(days=days)).isoformat()


async def make_need(author, *, title: str = "周末清洁需要志愿者", kind: str = "volunteers", **fields) -> int:
    form = NeedForm(
        kind=kind,
        title=title,
        description=fields.pop("description", "周六上午打扫1141弄，工具由工作站提供"),
        quantity=fields.pop("quantity", 6),
        unit=fields.pop("unit", "人"),
        until=fields.pop("until", days_ahead(14)),
        **fields,
    )
    return await post_need(author, form)
