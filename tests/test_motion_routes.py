"""Motion pages, fragments and JSON: the desk, a motion before and after the close, voting, recusal, opening."""

from __future__ import annotations

import datetime as dt

import pytest

from block_service.clock import now
from block_service.council.motion_closing import close_due_motions
from block_service.council.motion_schemas import VoteForm
from block_service.council.motion_tables import Motion, MotionMember, MotionVote
from block_service.council.motion_votes import cast_vote
from tests.council_helpers import zh
from tests.helpers import make_person, text_of
from tests.motion_helpers import a_motion, local, seated_council

CONTACTS = ("13800003001", "13800003002", "13800003003", "13800003004")


@pytest.fixture
async def council(db):
    return await seated_council(4, contacts=CONTACTS)


async def _member_browser(browser_factory, index: int):
    browser = browser_factory("zh-Hans")
    await browser.log_in(CONTACTS[index])
    return browser


async def test_the_desk_lists_open_motions_with_my_state_and_past_results(app, browser_factory, council):
    open_id = await a_motion(council, title="夜间外摆时间调整")
    past_id = await a_motion(council, title="春节灯笼布置")
    for member, choice in zip(council.members, ("yes", "yes", "no", "abstain"), strict=True):
        await cast_vote(member, past_id, VoteForm(choice=choice))
    visitor = browser_factory("zh-Hans")
    page = await visitor.get("/council/motions")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "夜间外摆时间调整" in text and "春节灯笼布置" in text
    assert zh("Passed") in text
    member = await _member_browser(browser_factory, 1)
    text = text_of((await member.get("/council/motions")).text)
    assert zh("You have not voted yet") in text
    assert f'href="/motions/{open_id}"' in (await member.get("/council/motions")).text


async def test_an_open_motion_shows_who_has_voted_not_how(app, browser_factory, council):
    motion_id = await a_motion(council)
    await cast_vote(council.members[1], motion_id, VoteForm(choice="no"))
    page = await browser_factory("zh-Hans").get(f"/motions/{motion_id}")
    assert page.status_code == 200
    text = text_of(page.text)
    secrecy = "While the vote is open, everyone sees who has voted, not how. Every member's final vote is published"
    assert zh(secrecy + " when it closes.") in text
    voter = "许老板"  # members[1] in tests/motion_helpers.NAMES
    assert f"{voter} · {voter}的店 — {zh('Has voted')}" in text
    assert f"— {zh('Against (反对)')}" not in text
    assert zh("Seat ended before voting: no longer counted") not in text
    fragment = await browser_factory("zh-Hans").get(f"/motions/{motion_id}/vote")
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<section id="vote-panel"')
    api = (await browser_factory("en").get(f"/api/motions/{motion_id}")).json()
    assert api["status"] == "open" and api["tally"] is None and api["voted"] == 1
    assert {entry["choice"] for entry in api["roll"]} == {None}
    assert sorted(entry["has_voted"] for entry in api["roll"]) == [False, False, False, True]


async def test_a_closed_motion_shows_the_result_and_the_roll_call(app, browser_factory, council):
    motion_id = await a_motion(council)
    await cast_vote(council.members[1], motion_id, VoteForm(choice="no"))
    await cast_vote(council.members[2], motion_id, VoteForm(choice="yes"))
    await cast_vote(council.members[3], motion_id, VoteForm(choice="yes"))
    closes = (await Motion.select(Motion.closes_at).where(Motion.id == motion_id).first())["closes_at"]
    await close_due_motions(closes)
    text = text_of((await browser_factory("zh-Hans").get(f"/motions/{motion_id}")).text)
    assert zh("Roll-call") in text and zh("Passed") in text
    assert zh("Against (反对)") in text and zh("Did not vote") in text
    api = (await browser_factory("en").get(f"/api/motions/{motion_id}")).json()
    assert api["result"] == "passed"
    assert api["tally"] == {"eligible": 4, "yes": 2, "no": 1, "abstain": 0}
    assert sorted(str(entry["choice"]) for entry in api["roll"]) == ["None", "no", "yes", "yes"]


