"""Every registered route is in the permission table, and refuses every role the table does not list."""

import re

import pytest

from block_service.clock import block_today
from block_service.council.motions import open_motion
from block_service.notices.directory import save_service
from block_service.notices.inspections import start_round
from block_service.notices.publishing import publish_notice
from block_service.notices.schemas import NoticeForm, RoundForm, ServiceForm
from block_service.web.permissions import ANYONE, ROUTE_ACCESS, SIGNED_IN, route_key
from tests.council_helpers import election_for_permission_walk
from tests.helpers import make_person, make_shop, make_thread, viewer_for
from tests.meeting_helpers import make_meeting
from tests.motion_helpers import motion_form
from tests.need_helpers import make_need
from tests.offer_helpers import make_offer
from tests.plans_helpers import file as file_proposal
from tests.project_helpers import milestone, started_project

PERSONAS = ("anonymous", "resident", "merchant", "staff")
# Routes Litestar adds by itself and the static files: nothing to refuse there.
ALWAYS_OPEN = {"options", "openapi", "static"}
# Open to everyone but not a page: an endless event stream, a photo that needs a stored file, and the
# second step of a log-in, which sends anyone who has not passed the first back to /login.
NOT_PAGES = {
    "thread_events",
    "photo",
    "photo_thumbnail",
    "login_code_form",
    "notice_file",
    "project_photo",
    "project_document",
}


def _all_handlers(app):
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods):
                yield route.path, method, handler


def test_every_route_has_a_row_in_the_permission_table(app):
    missing = sorted(
        {
            f"{method} {path} ({route_key(handler)})"
            for path, method, handler in _all_handlers(app)
            if route_key(handler) not in ROUTE_ACCESS
        }
    )
    assert not missing, f"add these routes to block_service/web/permissions.py: {missing}"


def test_the_table_names_no_route_that_does_not_exist(app):
    keys = {route_key(handler) for _path, _method, handler in _all_handlers(app)}
    assert set(ROUTE_ACCESS) - keys == set()


def _allowed(persona: str, roles: frozenset[str]) -> bool:
    if ANYONE in roles:
        return True
    if persona == "anonymous":
        return False
    return SIGNED_IN in roles or persona in roles


@pytest.fixture
async def people(browser_factory):
    """A browser per persona, logged in; the merchant acts for one shop, another merchant for another."""
    resident = await make_person("居民", "13900000001")
    merchant = await make_person("店主", "13800000001")
    neighbour = await make_person("隔壁店主", "13800000002")
    staff_id = await make_person("工作站", "staff@test.example", roles=("staff",))
    own_shop = await make_shop(merchant, name="老张生煎", house_number="1143号")
    other_shop = await make_shop(neighbour, name="隔壁水果店", house_number="1021号")
    thread_id = await make_thread(resident, shop_id=own_shop)
    await election_for_permission_walk()  # election 1 (term 1), so the election pages answer
    proposal_id = await file_proposal(viewer_for(resident, "resident"))
    await open_motion(viewer_for(staff_id, "staff"), motion_form())  # motion 1, so the motion pages answer
    await make_meeting(viewer_for(staff_id, "staff"))  # meeting 1, so the meeting pages answer
    staff = viewer_for(staff_id, "staff")
    await publish_notice(
        staff, NoticeForm(title="燃气安全通知", body="请各商户注意燃气安全。")
    )  # notice 1, to every shop
    await start_round(staff, RoundForm(month=block_today().strftime("%Y-%m")))  # inspection round 1
    await save_service(staff, ServiceForm(topic="waste", title="垃圾清运合同"))  # directory entry 1

    merchant_viewer = viewer_for(merchant, "resident", "merchant", shops=(own_shop,))
    await make_offer(merchant_viewer, own_shop, every_day="09:00-21:00")  # offer 1, the merchant's own
    await make_need(viewer_for(resident, "resident"))  # need 1

    project_id = await started_project(viewer_for(staff_id, "staff"))  # project 1, so the project pages answer
    await milestone(viewer_for(staff_id, "staff"), project_id)
    browsers = {"anonymous": browser_factory()}
    for persona, contact in (("resident", "13900000001"), ("merchant", "13800000001"), ("staff", "staff@test.example")):
        browsers[persona] = browser_factory()
        await browsers[persona].log_in(contact)
    return {
        "browsers": browsers,
        "own_shop": own_shop,
        "other_shop": other_shop,
        "resident": resident,
        "thread": thread_id,
        "proposal": proposal_id,
    }


