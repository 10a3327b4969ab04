"""Personal data rules: consent at sign-up, what the download holds, what deleting an account removes and keeps."""

from __future__ import annotations

import datetime as dt

import pytest
from litestar.stores.memory import MemoryStore

from block_service.accounts.backoff import LoginBackoff
from block_service.accounts.notice import NOTICE_VERSION
from block_service.accounts.schemas import LoginForm, SignUpForm, Viewer
from block_service.accounts.signing_in import log_in, sign_up
from block_service.accounts.tables import Person, RoleGrant
from block_service.audit.tables import AuditEntry
from block_service.council import elections, seats
from block_service.council.tables import Seat
from block_service.errors import Conflict, FormInvalid, Invalid
from block_service.i18n import current_language
from block_service.inbox.tables import InboxEntry
from block_service.names import FORMER_MERCHANT, FORMER_RESIDENT
from block_service.privacy import services
from block_service.privacy.schemas import DeleteAccountForm, StaffDeleteForm
from block_service.shops.services import shops_without_merchant
from block_service.shops.tables import ShopMerchant
from block_service.threads.moderation import flag
from block_service.threads.reactions import set_metoo
from block_service.threads.schemas import AnswerForm
from block_service.threads.tables import Thread
from block_service.threads.workflow import post_answer
from tests.council_helpers import make_election, make_term, merchant, shop_of, staff_viewer, stand, zh
from tests.helpers import TEST_PASSWORD, make_person, make_thread, viewer_for


@pytest.fixture(autouse=True)
def _chinese():
    token = current_language.set("zh-Hans")
    yield
    current_language.reset(token)


def _signup(**overrides) -> SignUpForm:
    values = {
        "display_name": "王阿姨",
        "contact": "13912340001",
        "password": TEST_PASSWORD,
        "password_again": TEST_PASSWORD,
        "accept_privacy": True,
    }
    return SignUpForm(**{**values, **overrides})


async def test_sign_up_without_accepting_the_notice_is_refused_and_creates_nothing(db):
    with pytest.raises(FormInvalid) as refused:
        await sign_up(_signup(accept_privacy=False), language="zh-Hans")
    refusal = zh("Please read the privacy notice and tick the box to accept it.")
    assert refused.value.errors == {"accept_privacy": refusal}
    assert await Person.count() == 0


async def test_sign_up_records_the_accepted_notice_version_and_time(db):
    signed_in = await sign_up(_signup(), language="zh-Hans")
    person = (
        await Person.select(Person.privacy_version, Person.privacy_accepted_at)
        .where(Person.id == signed_in.person_id)
        .first()
    )
    assert person["privacy_version"] == NOTICE_VERSION and person["privacy_accepted_at"] is not None


async def test_the_label_of_a_deleted_account_is_nobody_s_name(db):
    with pytest.raises(FormInvalid) as refused:
        await sign_up(_signup(display_name=FORMER_RESIDENT), language="zh-Hans")
    assert refused.value.errors == {"display_name": zh("This name is reserved. Please choose another.")}


async def test_a_wrong_password_deletes_nothing(db):
    person = await make_person("王阿姨", "13912340002")
    with pytest.raises(FormInvalid) as refused:
        await services.delete_own_account(
            viewer_for(person, "resident"), DeleteAccountForm(password="not-my-password", confirm=True)
        )
    assert refused.value.errors == {"password": zh("The password is wrong.")}
    assert (await Person.select(Person.display_name, Person.erased_at).first()) == {
        "display_name": "王阿姨",
        "erased_at": None,
    }


async def test_deleting_needs_the_confirmation_box(db):
    person = await make_person("王阿姨", "13912340003")
    with pytest.raises(FormInvalid) as refused:
        await services.delete_own_account(viewer_for(person, "resident"), DeleteAccountForm(password=TEST_PASSWORD))
    assert refused.value.errors == {"confirm": zh("Tick the box to confirm that you want to delete your account.")}
    assert await Person.exists().where(Person.erased_at.is_null())


