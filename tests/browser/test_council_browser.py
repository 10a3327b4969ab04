"""An election in real Chromium: a merchant stands, staff open voting, two shops vote, staff count, the
council page shows the new seats."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.browser.steps import Person, expect, main_nav, unique_mobile
from tests.browser.test_accessibility_browser import PHONE, assert_accessible
from tests.browser.test_shops_browser import apply_for_shop
from tests.council_helpers import zh, zh_plural

pytestmark = pytest.mark.browser


def approve(staff, shop_name: str) -> None:
    staff.goto("/staff/applications")
    application = staff.get_by_role("listitem").filter(
        has=staff.get_by_role("heading", name=re.compile(re.escape(shop_name)))
    )
    application.get_by_role("button", name="通过").click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text(shop_name)


def test_a_merchant_stands_two_shops_vote_and_the_council_shows_the_seat(new_context, staff_page, axe):
    tag = uuid.uuid4().hex[:4]
    zhang = Person(new_context().new_page(), name=f"张师傅{tag}", mobile=unique_mobile())
    li = Person(new_context().new_page(), name=f"李老板{tag}", mobile=unique_mobile())
    zhang_shop, li_shop = f"老张生煎{tag}", f"凌岩水果店{tag}"
    for person, shop, number, industry in ((zhang, zhang_shop, "1143号", "餐饮"), (li, li_shop, "1021号", "零售")):
        person.sign_up()
        apply_for_shop(person.page, shop, number, industry)
    staff = staff_page
    approve(staff, zhang_shop)
    approve(staff, li_shop)

    # Staff create the term (the form suggests number, dates and seats) and open its election.
    staff.goto("/staff/council")
    staff.get_by_role("button", name=zh("Create the term")).click()
    expect(staff.get_by_role("status")).to_contain_text(
        zh("The term has been created. Open its election when the time comes.")
    )
    staff.get_by_role("button", name=zh("Open the election")).click()
    expect(staff).to_have_url(re.compile(r"/elections/\d+$"))
    election_url = re.sub(r"^https?://[^/]+", "", staff.url)
    expect(staff.locator("h1")).to_contain_text(zh("Nominations open"))

    # The merchant stands for their shop with a statement.
    page = zhang.page
    page.goto(election_url)
    page.get_by_label(zh("My statement")).fill("守好1141弄的门前三包，早市不占道。")
    page.get_by_role("button", name=zh("Stand as a candidate")).click()
    expect(page.get_by_role("status")).to_contain_text(zh("You are a candidate. Good luck!"))
    candidates = page.locator("section", has=page.get_by_role("heading", name=zh("Candidates"), exact=True))
    expect(candidates).to_contain_text(zhang.name)
    expect(candidates).to_contain_text("守好1141弄的门前三包")

    # Staff close nominations and open voting.
    staff.reload()
    staff.get_by_role("button", name=zh("Close nominations and open voting")).click()
    expect(staff.locator("h1")).to_contain_text(zh("Voting open"))

    # The ballot page works for everyone: no accessibility problem with the form on it.
    assert_accessible(li.page, axe, election_url)

    # Two merchants of different shops vote; each shop once.
    for voter, shop in ((zhang, zhang_shop), (li, li_shop)):
        voter.page.goto(election_url)
        ballot = voter.page.locator("#ballot-form")
        expect(ballot).to_contain_text(zh("The ballot of %(shop)s.", shop=shop))
        ballot.get_by_role("checkbox", name=re.compile(re.escape(zhang.name))).check()
        ballot.get_by_role("button", name=zh("Cast the ballot")).click()
        expect(voter.page.get_by_role("status")).to_contain_text(
            zh(
                "Your shop's ballot has been cast. No page shows how a shop voted; once the votes are counted, the "
                "stored data no longer links a shop to its choices."
            )
        )
        expect(voter.page.locator("#ballot-form")).to_contain_text(
            zh("%(shop)s has voted. A shop votes once, and its ballot cannot be changed.", shop=shop)
        )
        expect(voter.page.locator("#ballot-form").get_by_role("checkbox")).to_have_count(0)

    # Staff close the election; the count creates the seat.
    staff.reload()
    expect(staff.get_by_role("main")).to_contain_text(
        zh_plural("%(num)s shop has voted so far.", "%(num)s shops have voted so far.", 2)
    )
    staff.get_by_role("button", name=zh("Close voting and count")).click()
    expect(staff.locator("h1")).to_contain_text(zh("Closed and counted"))
    results = staff.locator("section", has=staff.get_by_role("heading", name=zh("Results")))
    expect(results).to_contain_text(zhang.name)

    # The council page shows the new member, their shop and groups, to anyone; the member sees the council link.
    visitor = new_context().new_page()
    visitor.goto("/council")
    member = visitor.locator("li.member", has_text=zhang.name)
    expect(member).to_contain_text(zhang_shop)
    expect(member).to_contain_text("1141弄节点")
    page.goto("/")
    expect(main_nav(page).locator('[data-nav="council"]')).to_be_visible()
    expect(main_nav(page).locator('[data-nav="my-groups"]')).to_be_visible()


@pytest.mark.parametrize("path", ["/groups", "/groups/region-lane-1141", "/groups/industry-catering", "/council"])
def test_group_and_council_pages_are_accessible_and_fit_a_phone(page, new_context, axe, path):
    assert_accessible(page, axe, path)
    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto(path)
    widths = phone.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{path} is {widths[0]} px wide on a {widths[1]} px phone screen"


def test_the_council_desk_is_accessible(staff_page, axe):
    assert_accessible(staff_page, axe, "/staff/council")
