"""Report drafts and duplicate ranking as services: kept, adopted, claimed once, expired; ranked by place,
shop, category and shared title bigrams, never the viewer's own."""

import datetime as dt

from block_service import clock
from block_service.threads import drafts, suggestions
from block_service.threads.tables import ReportDraft, Thread
from tests.helpers import make_person, make_shop, make_thread, viewer_for


def test_bigrams_are_chinese_friendly():
    assert suggestions.bigrams("纸箱，占道") == {"纸箱", "箱占", "占道"}
    assert suggestions.bigrams("a") == set()


def test_the_same_house_outranks_the_same_segment_and_words_add_up():
    row = {"house_number": "1143号", "segment": 1, "shop": None, "category": 3, "title": "门口纸箱占道"}
    same_house = suggestions.score_candidate(
        row, house_number="1143号", segment_id=1, shop_id=None, category_id=None, title=""
    )
    same_segment = suggestions.score_candidate(
        {**row, "house_number": "1141号"}, house_number="1143号", segment_id=1, shop_id=None, category_id=None, title=""
    )
    assert same_house == (suggestions.SAME_HOUSE, ["same_house"])
    assert same_segment == (suggestions.SAME_SEGMENT, ["same_segment"])
    worded = suggestions.score_candidate(
        row, house_number="", segment_id=1, shop_id=None, category_id=3, title="生煎店门口纸箱"
    )
    assert worded[1] == ["same_segment", "same_category", "similar_title"] and worded[0] > same_segment[0]


async def test_suggestions_need_a_place_and_leave_out_the_viewers_own(db):
    author = await make_person("邻居", "13900000501")
    me = await make_person("我", "13900000502")
    theirs = await make_thread(author, title="生煎店门口纸箱占道", house_number="1143号")
    mine = await make_thread(me, title="生煎店门口纸箱又来了", house_number="1143号")
    viewer = viewer_for(me, "resident")
    assert await suggestions.suggest_duplicates(viewer, {"title": "纸箱"}) == []
    segment = (await Thread.select(Thread.segment).where(Thread.id == theirs).first())["segment"]
    found = await suggestions.suggest_duplicates(viewer, {"segment_id": str(segment), "house_number": "1143号"})
    assert [s.id for s in found] == [theirs] and mine not in [s.id for s in found]
    assert found[0].reasons == ["same_house"]


async def test_a_shop_and_a_like_title_rank_first(db):
    author = await make_person("邻居", "13900000503")
    merchant = await make_person("张师傅", "13800000503")
    shop_id = await make_shop(merchant)
    other = await make_thread(author, title="晚上噪音很大", category="noise", house_number="1145号")
    about_shop = await make_thread(author, title="门口纸箱堆着", house_number="1143号", shop_id=shop_id)
    segment = (await Thread.select(Thread.segment).where(Thread.id == other).first())["segment"]
    viewer = viewer_for(await make_person("我", "13900000504"), "resident")
    fields = {"segment_id": str(segment), "shop_id": str(shop_id), "house_number": "1143号", "title": "纸箱堆在门口"}
    found = await suggestions.suggest_duplicates(viewer, fields)
    assert [s.id for s in found][:2] == [about_shop, other]
    merchant_view = viewer_for(merchant, "resident", "merchant", shops=(shop_id,))
    assert about_shop not in [s.id for s in await suggestions.suggest_duplicates(merchant_view, fields)]


async def test_suggestions_take_two_statements_whatever_the_candidates(db, count_queries):
    author = await make_person("邻居", "13900000505")
    first = await make_thread(author, title="纸箱一", house_number="1143号")
    segment = (await Thread.select(Thread.segment).where(Thread.id == first).first())["segment"]
    viewer = viewer_for(await make_person("我", "13900000506"), "resident")
    counts = []
    for more in range(3):
        await make_thread(author, title=f"纸箱{more}", house_number="1143号")
        count_queries.statements.clear()
        await suggestions.suggest_duplicates(viewer, {"segment_id": str(segment)})
        counts.append(count_queries.count)
    assert counts == [2, 2, 2]


async def test_a_draft_is_kept_adopted_and_claimed_once(db, tmp_path):
    person = await make_person("居民", "13900000507")
    token = drafts.new_token()
    saved = await drafts.save_draft(drafts.Draft(token=token), {"title": "门口纸箱"}, var_dir=tmp_path)
    assert saved.person_id is None
    assert (await drafts.find_draft(token, None)).fields == {"title": "门口纸箱"}
    assert await drafts.find_draft(drafts.new_token(), None) is None
    older = await drafts.save_draft(
        drafts.Draft(token=drafts.new_token()), {"title": "旧的"}, person_id=person, var_dir=tmp_path
    )
    # Signed in with the visitor's cookie: the visitor's draft is the one shown, and saving makes it theirs.
    found = await drafts.find_draft(token, person)
    assert found.id == saved.id
    adopted = await drafts.save_draft(found, {"body": "人行道走不通"}, person_id=person, var_dir=tmp_path)
    assert adopted.person_id == person and adopted.fields == {"title": "门口纸箱", "body": "人行道走不通"}
    assert await ReportDraft.count() == 1 and not await ReportDraft.exists().where(ReportDraft.id == older.id)
    # Someone else with the same cookie does not get a person's draft.
    stranger = await make_person("路人", "13900000508")
    assert await drafts.find_draft(token, stranger) is None
    assert await drafts.claim_draft(adopted) is True
    assert await drafts.claim_draft(adopted) is False


async def test_old_drafts_go_with_their_photos(db, tmp_path):
    folder = tmp_path / "uploads"
    folder.mkdir()
    name = "a" * 32 + ".jpg"
    (folder / name).write_bytes(b"x")
    draft = await drafts.save_draft(drafts.Draft(token=drafts.new_token()), {}, [(name, 1, 1, 1)], var_dir=tmp_path)
    assert await drafts.draft_photo_names(draft.token, None) == {name}
    assert await drafts.delete_expired_drafts(tmp_path, clock.now()) == 0
    later = clock.now() + dt.timedelta(days=drafts.DRAFT_DAYS + 1)
    assert await drafts.find_draft(draft.token, None) is not None
    assert await drafts.delete_expired_drafts(tmp_path, later) == 1
    assert not (folder / name).exists() and await ReportDraft.count() == 0
