"""Council and election pages through HTTP: forms and fragments, one ballot per shop, and ballot secrecy."""

import re
import shutil

from block_service.council import ballots, interests, terms
from block_service.council.schemas import BallotForm, InterestForm
from block_service.council.tables import Approval, ShopVoted
from block_service.db import close_database, engine
from block_service.piccolo_app import APP_CONFIG
from tests import conftest
from tests.council_helpers import (
    make_election,
    make_term,
    merchant,
    shop_of,
    staff_viewer,
    stand,
    zh,
    zh_plural,
)
from tests.helpers import TEST_PASSWORD, make_person, text_of


async def _browser_for(browser_factory, contact: str, language: str = "zh-Hans"):
    browser = browser_factory(language)
    await browser.log_in(contact, TEST_PASSWORD)
    return browser


async def _election_with_candidates(seats: int = 3):
    """Staff, a term, an election in its voting phase with two candidates, and the merchants of five shops."""
    staff = await staff_viewer("staff@test.example")
    zhang = await merchant("张师傅", "1143号", "老张生煎", contact="13800000001")
    li = await merchant("李老板", "1021号", "凌岩水果店", contact="13800000002")
    chen = await merchant("陈经理", "1152号", "好邻居便利店", contact="13800000003")
    zhao = await merchant("赵老师", "1235号", "小书童托管班", contact="13800000004")
    election = await make_election(staff, await make_term(staff, seats=seats))
    candidates = {"zhang": await stand(zhang, election, "守好门前三包"), "li": await stand(li, election, "水果新鲜")}
    await ballots.open_voting(staff, election)
    return {
        "staff": staff,
        "election": election,
        "zhang": zhang,
        "li": li,
        "chen": chen,
        "zhao": zhao,
        "candidates": candidates,
    }


async def test_the_election_page_explains_the_counting_rule_in_both_languages(db, browser_factory):
    staff = await staff_viewer()
    election = await make_election(staff, await make_term(staff, seats=5))
    chinese = text_of((await browser_factory("zh-Hans").get(f"/elections/{election}")).text)
    rule = [
        zh(
            "Each shop casts one ballot, by any one of its merchants, and may approve up to %(seats)s candidates: "
            "as many as there are seats.",
            seats=5,
        ),
        zh(
            "Ties are broken in this order: more votes first; then the candidate whose nomination was accepted "
            "earlier; then the lower candidate number."
        ),
        zh("With fewer candidates than seats, every candidate is elected and the other seats stay empty."),
    ]
    assert all(line in chinese and re.search(r"[\u4e00-\u9fff]", line) for line in rule)
    english = text_of((await browser_factory("en").get(f"/elections/{election}")).text)
    assert "every regional group (stretch of the road) that has a candidate gets one seat" in english
    assert "then the candidate whose nomination was accepted earlier; then the lower candidate number" in english
    assert (await browser_factory().get("/elections/999")).status_code == 404


async def test_a_merchant_stands_with_a_statement_and_errors_come_back_in_the_form(db, browser_factory):
    staff = await staff_viewer()
    zhang = await merchant("张师傅", "1143号", "老张生煎", contact="13800000001")
    election = await make_election(staff, await make_term(staff))
    browser = await _browser_for(browser_factory, "13800000001")
    page = await browser.get(f"/elections/{election}")
    assert zh("Stand as a candidate") in text_of(page.text) and 'name="statement"' in page.text
    empty = await browser.post(f"/elections/{election}/stand", {"shop_id": "1", "statement": ""}, htmx=True)
    assert empty.status_code == 422
    assert empty.text.lstrip().startswith("<form") and 'aria-invalid="true"' in empty.text
    shop = shop_of(zhang)
    done = await browser.post(
        f"/elections/{election}/stand", {"shop_id": str(shop), "statement": "守好门前三包"}, htmx=True
    )
    assert done.status_code < 300 and done.headers["hx-redirect"] == f"/elections/{election}"
    public = text_of((await browser_factory().get(f"/elections/{election}")).text)
    assert "张师傅" in public and "守好门前三包" in public and "老张生煎" in public
    again = await browser.post(f"/elections/{election}/stand", {"shop_id": str(shop), "statement": "再来"}, htmx=True)
    assert again.status_code == 409 and zh("You are already a candidate in this election.") in text_of(again.text)


