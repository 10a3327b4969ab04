"""The demo block's organisation: group leaders, a finished first election with its seats, the next one open."""

from __future__ import annotations

import datetime as dt

from block_service import clock
from block_service.accounts.schemas import Viewer
from block_service.council import ballots, interests, nominations, seats, terms
from block_service.council.schemas import (
    AcceptForm,
    BallotForm,
    ElectionForm,
    InterestForm,
    NominateForm,
    PositionForm,
    StandForm,
    TermForm,
)
from block_service.groups import leaders
from block_service.groups import services as groups
from block_service.groups.schemas import AppointLeaderForm, BackLeaderForm
from block_service.shops.tables import ShopMerchant

# (mobile of the candidate, statement); the first term's candidates, north to south.
FIRST_CANDIDATES = [
    ("13800001010", "理发店开了十五年，北段的老邻居我都熟，愿意把大家的意见带到理事会。"),
    ("13800001002", "推动北段门前三包落到实处，水果店门口先做示范。"),
    ("13800001008", "想把中北段的小吃店拢在一起，做一条干净的“烟火小吃街”。"),
    ("13800001001", "1141弄是街区最热闹的节点，我负责把早市的秩序和卫生管好。"),
    ("13800001005", "药房可以为老人提供量血压、代收药品等服务，愿牵头“服务共享”。"),
    ("13800001009", "花店愿意认领中南段的绿化，带动商户一起美化街面。"),
]
# The south's candidate is nominated by another shop and accepts.
NOMINATED = (
    "13800001007",
    "13800001006",
    "赵老师热心社区教育，暑假常给孩子们义务辅导。",
    "南段店铺少，更要发出声音；我会定期收集大家的意见。",
)
# Who each shop approves (by candidates' mobiles); every shop votes, the tally decides.
BALLOTS = {
    "13800001001": ["13800001001", "13800001005", "13800001006"],
    "13800001002": ["13800001002", "13800001001", "13800001005"],
    "13800001003": ["13800001001", "13800001009"],
    "13800001004": ["13800001001", "13800001005", "13800001002"],
    "13800001005": ["13800001005", "13800001001"],
    "13800001006": ["13800001006", "13800001005", "13800001001"],
    "13800001007": ["13800001006", "13800001010"],
    "13800001008": ["13800001008", "13800001001"],
    "13800001009": ["13800001009", "13800001005"],
    "13800001010": ["13800001010", "13800001002"],
}
POSITIONS = {"13800001001": "chair", "13800001005": "vice_chair", "13800001006": "secretary"}


async def _merchants() -> dict[str, Viewer]:
    """Demo merchants by mobile, as Viewers acting for their shops."""
    rows = await ShopMerchant.select(
        ShopMerchant.shop,
        ShopMerchant.person,
        ShopMerchant.person.phone.as_alias("phone"),
        ShopMerchant.person.display_name.as_alias("name"),
    )
    return {
        row["phone"]: Viewer(
            person_id=row["person"],
            display_name=row["name"],
            roles=frozenset({"resident", "merchant"}),
            shop_ids=frozenset({row["shop"]}),
        )
        for row in rows
    }


def _shop(viewer: Viewer) -> int:
    return next(iter(viewer.shop_ids))


async def seed_demo_council(staff: Viewer) -> None:
    merchants = await _merchants()
    await _seed_leaders(staff, merchants)
    today = clock.block_today()
    first_term = await terms.create_term(
        staff,
        TermForm(
            number=1,
            starts_on=(today - dt.timedelta(days=550)).isoformat(),
            ends_on=(today + dt.timedelta(days=180)).isoformat(),
            seats=5,
        ),
    )
    election = await nominations.open_election(
        staff,
        first_term,
        ElectionForm(
            nomination_starts_on=(today - dt.timedelta(days=580)).isoformat(),
            nomination_ends_on=(today - dt.timedelta(days=566)).isoformat(),
            voting_starts_on=(today - dt.timedelta(days=565)).isoformat(),
            voting_ends_on=(today - dt.timedelta(days=558)).isoformat(),
        ),
    )
    candidates = {}
    for mobile, statement in FIRST_CANDIDATES:
        candidate = merchants[mobile]
        candidates[mobile] = await nominations.stand(
            candidate, election, StandForm(shop_id=_shop(candidate), statement=statement)
        )
    nominator, nominee, note, statement = NOMINATED
    nominee_viewer = merchants[nominee]
    proposed = await nominations.nominate(
        merchants[nominator],
        election,
        NominateForm(nominee=f"{_shop(nominee_viewer)}:{nominee_viewer.person_id}", note=note),
    )
    await nominations.accept_nomination(nominee_viewer, proposed, AcceptForm(statement=statement))
    candidates[nominee] = proposed
    await ballots.open_voting(staff, election)
    for voter, approved in BALLOTS.items():
        await ballots.cast_ballot(
            merchants[voter],
            election,
            BallotForm(shop_id=_shop(merchants[voter]), candidates=[candidates[mobile] for mobile in approved]),
        )
    await ballots.close_election(staff, election)
    await ballots.publish_turnout(staff, election)
    seat_of = {seat.person_id: seat.id for seat in await seats.seats_of_term(first_term)}
    for mobile, position in POSITIONS.items():
        await seats.assign_position(staff, seat_of[merchants[mobile].person_id], PositionForm(position=position))
    chair = merchants["13800001001"]
    await interests.declare_interest(
        chair,
        InterestForm(
            object_type="shop",
            object_id=_shop(merchants["13800001008"]),
            note="与川味小面馆合伙采购食材，涉及该店的事项我回避。",
        ),
    )
    # The next term: nominations are open, one merchant stands, one nomination waits for an answer.
    second_term = await terms.create_term(
        staff,
        TermForm(
            number=2,
            starts_on=(today + dt.timedelta(days=181)).isoformat(),
            ends_on=(today + dt.timedelta(days=910)).isoformat(),
            seats=5,
        ),
    )
    next_election = await nominations.open_election(
        staff,
        second_term,
        ElectionForm(
            nomination_starts_on=today.isoformat(),
            nomination_ends_on=(today + dt.timedelta(days=30)).isoformat(),
            voting_starts_on=(today + dt.timedelta(days=31)).isoformat(),
            voting_ends_on=(today + dt.timedelta(days=38)).isoformat(),
        ),
    )
    chen = merchants["13800001004"]
    await nominations.stand(
        chen,
        next_election,
        StandForm(shop_id=_shop(chen), statement="便利店24小时营业，愿意做1141弄节点的“夜间守望点”。"),
    )
    wu = merchants["13800001009"]
    await nominations.nominate(
        merchants["13800001003"],
        next_election,
        NominateForm(nominee=f"{_shop(wu)}:{wu.person_id}", note="吴女士把中南段的绿化打理得很好，希望她继续参选。"),
    )


async def _seed_leaders(staff: Viewer, merchants: dict[str, Viewer]) -> None:
    """Lane 1141's shops choose 张师傅 by majority; staff appoint the retail group's leader."""
    by_slug = {group.slug: group.id for group in await groups.list_groups()}
    zhang = merchants["13800001001"]
    for mobile in ("13800001001", "13800001004"):
        await leaders.back_leader(
            merchants[mobile],
            by_slug["region-lane-1141"],
            BackLeaderForm(shop_id=_shop(merchants[mobile]), candidate_id=zhang.person_id),
        )
    await leaders.appoint_leader(
        staff, by_slug["industry-retail"], AppointLeaderForm(person_id=merchants["13800001002"].person_id)
    )