def _fill(path: str, people) -> str:
    values = {
        "shop_id": people["own_shop"],
        "person_id": people["resident"],
        "application_id": 1,
        "segment_id": 1,
        "industry_id": 1,
        "role": "resident",
        "file_path": "block.css",
        "path": "openapi.yaml",
        "thread_id": people["thread"],
        "message_id": 1,
        "object_type": "thread",
        "object_id": people["thread"],
        "category_id": 1,
        "template_id": 1,
        "file_name": "0123456789abcdef0123456789abcdef.jpg",
        "ref": "region-lane-1141",
        "group_id": 1,
        "election_id": 1,
        "term_id": 1,
        "nomination_id": 1,
        "seat_id": 1,
        "interest_id": 1,
        "photo_id": 1,
        "proposal_id": people["proposal"],
        "slug": "environment",
        "motion_id": 1,
        "meeting_id": 1,
        "item_id": 1,
        "offer_id": 1,
        "kind_id": 1,
        "need_id": 1,
        "chart": "road.csv",
        "data_file": "threads.csv",
        "pledge_id": 1,
        "notice_id": 1,
        "attachment_id": 1,
        "round_id": 1,
        "service_id": 1,
        "project_id": 1,
        "milestone_id": 1,
        "document_id": 1,
    }
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(values[m.group(1)]), path)


async def test_each_route_refuses_the_roles_it_does_not_list(app, people):
    checked, walked = 0, set()
    for path, method, handler in _all_handlers(app):
        key = route_key(handler)
        if key in ALWAYS_OPEN or method in ("OPTIONS", "HEAD"):
            continue
        walked.add(key)
        roles = ROUTE_ACCESS[key].roles
        url = _fill(path, people)
        for persona in PERSONAS:
            if _allowed(persona, roles):
                continue
            browser = people["browsers"][persona]
            if method == "GET":
                response = await browser.get(url)
            else:
                response = await browser.post(url, {})
            checked += 1
            if persona == "anonymous":
                refused = response.status_code in (401, 403) or (
                    response.status_code == 303 and response.headers["location"].startswith("/login")
                )
            else:
                refused = response.status_code == 403
            assert refused, f"{persona} was not refused {method} {url}: {response.status_code}"
    # Every row of the route table was walked, and every role a row leaves out was tried on it: a route the
    # walk skips, or a table that grows, shows in these counts instead of passing silently.
    table = set(ROUTE_ACCESS) - ALWAYS_OPEN
    assert len(walked) == len(table), sorted(table - walked)
    assert checked == sum(not _allowed(persona, ROUTE_ACCESS[key].roles) for key in table for persona in PERSONAS)


async def test_pages_open_to_a_role_answer_it(app, people):
    for path, method, handler in _all_handlers(app):
        key = route_key(handler)
        if method != "GET" or key in ALWAYS_OPEN or key in NOT_PAGES:
            continue
        for persona in PERSONAS:
            if not _allowed(persona, ROUTE_ACCESS[key].roles):
                continue
            response = await people["browsers"][persona].get(_fill(path, people))
            assert response.status_code == 200, f"{persona} GET {path}: {response.status_code}"


async def test_a_merchant_cannot_act_for_a_shop_they_do_not_represent(people):
    merchant = people["browsers"]["merchant"]
    other = people["other_shop"]
    assert (await merchant.get(f"/shops/{other}/edit")).status_code == 403
    response = await merchant.post(f"/shops/{other}/edit", {"phone": "13811112222", "opening_hours": "全天"})
    assert response.status_code == 403
    page = await people["browsers"]["anonymous"].get(f"/shops/{other}")
    assert "13811112222" not in page.text and "全天" not in page.text
    own = await merchant.post(f"/shops/{people['own_shop']}/edit", {"phone": "13811112222", "opening_hours": "全天"})
    assert own.status_code == 303


async def test_a_resident_cannot_post_as_a_shop(people):
    resident = people["browsers"]["resident"]
    response = await resident.post(f"/shops/{people['own_shop']}/edit", {"phone": "13811112222"})
    assert response.status_code == 403