async def test_a_nominee_accepts_on_the_election_page(db, browser_factory):
    staff = await staff_viewer()
    zhang = await merchant("张师傅", "1143号", "老张生煎", contact="13800000001")
    await merchant("李老板", "1021号", "凌岩水果店", contact="13800000002")
    election = await make_election(staff, await make_term(staff))
    nominator = await _browser_for(browser_factory, "13800000002")
    page = await nominator.get(f"/elections/{election}")
    assert f'value="{shop_of(zhang)}:{zhang.person_id}"' in page.text
    sent = await nominator.post(
        f"/elections/{election}/nominations", {"nominee": f"{shop_of(zhang)}:{zhang.person_id}", "note": "热心肠"}
    )
    assert sent.status_code == 303
    nominee = await _browser_for(browser_factory, "13800000001")
    waiting = await nominee.get(f"/elections/{election}")
    assert zh("Nominations waiting for an answer") in text_of(waiting.text) and "热心肠" in text_of(waiting.text)
    nomination = re.search(r"/nominations/(\d+)/accept", waiting.text).group(1)
    missing = await nominee.post(f"/nominations/{nomination}/accept", {"statement": ""}, htmx=True)
    assert missing.status_code == 422 and missing.text.lstrip().startswith("<form")
    accepted = await nominee.post(f"/nominations/{nomination}/accept", {"statement": "愿意为街区服务"})
    assert accepted.status_code == 303
    assert "愿意为街区服务" in text_of((await browser_factory().get(f"/elections/{election}")).text)
    # Only the nominee answers: the nominator cannot accept for them.
    assert (await nominator.post(f"/nominations/{nomination}/accept", {"statement": "代为接受"})).status_code == 403


async def test_one_ballot_per_shop_over_http_and_the_second_is_refused_clearly(db, browser_factory):
    setup = await _election_with_candidates()
    election, zhang_c = setup["election"], setup["candidates"]["zhang"]
    voter = await _browser_for(browser_factory, "13800000003")
    form = await voter.get(f"/elections/{election}")
    assert 'name="candidates"' in form.text and zh("The ballot of %(shop)s.", shop="好邻居便利店") in text_of(form.text)
    cast = await voter.post(
        f"/elections/{election}/ballot",
        {"shop_id": str(shop_of(setup["chen"])), "candidates": [str(zhang_c)]},
        htmx=True,
    )
    assert cast.status_code < 300 and cast.headers["hx-redirect"] == f"/elections/{election}"
    after = await voter.get(f"/elections/{election}")
    assert zh(
        "%(shop)s has voted. A shop votes once, and its ballot cannot be changed.", shop="好邻居便利店"
    ) in text_of(after.text)
    assert "checked" not in after.text  # the page does not remember what the shop chose
    second = await voter.post(
        f"/elections/{election}/ballot",
        {"shop_id": str(shop_of(setup["chen"])), "candidates": [str(setup["candidates"]["li"])]},
        htmx=True,
    )
    assert second.status_code == 409
    refusal = zh("This shop has already voted in this election. A shop casts one ballot, and it cannot be changed.")
    assert refusal in text_of(second.text) and second.text.lstrip().startswith("<form")
    assert await ShopVoted.count() == 1
    assert [row["nomination"] for row in await Approval.select(Approval.nomination)] == [zhang_c]


async def test_a_resident_sees_the_candidates_but_gets_no_ballot(db, browser_factory):
    setup = await _election_with_candidates()
    await make_person("居民", "13900000009")
    resident = await _browser_for(browser_factory, "13900000009")
    page = await resident.get(f"/elections/{setup['election']}")
    assert "张师傅" in text_of(page.text) and 'name="candidates"' not in page.text
    ballot = {"shop_id": str(shop_of(setup["chen"])), "candidates": [str(setup["candidates"]["zhang"])]}
    refused = await resident.post(f"/elections/{setup['election']}/ballot", ballot)
    assert refused.status_code == 403 and await ShopVoted.count() == 0


async def test_staff_move_the_election_through_its_phases_and_the_council_shows_the_seats(db, browser_factory):
    setup = await _election_with_candidates()
    election = setup["election"]
    staff = await _browser_for(browser_factory, "staff@test.example")
    page = await staff.get(f"/elections/{election}")
    assert zh("Close voting and count") in text_of(page.text)
    for voter in ("chen", "zhao"):
        await ballots.cast_ballot(
            setup[voter], election, BallotForm(shop_id=shop_of(setup[voter]), candidates=[setup["candidates"]["zhang"]])
        )
    assert (await staff.post(f"/staff/elections/{election}/voting")).status_code == 409
    closed = await staff.post(f"/staff/elections/{election}/close")
    assert closed.status_code == 303
    results = text_of((await browser_factory().get(f"/elections/{election}")).text)
    assert zh("Results") in results and "张师傅" in results and zh_plural("%(num)s vote", "%(num)s votes", 2) in results
    assert zh("%(voted)s of %(eligible)s shops voted.", voted=2, eligible=4) not in results
    assert (await staff.post(f"/staff/elections/{election}/turnout")).status_code == 303
    published = text_of((await browser_factory().get(f"/elections/{election}")).text)
    assert zh("%(voted)s of %(eligible)s shops voted.", voted=2, eligible=4) in published
    assert "1141弄节点 1 / 2 50%" in published
    council = text_of((await browser_factory().get("/council")).text)
    assert "张师傅" in council and "李老板" in council and "老张生煎" in council and "1141弄节点" in council
    assert zh_plural("%(num)s seat is empty.", "%(num)s seats are empty.", 1) in council


