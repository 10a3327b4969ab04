"""Pledges: the rules and refusals of pledging, withdrawing and delivering, progress, names, the routes."""

from __future__ import annotations

import asyncio

import pytest

from block_service.errors import Conflict, Forbidden, FormInvalid, NotFound
from block_service.inbox.tables import InboxEntry
from block_service.pledges import services
from block_service.pledges.schemas import GoalForm, PledgeForm, PledgeSubject
from block_service.pledges.tables import Pledge
from tests.council_helpers import merchant, shop_of, staff_viewer, zh
from tests.helpers import make_person, text_of, viewer_for
from tests.pledges_helpers import CLOSED, trial


async def resident(name: str = "居民", contact: str | None = None):
    return viewer_for(await make_person(name, contact), "resident")


def money(yuan: int, **extra) -> PledgeForm:
    return PledgeForm(kind="money", quantity=yuan, **extra)


async def test_pledges_count_towards_goals_and_may_exceed_them(db):
    lead = await resident("组长")
    subject = trial(managers=(lead.person_id,))
    await services.set_goals(
        subject,
        [
            GoalForm(kind="money", quantity=500),
            GoalForm(kind="materials", item="花苗", quantity=40, unit="盆"),
            GoalForm(kind="hours", quantity=10),
        ],
        actor_id=lead.person_id,
    )
    a, b = await resident("甲"), await resident("乙")
    first = await services.pledge(a, subject, money(300))
    await services.pledge(b, subject, money(400))
    await services.pledge(a, subject, PledgeForm(kind="materials", item="花苗", quantity=25, unit="盆"))
    await services.pledge(b, subject, PledgeForm(kind="skill", item="电工"))
    await services.mark_delivered(lead, first)
    rows = {(row.kind, row.item): row for row in await services.progress(subject)}
    assert (rows[("money", "")].goal, rows[("money", "")].promised, rows[("money", "")].delivered) == (500, 400, 300)
    assert rows[("money", "")].percent == 100  # 700 of 500: over the goal, the bar is full
    assert (rows[("materials", "花苗")].promised, rows[("materials", "花苗")].unit) == (25, "盆")
    assert (rows[("hours", "")].goal, rows[("hours", "")].promised) == (10, 0)
    assert (rows[("skill", "电工")].goal, rows[("skill", "电工")].promised) == (0, 1)


async def test_refusals_leave_nothing_behind(db):
    subject = trial()
    person = await resident()
    with pytest.raises(FormInvalid) as refused:
        await services.pledge(person, subject, money(0))
    assert refused.value.messages["quantity"][0] == "Enter an amount greater than zero."
    with pytest.raises(FormInvalid) as refused:
        await services.pledge(person, subject, money(-5))
    assert refused.value.messages["quantity"][0] == "Enter an amount greater than zero."
    with pytest.raises(FormInvalid) as refused:
        await services.pledge(person, subject, PledgeForm(kind="gold", quantity=1))
    assert "kind" in refused.value.messages
    with pytest.raises(FormInvalid) as refused:
        await services.pledge(person, subject, PledgeForm(kind="materials", quantity=3))
    assert refused.value.messages["item"][0] == "Say what you pledge."
    with pytest.raises(Forbidden) as forbidden:
        await services.pledge(person, subject, money(10, shop_id=999))
    assert forbidden.value.message == "You can pledge only for a shop you act for."
    with pytest.raises(NotFound):
        await services.pledge(person, PledgeSubject(kind="nothing", id=1), money(10))
    closed = trial(2, open_=False)
    with pytest.raises(Conflict) as conflict:
        await services.pledge(person, closed, money(10))
    assert conflict.value.message == "This no longer takes pledges."
    with pytest.raises(Forbidden):
        await services.pledge(viewer_for(None), subject, money(10))
    assert await Pledge.count() == 0


async def test_a_merchant_pledges_for_their_shop(db):
    subject = trial()
    zhang = await merchant("张师傅", shop_name="老张生煎")
    pledge_id = await services.pledge(zhang, subject, money(200, shop_id=shop_of(zhang), show_name=True))
    listed = (await services.pledges_of(subject, await resident("路人"))).items
    assert [(p.id, p.name, p.shop_name) for p in listed] == [(pledge_id, "张师傅", "老张生煎")]


async def test_withdrawing_is_the_pledgers_until_delivered(db):
    lead = await resident("组长")
    subject = trial(managers=(lead.person_id,))
    pledger, other = await resident("甲"), await resident("乙")
    first = await services.pledge(pledger, subject, money(100))
    second = await services.pledge(pledger, subject, money(50))
    with pytest.raises(Forbidden) as forbidden:
        await services.withdraw(other, first)
    assert forbidden.value.message == "Only the person who pledged can withdraw a pledge."
    await services.withdraw(pledger, first)
    await services.withdraw(pledger, first)  # a double submit changes nothing
    with pytest.raises(Conflict) as conflict:
        await services.mark_delivered(lead, first)
    assert conflict.value.message == "A withdrawn pledge cannot be marked delivered."
    await services.mark_delivered(lead, second)
    with pytest.raises(Conflict) as conflict:
        await services.withdraw(pledger, second)
    assert conflict.value.message == "A delivered pledge cannot be withdrawn."
    rows = await services.progress(subject)
    assert [(r.promised, r.delivered) for r in rows] == [(0, 50)]
    with pytest.raises(NotFound):
        await services.withdraw(pledger, 98765)


