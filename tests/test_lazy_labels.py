"""Words the domains give (a deleted account's label, how a thread's author is named) are translated at the edge:
the same value reads in the language of whoever is shown it, on pages, kept pages and JSON alike."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from block_service.accounts.schemas import Viewer
from block_service.i18n import LazyText, current_language, later
from block_service.names import FORMER_MERCHANT, FORMER_RESIDENT, shown_name
from block_service.threads.access import author_label
from tests.helpers import make_person, make_thread, text_of
from tests.test_shared_pages import caught_up, following_changes


@contextmanager
def reading_in(language: str):
    token = current_language.set(language)
    try:
        yield
    finally:
        current_language.reset(token)


def both(value) -> tuple[str, str]:
    """The value as an English and as a Chinese reader read it."""
    with reading_in("en"):
        english = str(value)
    with reading_in("zh-Hans"):
        chinese = str(value)
    return english, chinese


def test_a_lazy_text_reads_in_the_current_language_and_is_one_value_in_every_language():
    label = later("A resident")
    assert both(label) == ("A resident", "一位居民")
    assert label == later("A resident") and hash(label) == hash(later("A resident"))
    assert label != later("A former resident") and label != "A resident"
    assert bool(label) and f"{label}" in ("A resident", "一位居民")
    with reading_in("en"):
        assert f"[{label:>12}]" == "[  A resident]"
        # Ordered by its text, so lists mixing it with plain names still sort.
        assert sorted(["王阿姨", label, "Zed"]) == [label, "Zed", "王阿姨"]
    with pytest.raises(AttributeError):
        label.msgid = "Other"  # type: ignore[misc]


def test_a_lazy_text_fills_in_its_parameters_nested_ones_in_the_same_language():
    you = later("%(name)s (you)", name="王阿姨")
    assert both(you) == ("王阿姨 (you)", "王阿姨（我）")
    nested = later("%(name)s (you)", name=later("A former resident"))
    assert both(nested) == ("A former resident (you)", "一位前居民（我）")
    assert you == later("%(name)s (you)", name="王阿姨") and you != later("%(name)s (you)", name="李大爷")


def test_a_deleted_accounts_name_reads_in_the_readers_language():
    resident, merchant = shown_name(FORMER_RESIDENT), shown_name(FORMER_MERCHANT)
    assert isinstance(resident, LazyText) and isinstance(merchant, LazyText)
    assert both(resident) == ("A former resident", "一位前居民")
    assert both(merchant) == ("A former merchant", "一位前商户")
    assert shown_name("王阿姨") == "王阿姨" and shown_name(None) == "" and shown_name("") == ""


PUBLIC = Viewer()
AUTHOR = Viewer(person_id=7, display_name="王阿姨", roles=frozenset({"resident"}))
STAFF = Viewer(person_id=9, roles=frozenset({"staff"}))
MERCHANT = Viewer(person_id=8, roles=frozenset({"merchant"}), shop_ids=frozenset({3}))


def _label(viewer: Viewer, **facts):
    author = {"author_id": 7, "author_name": "王阿姨", "anonymous": False, "name_to_shop": False, "shop_id": 3}
    return author_label(viewer, **(author | facts))


def test_a_threads_author_is_named_in_the_readers_language():
    walk_in = _label(PUBLIC, author_id=None, author_name=None, of_thread=True)
    assert both(walk_in) == ("Registered by the workstation on someone's behalf", "由工作站代为登记")
    assert both(_label(PUBLIC, author_id=None, author_name=None)) == ("The workstation", "工作站")
    assert both(_label(AUTHOR, anonymous=True)) == ("王阿姨 (you)", "王阿姨（我）")
    assert both(_label(PUBLIC, anonymous=True)) == ("A resident", "一位居民")
    assert both(_label(MERCHANT, anonymous=True)) == ("A resident", "一位居民")
    assert both(_label(MERCHANT, anonymous=True, name_to_shop=True)) == ("王阿姨", "王阿姨")
    assert _label(PUBLIC) == "王阿姨" and _label(STAFF, anonymous=True) == "王阿姨"
    deleted = _label(PUBLIC, author_name=FORMER_RESIDENT)
    assert both(deleted) == ("A former resident", "一位前居民")
    # The value itself is the same whoever's language it was made in: nothing language-bound is kept.
    with reading_in("en"):
        made_in_english = _label(PUBLIC, anonymous=True)
    with reading_in("zh-Hans"):
        assert _label(PUBLIC, anonymous=True) == made_in_english == later("A resident")


async def test_the_json_of_an_anonymous_report_names_its_author_in_the_requests_language(browser_factory):
    author = await make_person("王阿姨", "13900000701")
    thread_id = await make_thread(author, anonymous=True)
    for language, label in (("en", "A resident"), ("zh-Hans", "一位居民")):
        reader = browser_factory(language)
        detail = (await reader.get(f"/api/threads/{thread_id}")).json()
        assert detail["thread"]["author_label"] == label and "王阿姨" not in str(detail)
        listed = (await reader.get("/api/threads")).json()["items"]
        assert [item["author_label"] for item in listed] == [label]
    english = browser_factory("en")
    english.client.cookies.set("lang", "zh-Hans")  # the person's choice wins over the browser's
    assert (await english.get(f"/api/threads/{thread_id}")).json()["thread"]["author_label"] == "一位居民"


async def test_an_english_and_a_chinese_visitor_of_one_kept_page_each_read_their_own_language(browser_factory):
    async with following_changes():
        author = await make_person("王阿姨", "13900000702")
        thread_id = await make_thread(author, anonymous=True)
        await caught_up()
        english, chinese = browser_factory("en"), browser_factory("zh-Hans")
        for _ in range(2):  # the second round is served from the kept pages
            for path in (f"/threads/{thread_id}", "/threads"):
                in_english = text_of((await english.get(path)).text)
                in_chinese = text_of((await chinese.get(path)).text)
                assert "A resident" in in_english and "一位居民" not in in_english, path
                assert "一位居民" in in_chinese and "A resident" not in in_chinese, path
                assert "王阿姨" not in in_english + in_chinese
            fragment = await chinese.get("/threads", headers={"HX-Request": "true"})
            assert "一位居民" in text_of(fragment.text) and "A resident" not in fragment.text


async def test_an_inbox_entry_of_a_deleted_actor_names_them_in_the_readers_language(browser_factory):
    from block_service import inbox
    from tests.test_inbox_routes import NOW, _signed_in

    english, person = await _signed_in(browser_factory, "13900000703", language="en")
    thread_id = await make_thread(person)
    # What erasing an account leaves in other people's entries (inbox.forget_person): the stored label.
    await inbox.deliver([person], inbox.Subject("thread", thread_id), "answer", now=NOW, actor_name=FORMER_RESIDENT)
    assert "A former resident answered." in text_of((await english.get("/inbox")).text)
    assert (await english.get("/api/inbox")).json()["items"][0]["text"] == "A former resident answered."
    await english.post("/language", {"language": "zh-Hans", "next": "/inbox"})
    assert "一位前居民 回复了。" in text_of((await english.get("/inbox")).text)