async def test_a_seated_merchant_sees_the_council_nav_declares_interests_and_can_resign(db, browser_factory):
    setup = await _election_with_candidates()
    await ballots.close_election(setup["staff"], setup["election"])
    member = await _browser_for(browser_factory, "13800000001")
    home = await member.get("/")
    assert 'data-nav="council"' in home.text and 'data-nav="my-groups"' in home.text
    council = await member.get("/council")
    assert zh("Declare an interest") in text_of(council.text)
    bad = await member.post("/council/interests", {"object_type": "shop", "object_id": "abc"}, htmx=True)
    assert bad.status_code == 422 and bad.text.lstrip().startswith("<form")
    ok = await member.post(
        "/council/interests", {"object_type": "shop", "object_id": str(shop_of(setup["li"])), "note": "李老板是我表弟"}
    )
    assert ok.status_code == 303
    public = text_of((await browser_factory().get("/council")).text)
    assert "李老板是我表弟" in public and "凌岩水果店" in public
    assert await interests.has_declared_interest(setup["zhang"].person_id, "shop", shop_of(setup["li"]))
    other = await _browser_for(browser_factory, "13800000003")  # a merchant, not seated
    assert 'data-nav="council"' not in (await other.get("/")).text
    assert (await other.post("/council/interests", {"object_type": "shop", "object_id": "1"})).status_code == 403
    seat = re.search(r"/council/seats/(\d+)/resign", council.text).group(1)
    assert (await member.post(f"/council/seats/{seat}/resign", {"reason": ""}, htmx=True)).status_code == 422
    assert (await member.post(f"/council/seats/{seat}/resign", {"reason": "店铺转让"})).status_code == 303
    assert 'data-nav="council"' not in (await member.get("/")).text
    assert "店铺转让" in text_of((await browser_factory().get("/council")).text)


async def test_staff_create_a_term_and_open_its_election_from_the_council_desk(db, browser_factory):
    await make_person("工作站", "staff@test.example", roles=("staff",))
    staff = await _browser_for(browser_factory, "staff@test.example")
    desk = await staff.get("/staff/council")
    assert desk.status_code == 200 and 'name="starts_on"' in desk.text
    suggested = await terms.suggested_term()
    bad = await staff.post("/staff/terms", {**suggested, "ends_on": suggested["starts_on"]}, htmx=True)
    assert bad.status_code == 422 and bad.text.lstrip().startswith("<form") and 'id="e-ends_on"' in bad.text
    created = await staff.post("/staff/terms", suggested)
    assert created.status_code == 303
    opened = await staff.post("/staff/terms/1/election", {})
    assert opened.status_code == 303 and opened.headers["location"] == "/elections/1"
    assert (await staff.post("/staff/terms/1/election", {})).status_code == 409
    audit = await staff.get("/staff/audit?object_type=election")
    assert "election.opened" in audit.text


async def test_the_council_api_lists_members_with_positions_shops_and_groups(db, browser_factory):
    setup = await _election_with_candidates()
    await ballots.close_election(setup["staff"], setup["election"])
    await interests.declare_interest(setup["zhang"], InterestForm(object_type="proposal", object_id=7, note="亲属"))
    body = (await browser_factory().get("/api/council")).json()
    assert body["term"]["number"] == 1 and body["empty_seats"] == 1
    zhang = next(member for member in body["members"] if member["display_name"] == "张师傅")
    assert zhang["shop_name"] == "老张生煎" and zhang["position"] == "member"
    assert {group["slug"] for group in zhang["groups"]} == {"region-lane-1141", "industry-catering"}
    assert zhang["interests"][0]["object_type"] == "proposal"
    election = (await browser_factory().get(f"/api/elections/{setup['election']}")).json()
    assert election["results"]["elected"][0]["candidate"]["display_name"] in {"张师傅", "李老板"}
    assert election["ballots_cast"] is None and election["turnout"] is None


