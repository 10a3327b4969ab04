"""Helpers for motion tests: a sitting council made directly (the election path is tested elsewhere)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from block_service.clock import BLOCK_TIMEZONE, now
from block_service.council.motion_schemas import MotionForm
from block_service.council.motions import open_motion
from block_service.council.tables import Seat
from tests.council_helpers import make_term, merchant, shop_of, staff_viewer

NAMES = ("赵老师", "许老板", "钱师傅", "孙阿姨", "李老板", "周师傅", "吴老板", "郑阿姨", "王师傅")


@dataclass
class Council:
    staff: object
    term_id: int
    members: list  # Viewers; members[0] is the chair
    seats: list[int]

    @property
    def chair(self):
        return self.members[0]


async def seated_council(size: int = 5, *, contacts: tuple[str, ...] = ()) -> Council:
    staff = await staff_viewer()
    term_id = await make_term(staff, seats=max(size, 1))
    members, seats = [], []
    for index in range(size):
        contact = contacts[index] if index < len(contacts) else None
        member = await merchant(
            NAMES[index % len(NAMES)] + ("" if index < len(NAMES) else str(index)),
            f"{1101 + 2 * index}号",
            contact=contact,
        )
        member = type(member)(
            person_id=member.person_id,
            display_name=member.display_name,
            roles=member.roles | {"council"},
            shop_ids=member.shop_ids,
        )
        rows = await Seat.insert(
            Seat(
                term=term_id,
                person=member.person_id,
                shop=shop_of(member),
                position="chair" if index == 0 else "member",
                source="election",
                started_at=now() - dt.timedelta(days=20),
            )
        ).returning(Seat.id)
        members.append(member)
        seats.append(rows[0]["id"])
    return Council(staff=staff, term_id=term_id, members=members, seats=seats)


def local(moment: dt.datetime) -> str:
    return moment.astimezone(BLOCK_TIMEZONE).strftime("%Y-%m-%dT%H:%M")


def motion_form(**fields) -> MotionForm:
    values = {
        "title": "在1141弄口增设共享充电桩",
        "text": "理事会就是否使用自治金增设充电桩进行表决。",
        "closes_at": local(now() + dt.timedelta(days=3)),
    }
    values.update(fields)
    return MotionForm(**values)


async def a_motion(council: Council, **fields) -> int:
    return await open_motion(council.chair, motion_form(**fields))
