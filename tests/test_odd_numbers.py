"""Numbers a database cannot take, or that are not numbers, answer 400 or 404, never 500.

Every route with a numeric path parameter or a numeric query parameter is asked with each odd value, as
staff (whom the route table lets through almost everywhere) and as a visitor."""

import re

import pytest

from block_service.web.permissions import ANYONE, ROUTE_ACCESS, route_key
from tests.helpers import make_person

ODD_IDS = ("99999999999999999999", "9223372036854775808", "2147483648", "-1", "0")
ODD_QUERY_NUMBERS = ("99999999999999999999", "-1", "¹", "٣", "1.5")


def _routes(app):
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                yield route.path, method, handler


def _numeric_query_names(handler, path: str) -> list[str]:
    """The handler's number-like query parameters (a parameter of the path, say {shop_id}, is not one)."""
    in_path = set(re.findall(r"\{(\w+)", path))
    names = []
    for name, field in handler.parsed_fn_signature.parameters.items():
        text = repr(field.annotation)
        if name in in_path:
            continue
        if (
            name in ("page", "per_page", "discussion_page", "term")
            or "OptionalIdText" in text
            or (name in ("category", "shop", "segment", "industry", "object_id", "actor", "shop_id", "category_id"))
        ):
            names.append(name)
    return names


@pytest.fixture
async def staff(browser_factory):
    await make_person("工作站", "staff@test.example", roles=("staff",))
    browser = browser_factory("en")
    await browser.log_in("staff@test.example")
    await browser.post("/language", {"language": "en", "next": "/"})
    return browser


async def test_odd_numbers_in_paths_and_queries_are_refused_not_server_errors(app, staff, browser_factory):
    visitor = browser_factory("en")
    asked = 0
    for path, method, handler in _routes(app):
        if route_key(handler) in ("static", "openapi", "photo"):
            continue
        int_params = re.findall(r"\{(\w+):int\}", path)
        urls = []
        if int_params:
            for odd in ODD_IDS:
                urls.append(re.sub(r"\{(\w+):int\}", odd, re.sub(r"\{(\w+):str\}", "thread", path)))
        if method == "GET":
            base = re.sub(r"\{(\w+):int\}", "1", re.sub(r"\{(\w+):str\}", "region-lane-1141", path))
            for name in _numeric_query_names(handler, path):
                urls += [f"{base}?{name}={odd}" for odd in ODD_QUERY_NUMBERS]
        # A visitor is refused before the parameters are read, except on public routes.
        askers = (staff, visitor) if ANYONE in ROUTE_ACCESS[route_key(handler)].roles else (staff,)
        for url in urls:
            for browser in askers:
                if method == "GET":
                    response = await browser.get(url)
                else:
                    response = await browser.post(url, {})
                asked += 1
                assert response.status_code < 500, f"{method} {url}: {response.status_code}"
                if browser is staff and route_key(handler) not in ("thread_events",):
                    assert response.status_code in (400, 403, 404), f"{method} {url}: {response.status_code}"
    assert asked > 250


@pytest.mark.parametrize(
    "url",
    [
        "/threads?page=99999999999999999999",
        "/api/threads?page=99999999999999999999",
        "/api/threads?per_page=101",
        "/shops?page=99999999999999999999",
        "/api/shops?page=99999999999999999999",
        "/threads?category=¹",
        "/api/shops?segment=99999999999999999999",
        "/elections/99999999999999999999",
        "/threads/99999999999999999999/events",
        "/threads/-1",
        "/threads/similar?category_id=¹",
    ],
)
async def test_the_odd_numbers_found_by_fuzzing_are_a_400_in_the_persons_language(staff, url):
    response = await staff.get(url)
    assert response.status_code == 400, (url, response.status_code)
    if url.startswith("/api/"):
        assert response.json()["detail"] == "Some values in the address or form are not valid."
    else:
        assert "Some values in the address or form are not valid." in response.text


@pytest.mark.parametrize("ref", ["99999999999999999999", "¹", "-1"])
async def test_a_group_reference_that_is_no_group_is_a_404(browser, ref):
    assert (await browser.get(f"/groups/{ref}")).status_code == 404
    assert (await browser.get(f"/api/groups/{ref}")).status_code == 404


async def test_an_id_beyond_the_database_in_a_form_is_a_field_error(staff):
    from block_service.errors import FormInvalid
    from block_service.threads.schemas import ThreadForm
    from block_service.web.forms import read_form
    from tests.council_helpers import zh

    with pytest.raises(FormInvalid) as refused:
        read_form(
            ThreadForm,
            {
                "kind": "report",
                "title": "纸箱占道",
                "body": "人行道被堵住了。",
                "category_id": "1",
                "house_number": "1143号",
                "shop_id": "99999999999999999999",
            },
        )
    assert refused.value.errors == {"shop_id": zh("Enter a number of at most %(count)s.", count=2147483647)}


async def test_the_schema_documents_refusals_and_serves_pages_as_html(browser):
    schema = (await browser.get("/schema/openapi.json")).json()
    paths = schema["paths"]
    page = paths["/threads"]["get"]["responses"]
    assert list(page["200"]["content"]) == ["text/html"] and list(page["400"]["content"]) == ["text/html"]
    assert paths["/threads"]["get"]["parameters"][-1]["schema"]["maximum"] == 100_000  # page
    flag = paths["/threads/{thread_id}/flag"]["post"]["responses"]
    assert {"303", "401", "403", "404", "409", "413", "422", "429"} <= set(flag)
    api = paths["/api/threads/{thread_id}"]["get"]
    assert {"400", "404"} <= set(api["responses"]) and "401" not in api["responses"]  # public
    assert list(api["responses"]["404"]["content"]) == ["application/json"]
    assert api["parameters"][0]["schema"] == {"type": "integer", "maximum": 2147483647, "minimum": 1}
    staff_only = paths["/api/staff/shop-applications"]["get"]["responses"]
    assert {"401", "403"} <= set(staff_only)