async def test_the_council_page_takes_a_constant_number_of_statements(db, browser_factory, count_queries):
    setup = await _election_with_candidates(seats=2)
    await ballots.close_election(setup["staff"], setup["election"])
    browser = browser_factory()
    count_queries.statements.clear()
    await browser.get("/council")
    small = count_queries.count
    staff = setup["staff"]
    election = await make_election(staff, await make_term(staff, number=2, started_days_ago=-800))
    for index in range(6):
        person = await merchant(f"商户{index}", f"{1170 + index * 2}号", f"新店{index}")
        await stand(person, election)
    count_queries.statements.clear()
    await browser.get("/council")
    assert count_queries.count == small
    count_queries.statements.clear()
    await browser.get(f"/elections/{election}")
    few = count_queries.count
    for index in range(6):
        await stand(await merchant(f"又一商户{index}", f"{1190 + index * 2}号", f"又一新店{index}"), election)
    count_queries.statements.clear()
    await browser.get(f"/elections/{election}")
    assert count_queries.count == few


# ---- secrecy: the pages are the same whichever way each shop voted --------------------------------


async def _fresh_database(tmp_path, name: str) -> None:
    """Start again from an empty database inside one test (the same steps as the db fixture)."""
    from block_service.seed import ensure_reference_data

    database = engine()
    if conftest.ENGINE == "postgres":
        tables = ", ".join(table._meta.tablename for table in APP_CONFIG.table_classes)
        await database.run_ddl(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    else:
        await close_database()
        shutil.copyfile(conftest._TMP / "template.db", tmp_path / name)
        database.path = str(tmp_path / name)
    await ensure_reference_data()


VOLATILE = [
    re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"),  # times
    re.compile(r'"x-csrftoken": "[^"]*"'),
    re.compile(r'name="_csrf_token" value="[^"]*"'),
]


def _stable(text: str) -> str:
    for pattern in VOLATILE:
        text = pattern.sub("…", text)
    return text


async def _everything_visible_after(browser_factory, a_votes: str, b_votes: str) -> dict[str, str]:
    """Two shops vote for different candidates; every GET page, as staff, as the voters and as a visitor."""
    setup = await _election_with_candidates(seats=1)
    election, candidates = setup["election"], setup["candidates"]
    for voter, choice in (("chen", a_votes), ("zhao", b_votes)):
        await ballots.cast_ballot(
            setup[voter], election, BallotForm(shop_id=shop_of(setup[voter]), candidates=[candidates[choice]])
        )
    browsers = {
        "visitor": browser_factory(),
        "staff": await _browser_for(browser_factory, "staff@test.example"),
        "chen": await _browser_for(browser_factory, "13800000003"),
        "zhao": await _browser_for(browser_factory, "13800000004"),
    }
    pages = [
        "/",
        "/council",
        f"/elections/{election}",
        f"/api/elections/{election}",
        "/api/council",
        "/groups",
        "/groups/region-lane-1141",
        "/api/groups",
        "/me/groups",
        "/staff/council",
        "/staff/audit",
        "/staff/audit?object_type=election",
        f"/staff/audit?object_type=election&object_id={election}",
        f"/shops/{shop_of(setup['chen'])}",
        f"/shops/{shop_of(setup['zhao'])}",
        "/me",
        "/me/shops",
    ]
    seen = {}
    for when in ("voting", "closed"):
        if when == "closed":
            await ballots.close_election(setup["staff"], election)
            await ballots.publish_turnout(setup["staff"], election)
        for who, browser in browsers.items():
            for path in pages:
                response = await browser.get(path)
                seen[f"{when} {who} {path}"] = f"{response.status_code} {_stable(response.text)}"
    return seen


async def test_no_page_or_api_reveals_how_a_shop_voted(db, browser_factory, tmp_path):
    """Chen's shop votes for Zhang and Zhao's for Li, or the other way round: every page any person can
    open, the audit log included, is the same either way (the tallies are 1 and 1 in both)."""
    first = await _everything_visible_after(browser_factory, a_votes="zhang", b_votes="li")
    await _fresh_database(tmp_path, "swapped.db")
    swapped = await _everything_visible_after(browser_factory, a_votes="li", b_votes="zhang")
    assert first.keys() == swapped.keys()
    different = [key for key in first if first[key] != swapped[key]]
    assert not different, different
    assert any("election.ballot_cast" in text for key, text in first.items() if "/staff/audit" in key)
