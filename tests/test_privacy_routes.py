"""Personal data through HTTP: the notice, consent at sign-up, the banner, the data zip, deleting an account."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

from block_service.accounts.notice import NOTICE_VERSION
from block_service.accounts.tables import Person
from block_service.audit.tables import AuditEntry
from block_service.council import ballots
from block_service.council.schemas import BallotForm
from block_service.council.tables import ShopVoted
from block_service.threads.photos import prepare_photo, store_photo
from block_service.threads.tables import Photo
from tests.council_helpers import make_election, make_term, merchant, shop_of, staff_viewer, stand, zh
from tests.helpers import TEST_PASSWORD, make_person, make_thread, text_of

SIGNUP = {
    "display_name": "王阿姨",
    "contact": "13912345678",
    "password": "安全的密码123",
    "password_again": "安全的密码123",
}


async def _signed_in(browser_factory, contact: str, language: str = "zh-Hans"):
    browser = browser_factory(language)
    await browser.log_in(contact, TEST_PASSWORD)
    return browser


async def _accept_notice(person_id: int) -> None:
    await Person.update({Person.privacy_version: NOTICE_VERSION}).where(Person.id == person_id)


async def test_the_privacy_notice_is_public_in_both_languages_and_states_the_retention_periods(
    browser_factory, settings
):
    chinese = await browser_factory("zh-Hans").get("/privacy")
    assert chinese.status_code == 200
    text = text_of(chinese.text)
    assert "隐私声明" in text and "凌岩南路1141弄" in text
    assert (
        zh(
            "Photos of a thread are deleted once the thread has been closed for %(days)s days.",
            days=settings.photo_retention_days,
        )
        in text
    )
    assert zh("Inbox entries are deleted after %(days)s days.", days=settings.inbox_retention_days) in text
    english = text_of((await browser_factory("en").get("/privacy")).text)
    assert "Privacy notice" in english and f"closed for {settings.photo_retention_days} days" in english
    assert "Ballots are secret" in english


async def test_the_footer_and_the_sign_up_form_link_to_the_notice(browser):
    assert 'href="/privacy"' in (await browser.get("/")).text
    form = await browser.get("/signup")
    assert 'name="accept_privacy"' in form.text and 'href="/privacy"' in form.text


async def test_sign_up_without_ticking_the_notice_is_refused_with_a_clear_message(browser):
    response = await browser.post("/signup", SIGNUP, htmx=True)
    assert response.status_code == 422
    assert zh("Please read the privacy notice and tick the box to accept it.") in text_of(response.text)
    assert await Person.count() == 0
    accepted = await browser.post("/signup", {**SIGNUP, "accept_privacy": "true"})
    assert accepted.status_code == 303
    person = await Person.select(Person.privacy_version, Person.privacy_accepted_at).first()
    assert person["privacy_version"] == NOTICE_VERSION and person["privacy_accepted_at"] is not None


async def test_a_person_who_accepted_an_older_notice_is_asked_to_accept_the_new_one(browser_factory):
    person = await make_person("王阿姨", "13912340020")
    await Person.update({Person.privacy_version: "2020-01-01"}).where(Person.id == person)
    browser = await _signed_in(browser_factory, "13912340020")
    page = await browser.get("/threads")
    assert 'id="privacy-banner"' in page.text
    accepted = await browser.post("/privacy/accept", {"next": "/threads"})
    assert accepted.status_code == 303 and accepted.headers["location"] == "/threads"
    assert (await Person.select(Person.privacy_version).first())["privacy_version"] == NOTICE_VERSION
    assert 'id="privacy-banner"' not in (await browser.get("/threads")).text
    assert await AuditEntry.exists().where(AuditEntry.action == "privacy.accepted")


def _small_jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


async def _photo_for(thread_id: int, var_dir) -> str:
    name = store_photo(var_dir, prepare_photo(_small_jpeg()))
    await Photo.insert(
        Photo(thread=thread_id, file_name=name, width=64, height=48, size_bytes=100, created_at=dt.datetime.now(dt.UTC))
    )
    return name


async def test_my_data_is_a_zip_of_my_data_and_photos_with_no_one_else_s_and_no_ballot(browser_factory, settings):
    staff = await staff_viewer()
    zhang = await merchant("张师傅", contact="13800000001")
    li = await merchant("李老板", "1021号", "凌岩水果店", contact="13800000002")
    await _accept_notice(zhang.person_id)
    election = await make_election(staff, await make_term(staff))
    li_candidate = await stand(li, election, "水果新鲜")
    await ballots.open_voting(staff, election)
    await ballots.cast_ballot(zhang, election, BallotForm(shop_id=shop_of(zhang), candidates=[li_candidate]))
    assert await ShopVoted.count() == 1
    mine = await make_thread(zhang.person_id, title="张师傅反映的下水道", anonymous=True)
    theirs = await make_thread(li.person_id, title="李老板反映的垃圾桶")
    my_photo = await _photo_for(mine, settings.var_dir)
    their_photo = await _photo_for(theirs, settings.var_dir)

    browser = await _signed_in(browser_factory, "13800000001")
    page = await browser.get("/me/data")
    assert page.status_code == 200 and 'action="/me/data/download"' in page.text
    response = await browser.post("/me/data/download")

    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["my-data.json", f"photos/{my_photo}"]
    assert archive.read(f"photos/{my_photo}")[:2] == b"\xff\xd8"
    data = json.loads(archive.read("my-data.json"))
    assert data["account"]["phone"] == "13800000001"
    assert [thread["title"] for thread in data["threads"]] == ["张师傅反映的下水道"]
    assert data["threads"][0]["photos"] == [f"photos/{my_photo}"]
    assert [shop["id"] for shop in data["shops"]] == [shop_of(zhang)]
    raw = archive.read("my-data.json").decode()
    assert "李老板" not in raw and "13800000002" not in raw and their_photo not in raw
    # No trace of the ballot: neither the candidate chosen nor that the shop voted in this election.
    assert "水果新鲜" not in raw and "council_shop_voted" not in raw and "votes" not in raw
    assert set(data["council"]) == {"seats", "nominations", "interests", "leader_backings_made", "ballots"}
    assert isinstance(data["council"]["ballots"], str)


async def test_downloading_my_data_needs_a_session(browser):
    response = await browser.post("/me/data/download")
    assert response.status_code == 401
    assert zh("Please log in first.") in text_of(response.text)


async def test_deleting_my_account_refuses_a_wrong_password_and_changes_nothing(browser_factory):
    person = await make_person("王阿姨", "13912340021")
    await _accept_notice(person)
    browser = await _signed_in(browser_factory, "13912340021")
    form = await browser.get("/me/delete")
    assert form.status_code == 200 and 'name="password"' in form.text
    response = await browser.post("/me/delete", {"password": "wrong-password", "confirm": "true"}, htmx=True)
    assert response.status_code == 422
    assert zh("The password is wrong.") in text_of(response.text)
    assert (await Person.select(Person.display_name).first())["display_name"] == "王阿姨"
    assert (await browser.get("/me")).status_code == 200


async def test_a_deleted_resident_is_a_former_resident_in_html_and_json_and_their_old_session_ends(browser_factory):
    person = await make_person("王阿姨", "13912340022")
    await _accept_notice(person)
    thread = await make_thread(person, title="门口的共享单车")
    phone = await _signed_in(browser_factory, "13912340022")  # another device of the same person
    browser = await _signed_in(browser_factory, "13912340022")
    assert (await phone.get("/me")).status_code == 200

    response = await browser.post("/me/delete", {"password": TEST_PASSWORD, "confirm": "true"})

    assert response.status_code == 303 and response.headers["location"] == "/"
    for device in (browser, phone):
        me = await device.get("/me")
        assert me.status_code == 303 and me.headers["location"].startswith("/login")
    visitor = browser_factory("zh-Hans")
    page = text_of((await visitor.get(f"/threads/{thread}")).text)
    assert "一位前居民" in page and "王阿姨" not in page
    api = (await visitor.get(f"/api/threads/{thread}")).json()
    assert api["thread"]["author_label"] == "一位前居民" and "王阿姨" not in json.dumps(api, ensure_ascii=False)
    english = (await browser_factory("en").get(f"/api/threads/{thread}")).json()
    assert english["thread"]["author_label"] == "A former resident"
    # The deleted account cannot log in; its mobile number signs up a new account.
    login = await visitor.post("/login", {"contact": "13912340022", "password": TEST_PASSWORD, "next": "/me"})
    assert login.status_code != 303
    again = await visitor.post("/signup", {**SIGNUP, "contact": "13912340022", "accept_privacy": "true"})
    assert again.status_code == 303


async def test_the_last_merchant_is_told_what_happens_to_the_shop_and_must_confirm(browser_factory):
    zhang = await merchant("张师傅", contact="13800000001")
    await _accept_notice(zhang.person_id)
    browser = await _signed_in(browser_factory, "13800000001")
    form = text_of((await browser.get("/me/delete")).text)
    assert zh("This account is the last merchant of these shops:") in form and "张师傅的店" in form
    refused = await browser.post("/me/delete", {"password": TEST_PASSWORD, "confirm": "true"}, htmx=True)
    assert refused.status_code == 422
    assert zh("Tick the box to confirm what happens to the shops you are the last merchant of.") in text_of(
        refused.text
    )
    assert (await browser.get("/me")).status_code == 200
    done = await browser.post("/me/delete", {"password": TEST_PASSWORD, "confirm": "true", "confirm_shops": "true"})
    assert done.status_code == 303
    shop = text_of((await browser_factory().get(f"/shops/{shop_of(zhang)}")).text)
    assert "张师傅的店" in shop and "张师傅 " not in shop


async def test_staff_delete_an_account_on_request_and_the_audit_entry_holds_no_personal_data(browser_factory):
    staff = await make_person("工作站小凌", "staff@test.example", roles=("staff",))
    await _accept_notice(staff)
    resident = await make_person("王阿姨", "13912340023")
    desk = await _signed_in(browser_factory, "staff@test.example")
    page = await desk.get(f"/staff/people/{resident}")
    assert f'href="/staff/people/{resident}/delete"' in page.text
    unconfirmed = await desk.post(f"/staff/people/{resident}/delete", {}, htmx=True)
    assert unconfirmed.status_code == 422
    assert zh("Tick the box to confirm that the person asked for the deletion.") in text_of(unconfirmed.text)

    done = await desk.post(f"/staff/people/{resident}/delete", {"confirm": "true"})

    assert done.status_code == 303
    entry = await AuditEntry.select().where(AuditEntry.action == "account.deleted").first()
    assert (entry["actor"], entry["object_id"]) == (staff, resident)
    assert "王阿姨" not in entry["before"] + entry["after"] and "13912340023" not in entry["after"]
    person = text_of((await desk.get(f"/staff/people/{resident}")).text)
    assert zh("Deleted") in person and "13912340023" not in person
    assert (await desk.post(f"/staff/people/{staff}/delete", {"confirm": "true"}, htmx=True)).status_code == 422
    residents = await desk.get("/staff/people/?q=王阿姨")
    assert "13912340023" not in residents.text