async def test_deleting_removes_name_contact_password_roles_and_inbox_and_keeps_a_tombstone(db):
    resident = await make_person("王阿姨", "13912340004")
    other = await make_person("李阿姨", "13912340005")
    thread = await make_thread(resident, title="王阿姨家门口的纸箱")
    await post_answer(viewer_for(other, "resident"), thread, AnswerForm(body="我也看到了"))
    assert await InboxEntry.exists().where(InboxEntry.person == resident)

    outcome = await services.delete_own_account(
        viewer_for(resident, "resident"), DeleteAccountForm(password=TEST_PASSWORD, confirm=True)
    )

    assert outcome.label == FORMER_RESIDENT
    row = await Person.select().where(Person.id == resident).first()
    assert (row["display_name"], row["email"], row["phone"], row["password_hash"], row["is_active"]) == (
        FORMER_RESIDENT,
        None,
        None,
        "",
        False,
    )
    assert row["erased_at"] is not None
    assert not await RoleGrant.exists().where(RoleGrant.person == resident)
    assert not await InboxEntry.exists().where(InboxEntry.person == resident)
    assert await Thread.exists().where((Thread.id == thread) & (Thread.author == resident))  # the record stays
    with pytest.raises(Invalid) as refused:
        await log_in(LoginForm(contact="13912340004", password=TEST_PASSWORD), LoginBackoff(MemoryStore()))
    assert refused.value.message == "Wrong email, mobile number or password."
    # The contact is free again: a new sign-up with it is a new person.
    again = await sign_up(_signup(contact="13912340004"), language="zh-Hans")
    assert again.person_id != resident
    with pytest.raises(Conflict) as refused:
        await services.delete_account_for(await staff_viewer(), resident, StaffDeleteForm(confirm=True))
    assert refused.value.message == "This account has been deleted."


async def test_the_audit_log_keeps_the_events_without_the_person_s_name_or_contact(db):
    signed_in = await sign_up(_signup(display_name="王阿姨", contact="wang.ayi@example.com"), language="zh-Hans")
    created = await AuditEntry.select(AuditEntry.after).where(AuditEntry.action == "account.created").first()
    assert "王阿姨" in created["after"] and "wang.ayi@example.com" in created["after"]

    await services.delete_own_account(
        viewer_for(signed_in.person_id, "resident"), DeleteAccountForm(password=TEST_PASSWORD, confirm=True)
    )

    entries = (
        await AuditEntry.select(AuditEntry.action, AuditEntry.before, AuditEntry.after)
        .where(AuditEntry.object_type == "person")
        .order_by(AuditEntry.id)
    )
    assert [entry["action"] for entry in entries] == ["account.created", "account.deleted"]
    for entry in entries:
        assert "王阿姨" not in entry["before"] + entry["after"]
        assert "wang.ayi" not in entry["before"] + entry["after"]


async def test_other_people_s_inbox_no_longer_names_the_deleted_person(db):
    reporter = await make_person("李阿姨", "13912340006")
    helper = await make_person("热心的王阿姨", "13912340007")
    thread = await make_thread(reporter)
    as_helper = Viewer(person_id=helper, display_name="热心的王阿姨", roles=frozenset({"resident"}))
    await post_answer(as_helper, thread, AnswerForm(body="我来帮忙搬"))
    assert (await InboxEntry.select(InboxEntry.actor_name).where(InboxEntry.person == reporter).first())[
        "actor_name"
    ] == "热心的王阿姨"

    await services.delete_own_account(
        viewer_for(helper, "resident"), DeleteAccountForm(password=TEST_PASSWORD, confirm=True)
    )

    names = [row["actor_name"] for row in await InboxEntry.select(InboxEntry.actor_name)]
    assert names == [FORMER_RESIDENT]


async def test_the_last_merchant_of_a_shop_must_confirm_what_happens_to_it(db):
    zhang = await merchant("张师傅", contact="13800000001")
    form = DeleteAccountForm(password=TEST_PASSWORD, confirm=True)
    preview = await services.preview_deletion(zhang.person_id)
    assert [shop.id for shop in preview.shops_left_alone] == [shop_of(zhang)]

    with pytest.raises(FormInvalid) as refused:
        await services.delete_own_account(zhang, form)
    assert refused.value.errors == {
        "confirm_shops": zh("Tick the box to confirm what happens to the shops you are the last merchant of.")
    }
    assert await ShopMerchant.exists().where(ShopMerchant.person == zhang.person_id)

    outcome = await services.delete_own_account(
        zhang, DeleteAccountForm(password=TEST_PASSWORD, confirm=True, confirm_shops=True)
    )
    assert outcome.label == FORMER_MERCHANT and outcome.shops_without_merchant == [shop_of(zhang)]
    assert not await ShopMerchant.exists().where(ShopMerchant.person == zhang.person_id)
    assert [shop["id"] for shop in await shops_without_merchant()] == [shop_of(zhang)]


async def test_a_merchant_whose_shop_keeps_another_merchant_is_not_asked_about_it(db):
    zhang = await merchant("张师傅", contact="13800000001")
    partner = await make_person("张师傅的儿子", "13800000002", roles=("resident", "merchant"))
    await ShopMerchant.insert(ShopMerchant(shop=shop_of(zhang), person=partner, since=dt.datetime.now(dt.UTC)))
    assert (await services.preview_deletion(zhang.person_id)).shops_left_alone == []
    await services.delete_own_account(zhang, DeleteAccountForm(password=TEST_PASSWORD, confirm=True))
    assert await shops_without_merchant() == []