async def test_a_member_votes_in_one_tap_changes_it_and_the_last_vote_closes(app, browser_factory, council):
    motion_id = await a_motion(council)
    member = await _member_browser(browser_factory, 1)
    answer = await member.post(f"/motions/{motion_id}/vote", {"choice": "yes"}, htmx=True)
    assert answer.status_code == 200 and answer.headers["hx-redirect"] == f"/motions/{motion_id}"
    page = text_of((await member.get(f"/motions/{motion_id}")).text)
    assert zh("Your vote is recorded. You may change it until the motion closes.") in page
    assert zh("You have voted") in page and zh("Change your vote (until the close)") in page
    answer = await member.post(f"/motions/{motion_id}/vote", {"choice": "abstain"})
    assert answer.status_code == 303
    assert [row["choice"] for row in await MotionVote.select(MotionVote.choice)] == ["abstain"]
    for index in (0, 2):
        await cast_vote(council.members[index], motion_id, VoteForm(choice="yes"))
    last = await _member_browser(browser_factory, 3)
    await last.post(f"/motions/{motion_id}/vote", {"choice": "no"})
    page = text_of((await last.get(f"/motions/{motion_id}")).text)
    assert zh("Your vote was the last one: the motion has closed and its result is below.") in page
    late = await member.post(f"/motions/{motion_id}/vote", {"choice": "no"}, htmx=True)
    assert late.status_code == 409
    assert zh("Voting on this motion has closed.") in text_of(late.text)


async def test_bad_votes_and_recusals_are_refused_and_change_nothing(app, browser_factory, council):
    motion_id = await a_motion(council)
    member = await _member_browser(browser_factory, 2)
    bad = await member.post(f"/motions/{motion_id}/vote", {"choice": "maybe"}, htmx=True)
    assert bad.status_code == 422
    empty = await member.post(f"/motions/{motion_id}/recuse", {"reason": ""}, htmx=True)
    assert empty.status_code == 422 and 'id="e-reason"' in empty.text
    assert await MotionVote.count() == 0
    assert await MotionMember.count().where(MotionMember.status == "recused") == 0
    resident_id = await make_person("居民", "13900003009")
    resident = browser_factory("zh-Hans")
    await resident.log_in("13900003009")
    assert (await resident.post(f"/motions/{motion_id}/vote", {"choice": "yes"})).status_code == 403
    assert resident_id
    assert (await member.post("/motions/987654/vote", {"choice": "yes"})).status_code == 404
    assert (await browser_factory().get("/motions/987654")).status_code == 404
    assert (await browser_factory().get("/api/motions/987654")).status_code == 404
    recused = await member.post(f"/motions/{motion_id}/recuse", {"reason": "这家店是我亲戚开的"})
    assert recused.status_code == 303
    text = text_of((await member.get(f"/motions/{motion_id}")).text)
    assert zh("Recused") in text and "这家店是我亲戚开的" in text
    refused = await member.post(f"/motions/{motion_id}/vote", {"choice": "yes"}, htmx=True)
    assert refused.status_code == 403
    assert await MotionVote.count() == 0


async def test_the_chair_and_staff_open_motions_others_may_not(app, browser_factory, council):
    chair = await _member_browser(browser_factory, 0)
    form = await chair.get("/motions/new?proposal=5")
    assert form.status_code == 200
    assert 'value="5"' in form.text and '<option value="proposal" selected' in form.text
    member = await _member_browser(browser_factory, 1)
    assert (await member.get("/motions/new")).status_code == 403
    assert (
        await member.post("/motions", {"title": "成员不能发起", "text": "内容", "closes_at": "x"})
    ).status_code == 403
    bad = await chair.post(
        "/motions",
        {"title": "调整外摆", "text": "内容说明", "closes_at": local(now() - dt.timedelta(days=1))},
        htmx=True,
    )
    assert bad.status_code == 422 and zh("The vote must close after it opens.") in text_of(bad.text)
    assert await Motion.count() == 0
    made = await chair.post(
        "/motions", {"title": "调整外摆时间", "text": "内容说明", "closes_at": local(now() + dt.timedelta(days=2))}
    )
    assert made.status_code == 303
    motion_id = (await Motion.select(Motion.id).first())["id"]
    assert made.headers["location"] == f"/motions/{motion_id}"
    visitor = browser_factory()
    assert (await visitor.get("/motions/new")).status_code in (303, 401)