async def test_only_managers_mark_delivered_and_the_pledger_is_thanked_once(db):
    lead = await resident("组长")
    subject = trial(managers=(lead.person_id,))
    pledger = await resident("甲")
    pledge_id = await services.pledge(pledger, subject, PledgeForm(kind="hours", quantity=4))
    with pytest.raises(Forbidden) as forbidden:
        await services.mark_delivered(pledger, pledge_id)
    assert forbidden.value.message == "Only those who run this can mark pledges delivered."
    await services.mark_delivered(lead, pledge_id)
    await services.mark_delivered(lead, pledge_id)  # a double submit thanks nobody twice
    entries = await InboxEntry.select(InboxEntry.person, InboxEntry.kind, InboxEntry.event)
    assert entries == [{"person": pledger.person_id, "kind": "pledge", "event": "delivered"}]


async def test_names_show_only_to_whom_the_rule_says(db):
    lead = await resident("组长")
    subject = trial(managers=(lead.person_id,))
    hidden, shown = await resident("隐名者"), await resident("署名者")
    await services.pledge(hidden, subject, money(10))
    await services.pledge(shown, subject, money(20, show_name=True))

    async def names(viewer) -> set[str]:
        return {p.name for p in (await services.pledges_of(subject, viewer)).items}

    assert await names(viewer_for(None)) == {"", "署名者"}
    assert await names(await resident("路人")) == {"", "署名者"}
    assert await names(hidden) == {"隐名者", "署名者"}
    assert await names(lead) == {"隐名者", "署名者"}
    assert await names(await staff_viewer()) == {"隐名者", "署名者"}
    totals = await services.totals_per_subject("trial")
    assert [(t.subject_id, t.kind, t.pledges, t.promised) for t in totals] == [(1, "money", 2, 30)]
    assert not {"name", "person", "person_id"} & set(totals[0].__struct_fields__)


async def test_pledge_totals_are_exact_under_100_concurrent_pledges(db):
    subject = trial()
    people = [viewer_for(await make_person(f"居民{n}"), "resident") for n in range(10)]
    results = await asyncio.gather(
        *[services.pledge(people[n % 10], subject, money(n + 1)) for n in range(100)], return_exceptions=True
    )
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert len(set(results)) == 100
    (row,) = await services.progress(subject)
    assert row.promised == sum(range(1, 101)) == 5050
    assert await Pledge.count() == 100


async def test_routes_pledge_withdraw_and_deliver(browser_factory, db):
    lead_id = await make_person("组长", "13900000009")
    subject = trial(managers=(lead_id,))
    await make_person("甲", "13900000001")
    browser = browser_factory()
    await browser.log_in("13900000001")
    body = {"subject_kind": "trial", "subject_id": "1", "kind": "money", "quantity": "88"}
    response = await browser.post("/pledges", body)
    assert response.status_code == 303 and response.headers["location"] == "/trial/1"
    response = await browser.post("/pledges", {**body, "quantity": "0"}, htmx=True)
    assert response.status_code == 422
    assert zh("Enter an amount greater than zero.") in text_of(response.text)
    assert 'id="pledges-trial-1"' in response.text
    CLOSED.add(1)
    response = await browser.post("/pledges", body, htmx=True)
    assert response.status_code == 409 and zh("This no longer takes pledges.") in text_of(response.text)
    CLOSED.discard(1)
    response = await browser.post("/pledges", {**body, "subject_kind": "nothing"})
    assert response.status_code == 404
    assert await Pledge.count() == 1
    pledge_id = (await Pledge.select(Pledge.id).first())["id"]
    lead = browser_factory()
    await lead.log_in("13900000009")
    response = await lead.post(f"/pledges/{pledge_id}/withdraw", htmx=True)
    assert response.status_code == 403
    response = await lead.post(f"/pledges/{pledge_id}/delivered", htmx=True)
    assert response.status_code == 200 and zh("Delivered ✓") in text_of(response.text)
    assert "甲" in text_of(response.text)  # the manager sees the pledger's name
    response = await browser.post(f"/pledges/{pledge_id}/withdraw")
    assert response.status_code == 409
    assert (await services.progress(subject))[0].delivered == 88


async def test_the_panel_offers_withdrawing_with_a_confirmation(browser_factory, db):
    trial()
    await make_person("甲", "13900000001")
    browser = browser_factory()
    await browser.log_in("13900000001")
    response = await browser.post(
        "/pledges", {"subject_kind": "trial", "subject_id": "1", "kind": "hours", "quantity": "3"}, htmx=True
    )
    assert response.status_code == 200
    page = text_of(response.text)
    assert zh("Withdraw my pledge") in page and zh("Yes, withdraw") in page
    anonymous = browser_factory()
    response = await anonymous.post("/pledges", {"subject_kind": "trial", "subject_id": "1"})
    assert response.status_code in (401, 403) or response.headers["location"].startswith("/login")


async def test_a_pledgers_data_download_lists_their_pledges_and_erasure_unnames_them(db):
    from block_service.privacy.schemas import StaffDeleteForm
    from block_service.privacy.services import collect_personal_data, delete_account_for

    subject = trial()
    person = await resident("署名者")
    await services.pledge(person, subject, money(20, show_name=True, note="我家电话139xxxx"))
    data = await collect_personal_data(person.person_id)
    assert [(p["kind"], p["quantity"], p["note"]) for p in data["pledges"]] == [("money", 20, "我家电话139xxxx")]
    await delete_account_for(await staff_viewer(), person.person_id, StaffDeleteForm(confirm=True))
    (listed,) = (await services.pledges_of(subject, viewer_for(None))).items
    assert (listed.name, listed.note, listed.quantity) == ("", "", 20)
