"""The road's strip map: one orientation, shops and open reports as markers, a kind another domain adds without
touching the map, the segment panel a tap opens, and the thread page's highlight of its own place."""

from __future__ import annotations

import re

import pytest

from block_service.groups import strip
from block_service.groups.schemas import StripMarker
from block_service.shops.segments import list_segments
from block_service.threads import markers, moderation
from tests.helpers import make_person, make_shop, make_thread, text_of, viewer_for


@pytest.fixture
def offers_kind():
    """A kind of marker from "another domain": registered through the API only, removed afterwards."""

    async def offers_between(first: int, last: int) -> list[StripMarker]:
        return [StripMarker(street_number=1147, kind="trial", label="买一送一", href="/offers/1")][
            : 1 if first <= 1147 <= last else 0
        ]

    strip.register_markers("trial", "Shops", offers_between, count="Shops: %(num)s", shape="square", order=30)
    yield
    strip._kinds.pop("trial", None)


async def _segment_of(number: int) -> int:
    return next(s.id for s in await list_segments() if s.first_number <= number <= s.last_number)


def test_a_stretch_puts_north_at_the_top_odd_numbers_left_and_highlights_here():
    markers = [
        StripMarker(street_number=1149, kind="shop", label="乙店", href="/shops/2"),
        StripMarker(street_number=1142, kind="shop", label="甲店", href="/shops/1"),
        StripMarker(street_number=1145, kind="report", label="纸箱占道", href="/threads/7"),
    ]
    here = StripMarker(street_number=1145, kind="report", label="纸箱占道", href="/threads/7")
    stretch = strip.lay_out_strip(1140, 1160, markers, here=here)
    assert [point.label for point in stretch.points] == ["甲店", "乙店"]  # the thread itself is drawn once, as here
    assert stretch.points[0].y < stretch.points[1].y and not stretch.points[0].odd_side
    assert stretch.here is not None and stretch.here.odd_side and stretch.here.house_number == "1145号"


def test_the_whole_road_counts_each_kind_per_segment_and_rejects_unknown_shapes():
    segments = [
        type("S", (), dict(id=1, name_zh="北段", name_en="North", first_number=1001, last_number=1100))(),
        type("S", (), dict(id=2, name_zh="南段", name_en="South", first_number=1101, last_number=1200))(),
    ]
    markers = [StripMarker(street_number=n, kind="shop", label="店") for n in (1003, 1150, 1160)]
    road = strip.lay_out_road(segments, markers, lambda segment_id: f"/road/{segment_id}", here=1150)
    assert [band.counts for band in road.bands] == [{"shop": 1}, {"shop": 2}]
    assert road.bands[0].y < road.bands[1].y and road.bands[1].href == "/road/2"
    assert road.here is not None and road.bands[1].y <= road.here.y <= road.bands[1].y + road.bands[1].height
    with pytest.raises(ValueError):
        strip.register_markers("odd", "Shops", strip.shops_between, count="Shops: %(num)s", shape="star")


async def test_open_public_reports_are_markers_and_closed_hidden_or_group_ones_are_not(db):
    reporter = await make_person("居民", "13900000401")
    staff = await make_person("工作站", "staff401@test.example", roles=("staff",))
    shown = await make_thread(reporter, title="门口纸箱占道", house_number="1145号")
    hidden = await make_thread(reporter, title="被隐藏的反映", house_number="1147号")
    await moderation.moderate(viewer_for(staff, "staff"), "thread", hidden, True, "语料")
    assert markers.open_reports_between  # loading threads registers the kind "report"
    found = await strip.markers_between(1140, 1160)
    reports = [marker for marker in found if marker.kind == "report"]
    assert [(m.label, m.href) for m in reports] == [("门口纸箱占道", f"/threads/{shown}")]


async def test_the_thread_page_shows_its_neighbours_north_at_the_top_with_markers_and_its_place(db, browser):
    merchant = await make_person("店主", "13800000401")
    await make_shop(merchant, name="老张生煎", house_number="1143号")
    far = await make_person("远处店主", "13800000403")
    await make_shop(far, name="远在段尾的店", house_number="1160号")  # same segment, 15 doors away
    reporter = await make_person("居民", "13900000402")
    await make_thread(reporter, title="隔壁的油烟问题", house_number="1149号")
    thread_id = await make_thread(reporter, title="门口纸箱占道", house_number="1145号")
    page = (await browser.get(f"/threads/{thread_id}", headers={"Accept-Language": "zh-Hans"})).text
    figure = page[page.index('class="place-map"') :]
    figure = figure[: figure.index("</details>")]
    assert figure.index("北") < figure.index("南")  # north first, at the top
    assert 'viewBox="0 0 360' in figure and 'class="here"' in figure
    listed = text_of(figure[figure.index("<figcaption") :])
    assert "老张生煎" in listed and "隔壁的油烟问题" in listed and "本条反映" in listed
    assert "远在段尾的店" not in figure  # the neighbours, not the whole segment…
    segment_id = await _segment_of(1145)
    assert f'href="/road/{segment_id}">整段：' in figure  # …which is one tap away
    assert f'href="/threads/{thread_id}"' not in figure  # its own place is the highlight, not a marker


async def test_a_kind_registered_elsewhere_shows_on_the_group_page_the_home_map_and_the_panel(db, browser, offers_kind):
    merchant = await make_person("店主", "13800000402")
    await make_shop(merchant, name="老张生煎", house_number="1143号")
    group_page = (await browser.get("/groups/region-lane-1141")).text
    assert "买一送一" in group_page and 'class="marker kind-trial' in group_page
    home = (await browser.get("/")).text
    segment_id = await _segment_of(1147)
    assert f'hx-get="/road/{segment_id}"' in home and 'id="road-panel"' in home
    panel = await browser.get(f"/road/{segment_id}", headers={"HX-Request": "true"})
    assert panel.status_code == 200 and "<html" not in panel.text
    assert re.search(r'href="/offers/1">买一送一</a>', panel.text) and "老张生煎" in panel.text
    whole = await browser.get(f"/road/{segment_id}")
    assert "<html" in whole.text and 'class="road-map"' in whole.text  # without JS: the same as a page


async def test_an_unknown_segment_is_a_404_in_the_visitors_language(db, browser):
    response = await browser.get("/road/987654", headers={"Accept-Language": "en"})
    assert response.status_code == 404 and "No such segment." in response.text


async def test_the_map_around_a_place_keeps_the_nearest_markers_of_each_kind_inside_its_segment(db):
    reporter = await make_person("居民", "13900000411")
    for number in (1141, 1142, 1147, 1150):
        await make_thread(reporter, title=f"{number}号的反映", house_number=f"{number}号")
    merchant = await make_person("店主", "13800000411")
    await make_shop(merchant, name="隔壁小店", house_number="1144号")
    here = StripMarker(street_number=1145, kind="report", label="这里", href="/threads/999999")
    segment_id = await _segment_of(1145)
    found = await strip.around(segment_id, here, reach=4, per_kind=1)
    assert (found.first_number, found.last_number) == (1141, 1149)
    assert sorted((p.kind, p.label) for p in found.points) == [("report", "1147号的反映"), ("shop", "隔壁小店")]
    assert found.here is not None and found.here.label == "这里"
    edge = await strip.around(segment_id, StripMarker(street_number=1158, kind="report", label="段尾"), 5, 5)
    assert (edge.first_number, edge.last_number) == (1153, 1160)  # never past its segment's last door