async def test_the_desk_runs_the_same_statements_for_few_or_many_motions(app, browser_factory, council, count_queries):
    member = await _member_browser(browser_factory, 1)

    async def statements() -> int:
        before = count_queries.count
        assert (await member.get("/council/motions")).status_code == 200
        return count_queries.count - before

    for _ in range(2):
        await a_motion(council)
    few = await statements()
    for _ in range(6):
        await a_motion(council)
    closed = await a_motion(council)
    await close_due_motions((await Motion.select(Motion.closes_at).where(Motion.id == closed).first())["closes_at"])
    assert await statements() == few


async def test_the_motion_api_is_in_the_openapi_schema(app, browser_factory):
    schema = (await browser_factory("en").get("/schema/openapi.json")).json()
    assert "/api/motions/{motion_id}" in schema["paths"]


async def test_a_member_votes_from_the_inbox_in_two_taps(app, browser_factory, council):
    motion_id = await a_motion(council, title="增设共享充电桩")
    member = await _member_browser(browser_factory, 2)
    inbox = await member.get("/inbox")
    assert zh("A council motion is open for your vote.") in text_of(inbox.text)
    link = f'href="/motions/{motion_id}#vote-panel"'
    assert link in inbox.text  # tap one: the notice opens the motion at its vote buttons
    page = await member.get(f"/motions/{motion_id}")
    assert 'name="choice" value="yes"' in page.text
    answer = await member.post(f"/motions/{motion_id}/vote", {"choice": "yes"})  # tap two
    assert answer.status_code == 303
    assert [row["choice"] for row in await MotionVote.select(MotionVote.choice)] == ["yes"]


async def test_the_demo_has_a_closed_motion_with_a_recusal_and_an_open_one_for_the_chair(app, browser_factory):
    from block_service.seed import DEMO_LOGINS, seed_demo

    assert await seed_demo()
    rows = await Motion.select(Motion.id, Motion.status, Motion.result).order_by(Motion.id)
    # The first two are the council's own; the projects' demo follows with motions on demo proposals.
    assert [(row["status"], row["result"]) for row in rows][:2] == [("closed", "passed"), ("open", "")]
    assert await MotionMember.count().where(MotionMember.status == "recused") == 1
    chair_login = next(login for role, login, _password in DEMO_LOGINS if role == "chair")
    chair = browser_factory("zh-Hans")
    await chair.log_in(chair_login, "lingyan-demo-2026")
    desk = text_of((await chair.get("/council/motions")).text)
    assert zh("You have not voted yet") in desk
    closed_page = text_of((await chair.get(f"/motions/{rows[0]['id']}")).text)
    assert zh("Roll-call") in closed_page and zh("Recused") in closed_page
    answer = await chair.post(f"/motions/{rows[1]['id']}/vote", {"choice": "yes"})
    assert answer.status_code == 303


async def test_anonymous_visitors_share_the_motion_page_until_a_vote_is_written(app, browser_factory, council):
    motion_id = await a_motion(council)
    visitor = browser_factory("zh-Hans")
    before = text_of((await visitor.get(f"/motions/{motion_id}")).text)
    assert zh("%(voted)s of %(eligible)s members on the roll have voted.", voted=0, eligible=4) in before
    assert text_of((await browser_factory("zh-Hans").get(f"/motions/{motion_id}")).text) == before
    await cast_vote(council.members[1], motion_id, VoteForm(choice="yes"))
    after = text_of((await visitor.get(f"/motions/{motion_id}")).text)
    assert zh("%(voted)s of %(eligible)s members on the roll have voted.", voted=1, eligible=4) in after
    desk = await visitor.get("/council/motions")
    assert desk.status_code == 200
