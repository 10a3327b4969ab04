"""No open data file carries personal data: no column that could name a person, no person's name or contact."""

import csv
import io

from block_service.accounts.tables import Person
from block_service.clock import now
from block_service.council.motion_closing import close_motion
from block_service.council.motion_schemas import VoteForm
from block_service.council.motion_tables import Motion
from block_service.council.motion_votes import cast_vote
from block_service.funds import services as funds
from block_service.funds.schemas import IncomeForm
from block_service.insights.opendata import open_files
from block_service.plans.supports import set_support
from block_service.pledges.tables import Pledge
from tests.helpers import make_person, make_thread, viewer_for
from tests.meeting_helpers import make_meeting
from tests.motion_helpers import a_motion, seated_council
from tests.plans_helpers import file, resident

# A column whose name holds any of these could point at a person.
DENIED = (
    "name",
    "person",
    "people",
    "author",
    "reporter",
    "supporter",
    "phone",
    "mobile",
    "email",
    "contact",
    "label",
    "user",
    "account",
    "voter",
    "nominee",
    "member_id",
    "convener",
    "actor",
    "assigned",
    "anonymous",
    "licence",
    "address",
    "ip",
)


def _columns(header: list[str]) -> list[str]:
    """Columns that hold a denied word: as a whole part of the name (ip, ip_address), or inside it when longer
    than three letters (display_name, reporter_id)."""
    return [
        column
        for column in header
        if any(word in column.split("_") or (len(word) > 3 and word in column) for word in DENIED)
    ]


def test_the_deny_list_catches_what_it_should():
    assert _columns(
        ["id", "author_id", "display_name", "phone", "title", "shop_id", "seat_id", "ip", "receipt_kept"]
    ) == [
        "author_id",
        "display_name",
        "phone",
        "ip",
    ]


async def _block_with_people() -> None:
    named = await make_person("实名居民韩梅梅", "13911112222")
    hidden = await make_person("匿名居民李雷雷", "hidden.resident@example.org")
    await make_thread(named, title="门口纸箱堆放占道", house_number="1143号")
    await make_thread(hidden, title="夜里油烟味太重了", category="cooking-fumes", anonymous=True, house_number="1021号")
    author = await resident("提议人欧阳修远")
    proposal = await file(author, "safety", title="路口加装反光镜")
    await set_support(await resident("支持者司马光明"), proposal, True)
    council = await seated_council(3, contacts=("13822223333", "13822224444", "13822225555"))
    closed = await a_motion(council, title="关于增设充电桩的表决")
    for member in council.members:
        await cast_vote(member, closed, VoteForm(choice="yes"))
    await close_motion(closed, at=now())
    still_open = await a_motion(council, title="关于夜市时间的表决")
    await cast_vote(council.members[0], still_open, VoteForm(choice="no"))
    staff = viewer_for(await make_person("召集人诸葛亮亮", roles=("staff",)), "staff")
    await make_meeting(staff)
    # The fund: a donation whose note names the donor, an allocation and a spending with a receipt.
    await funds.record_income(staff, IncomeForm(year=2026, source="donation", amount="3000", note="实名居民韩梅梅捐赠"))
    motion = await a_motion(council, title="自治金用于花箱", kind="funds", budget_cap=50_000)
    await Motion.update({Motion.status: "closed", Motion.result: "passed"}).where(Motion.id == motion)
    await funds.allocate(staff, 2026, 5, motion, 200_000, "匿名居民李雷雷经办")
    await funds.spend(staff.person_id, 5, 50_000, "材料", now().date(), 1, "实名居民韩梅梅垫付")
    # Pledges on project 5 (written directly: the projects domain registers the "project" target), one named.
    for person, show in ((named, True), (hidden, False)):
        await Pledge.insert(
            Pledge(subject_kind="project", subject_id=5, person=person, kind="hours", quantity=3, note="周末有空",
                   show_name=show, created_at=now())
        )  # fmt: skip


async def test_no_file_has_a_column_or_a_value_that_names_a_person(db, browser):
    await _block_with_people()
    people = await Person.select(Person.display_name, Person.phone, Person.email)
    known = {value for row in people for value in row.values() if value and len(value) >= 3}
    assert "实名居民韩梅梅" in known and "13911112222" in known and "hidden.resident@example.org" in known
    checked = 0
    for open_file in open_files():
        if open_file.coming:
            continue
        response = await browser.get(f"/data/{open_file.name}")
        assert response.status_code == 200, open_file.name
        text = response.content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert not _columns(rows[0]), f"{open_file.name} has columns that could identify a person: {_columns(rows[0])}"
        leaked = sorted(value for value in known if value in text)
        assert not leaked, f"{open_file.name} carries personal data: {leaked}"
        checked += 1
    assert checked >= 8
    pledges = list(csv.reader(io.StringIO((await browser.get("/data/pledges.csv")).content.decode("utf-8-sig"))))
    assert pledges[1][:6] == ["5", "hours", "", "", "2", "6"]


async def test_anonymous_and_named_threads_export_alike_and_open_votes_never(db, browser):
    await _block_with_people()
    threads = list(csv.reader(io.StringIO((await browser.get("/data/threads.csv")).content.decode("utf-8-sig"))))
    assert len(threads) == 3 and len(threads[1]) == len(threads[2]) == len(threads[0])
    roll = list(csv.reader(io.StringIO((await browser.get("/data/roll_calls.csv")).content.decode("utf-8-sig"))))
    header, rows = roll[0], roll[1:]
    choices = [row[header.index("choice")] for row in rows]
    assert choices.count("yes") == 3 and "no" not in choices  # the open motion's "no" is never published
    assert {row[header.index("motion_id")] for row in rows} == {"1", "3"}  # the closed ones only (2 is open)
    motions = list(csv.reader(io.StringIO((await browser.get("/data/motions.csv")).content.decode("utf-8-sig"))))
    by_title = {row[motions[0].index("title")]: row for row in motions[1:]}
    assert by_title["关于夜市时间的表决"][motions[0].index("no_count")] == ""  # no running tally of an open motion
    assert by_title["关于增设充电桩的表决"][motions[0].index("yes_count")] == "3"
