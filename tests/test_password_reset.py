"""Password reset with a code staff issue in person: shown once, kept hashed, expires, used once, rate limited."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from block_service import clock
from block_service.accounts import reset_codes
from block_service.accounts.schemas import ResetForm
from block_service.accounts.tables import Person, ResetCode
from block_service.audit.tables import AuditEntry
from block_service.errors import Forbidden, FormInvalid
from tests.helpers import make_person, text_of, viewer_for

NEW_PASSWORD = "凌岩南路 新的密码 2026"
WRONG = "This code is wrong, used or expired. Ask the workstation for a new one."


def _form(contact: str, code: str, password: str = NEW_PASSWORD, again: str | None = None) -> ResetForm:
    return ResetForm(contact=contact, code=code, new_password=password, new_password_again=again or password)


async def _staff():
    return viewer_for(await make_person("王工", "wang@lingyan.example", roles=("staff",)), "staff")


async def _refused(form: ResetForm) -> str:
    with pytest.raises(FormInvalid) as refused:
        await reset_codes.reset_password(form)
    return next(iter(refused.value.messages.values()))[0]


async def _version(person_id: int) -> tuple[str, int]:
    row = await Person.select(Person.password_hash, Person.session_version).where(Person.id == person_id).first()
    return row["password_hash"], row["session_version"]


async def test_a_code_sets_a_new_password_once_and_ends_every_session(db):
    staff = await _staff()
    person = await make_person("张阿姨", "13900000501")
    issued = await reset_codes.issue_reset_code(staff, person)
    stored = await ResetCode.select().where(ResetCode.person == person).first()
    assert issued.code not in str(stored)  # only its hash is kept
    assert stored["code_hash"] == hashlib.sha256(issued.code.replace("-", "").encode()).hexdigest()
    assert dt.timedelta(hours=23) < issued.expires_at - clock.now() <= dt.timedelta(hours=24)
    before = await _version(person)
    assert await reset_codes.reset_password(_form("139 0000 0501", issued.code.lower())) == person
    after = await _version(person)
    assert after[0] != before[0] and after[1] == before[1] + 1
    from block_service.accounts.signing_in import password_matches

    assert await password_matches(person, NEW_PASSWORD)
    assert await _refused(_form("13900000501", issued.code, "另一个 全新的 密码 99")) == WRONG  # used
    actions = [row["action"] for row in await AuditEntry.select(AuditEntry.action).order_by(AuditEntry.id)]
    assert actions[-2:] == ["account.reset_code_issued", "account.password_reset"]


async def test_an_expired_code_is_refused_and_changes_nothing(db):
    staff = await _staff()
    person = await make_person("张阿姨", "13900000502")
    issued = await reset_codes.issue_reset_code(staff, person)
    await ResetCode.update({ResetCode.expires_at: clock.now() - dt.timedelta(minutes=1)}).where(
        ResetCode.person == person
    )
    before = await _version(person)
    assert await _refused(_form("13900000502", issued.code)) == WRONG
    assert await _version(person) == before


async def test_a_code_works_only_for_the_person_it_was_issued_for(db):
    staff = await _staff()
    zhang = await make_person("张阿姨", "13900000503")
    li = await make_person("李伯伯", "13900000504")
    issued = await reset_codes.issue_reset_code(staff, zhang)
    before = await _version(li)
    assert await _refused(_form("13900000504", issued.code)) == WRONG
    assert await _refused(_form("nobody@lingyan.example", issued.code)) == WRONG
    assert await _version(li) == before


async def test_wrong_codes_are_counted_and_the_code_dies_after_a_few(db):
    staff = await _staff()
    person = await make_person("张阿姨", "13900000505")
    issued = await reset_codes.issue_reset_code(staff, person)
    for _ in range(reset_codes.MAX_FAILURES):
        assert await _refused(_form("13900000505", "AAAAA-AAAAA")) == WRONG
    before = await _version(person)
    assert await _refused(_form("13900000505", issued.code)) == WRONG  # the right one, too late
    assert await _version(person) == before


async def test_a_new_code_replaces_the_earlier_one(db):
    staff = await _staff()
    person = await make_person("张阿姨", "13900000506")
    first = await reset_codes.issue_reset_code(staff, person)
    second = await reset_codes.issue_reset_code(staff, person)
    assert await _refused(_form("13900000506", first.code)) == WRONG
    assert await reset_codes.reset_password(_form("13900000506", second.code)) == person


async def test_the_new_password_follows_the_password_rules(db):
    staff = await _staff()
    person = await make_person("张阿姨", "13900000507")
    issued = await reset_codes.issue_reset_code(staff, person)
    with pytest.raises(FormInvalid) as refused:
        await reset_codes.reset_password(_form("13900000507", issued.code, again="不一样的 密码 2026"))
    assert refused.value.messages["new_password_again"][0] == "The two passwords differ."
    with pytest.raises(FormInvalid) as refused:
        await reset_codes.reset_password(_form("13900000507", issued.code, password="13900000507"))
    assert "new_password" in refused.value.messages
    assert await reset_codes.reset_password(_form("13900000507", issued.code)) == person  # still usable


async def test_only_staff_issue_codes(db):
    resident = viewer_for(await make_person("居民", "13900000508"), "resident")
    with pytest.raises(Forbidden):
        await reset_codes.issue_reset_code(resident, resident.person_id)


async def test_the_routes_show_the_code_once_and_reset_ends_the_old_session(browser_factory):
    person = await make_person("张阿姨", "13900000509")
    old_session = browser_factory()
    await old_session.log_in("13900000509")
    assert (await old_session.get("/me")).status_code == 200
    await make_person("王工", "wang@lingyan.example", roles=("staff",))
    staff = browser_factory()
    await staff.log_in("wang@lingyan.example")
    page = await staff.post(f"/staff/people/{person}/reset-code")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    code = next(word for word in text_of(page.text).split() if len(word) == 11 and word[5] == "-")
    assert code not in (await staff.get(f"/staff/people/{person}")).text  # shown once
    audit = text_of((await staff.get("/staff/audit")).text)
    assert "王工 为 张阿姨 发放了密码重置码。" in audit and code not in audit
    visitor = browser_factory()
    assert "重置码" in text_of((await visitor.get("/reset")).text)
    wrong = await visitor.post(
        "/reset",
        {
            "contact": "13900000509",
            "code": "AAAAA-AAAAA",
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 422 and "重置码不正确、已使用或已过期。" in text_of(wrong.text)
    done = await visitor.post(
        "/reset",
        {"contact": "13900000509", "code": code, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert done.status_code == 303 and done.headers["location"] == "/login"
    assert (await old_session.get("/me")).status_code in (302, 303, 401)  # the old session has ended
    assert (await visitor.post("/login", {"contact": "13900000509", "password": NEW_PASSWORD})).status_code == 303


async def test_guessing_codes_at_reset_hits_the_per_address_rate_limit_in_english(db):
    import httpx

    from block_service.app import create_app
    from tests.conftest import make_settings
    from tests.helpers import Browser

    await make_person("Lin", "13900000510")
    app = create_app(make_settings(login_rate_per_minute=3))
    guesser = Browser(
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("203.0.113.60", 40000)),
            base_url="https://testserver",
            headers={"accept-language": "en"},
        )
    )
    statuses = []
    for number in range(4):
        response = await guesser.post(
            "/reset",
            {
                "contact": "13900000510",
                "code": f"AAAAA-AAAA{number}",
                "new_password": NEW_PASSWORD,
                "new_password_again": NEW_PASSWORD,
            },
        )
        statuses.append(response.status_code)
        if response.status_code == 422:
            assert "This code is wrong, used or expired." in text_of(response.text)
    assert statuses == [422, 422, 422, 429]