async def test_a_deleted_council_member_s_seat_ceases_and_the_history_names_a_former_merchant(db):
    staff = await staff_viewer()
    zhang = await merchant("张师傅", contact="13800000001")
    term = await make_term(staff)
    await Seat.insert(Seat(term=term, person=zhang.person_id, shop=shop_of(zhang), started_at=dt.datetime.now(dt.UTC)))
    election = await make_election(staff, term)
    await stand(zhang, election)

    await services.delete_own_account(
        zhang, DeleteAccountForm(password=TEST_PASSWORD, confirm=True, confirm_shops=True)
    )

    seated = await seats.seats_of_term(term)
    assert [(str(seat.display_name), seat.ceased_kind) for seat in seated] == [(zh("A former merchant"), "resigned")]
    current_language.set("en")
    assert [str(seat.display_name) for seat in await seats.seats_of_term(term)] == ["A former merchant"]
    detail = await elections.get_election(election, viewer_for(staff.person_id, "staff"))
    assert detail.candidates == [] and detail.waiting == []


async def test_staff_deletion_is_audited_without_personal_data(db):
    staff = await staff_viewer()
    resident = await make_person("王阿姨", "13912340008")
    with pytest.raises(Invalid) as refused:
        await services.delete_account_for(staff, staff.person_id, StaffDeleteForm(confirm=True))
    assert refused.value.message == "Delete your own account from your account page."
    with pytest.raises(FormInvalid) as refused:
        await services.delete_account_for(staff, resident, StaffDeleteForm())
    assert refused.value.errors == {"confirm": zh("Tick the box to confirm that the person asked for the deletion.")}
    await services.delete_account_for(staff, resident, StaffDeleteForm(confirm=True))
    entry = await AuditEntry.select().where(AuditEntry.action == "account.deleted").first()
    assert (entry["actor"], entry["object_type"], entry["object_id"]) == (staff.person_id, "person", resident)
    assert "王阿姨" not in entry["after"] and "13912340008" not in entry["after"]
    assert '"by":"staff"' in entry["after"]


async def test_the_data_holds_the_person_s_contributions_and_not_another_person_s(db):
    wang = await make_person("王阿姨", "13912340009")
    li = await make_person("李阿姨", "13912340010")
    mine = await make_thread(wang, title="王阿姨反映的油烟", anonymous=True)
    theirs = await make_thread(li, title="李阿姨反映的噪音")
    await post_answer(viewer_for(wang, "resident"), mine, AnswerForm(body="晚上十点后还在排油烟"))
    await post_answer(viewer_for(li, "resident"), mine, AnswerForm(body="李阿姨的回复"))
    await set_metoo(viewer_for(wang, "resident"), theirs, True)
    await flag(viewer_for(wang, "resident"), "thread", theirs, "广告")

    data = await services.collect_personal_data(wang)

    assert data["account"]["display_name"] == "王阿姨" and data["account"]["phone"] == "13912340009"
    assert [(t["title"], bool(t["anonymous"])) for t in data["threads"]] == [("王阿姨反映的油烟", True)]
    assert [m["body"] for m in data["messages"]] == ["晚上十点后还在排油烟"]
    assert bool(data["messages"][0]["shown_as_anonymous_reporter"]) is True
    assert [row["thread"] for row in data["me_too"]] == [theirs]
    assert [(row["object_id"], row["reason"]) for row in data["flags"]] == [(theirs, "广告")]
    text = str(data)
    assert "李阿姨" not in text and "13912340010" not in text and "李阿姨的回复" not in text
    audit_actors = {entry["by"] for entry in data["audit"]}
    assert audit_actors <= {"you", "staff", "system"}


async def test_the_data_zip_of_many_photos_is_built_on_disk_not_in_memory(db, tmp_path):
    import os
    import tracemalloc
    import zipfile

    from block_service.threads.tables import Photo

    person = await make_person("王阿姨", "13912340011")
    thread = await make_thread(person)
    uploads = tmp_path / "var" / "uploads"
    uploads.mkdir(parents=True)
    blob = os.urandom(400_000)  # incompressible, like a JPEG
    now = dt.datetime.now(dt.UTC)
    for number in range(30):  # 12 MB of photos
        name = f"{number:032x}.jpg"
        (uploads / name).write_bytes(blob)
        await Photo.insert(
            Photo(thread=thread, file_name=name, width=1, height=1, size_bytes=len(blob), created_at=now)
        )
    del blob
    tracemalloc.start()
    try:
        path = await services.build_data_zip(person, tmp_path / "var")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    try:
        with zipfile.ZipFile(path) as archive:
            assert len([name for name in archive.namelist() if name.startswith("photos/")]) == 30
        assert path.stat().st_size > 12_000_000
    finally:
        path.unlink()
    assert peak < 3_000_000, f"building the zip held {peak / 1e6:.1f} MB"
