"""Helpers for tests: a browser-like client, people and shops made through the real services."""

from __future__ import annotations

import re
import uuid

import httpx

TEST_PASSWORD = "correct horse battery"
# Outside debug (as the tests run) the cookies carry the __Host- prefix.
CSRF_COOKIE = "__Host-block_csrf"
SESSION_COOKIE = "__Host-block_session"
# Staff made by make_person get an authenticator secret of their own; log_in types its codes.
TOTP_SECRETS: dict[str, str] = {}
_last_step: dict[str, int] = {}


def next_totp_code(secret: str) -> str:
    """A code the server has not seen yet: each time step's code is accepted once, and the server also takes
    the next step's (clock drift), so a test may log the same person in twice within one 30 s step."""
    import time

    import pyotp

    now = time.time()
    current = int(now // 30)
    # The previous step's code stays valid until the current step ends: use it only while that is more than
    # ten seconds away, so a slow request does not arrive after it expired.
    lowest = current - 1 if 30 - now % 30 > 10 else current
    step = max(lowest, _last_step.get(secret, 0) + 1)
    assert step <= current + 1, "this staff member logged in more than twice within 30 s: make another one"
    _last_step[secret] = step
    return pyotp.TOTP(secret).at(step * 30)


class Browser:
    """An httpx client with the CSRF dance done for it, as one person's browser would."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    def _csrf_cookie(self) -> str | None:
        # A real server in debug mode (plain HTTP) uses the name without the __Host- prefix.
        return self.client.cookies.get(CSRF_COOKIE) or self.client.cookies.get(CSRF_COOKIE.removeprefix("__Host-"))

    async def csrf_token(self) -> str:
        token = self._csrf_cookie()
        if not token:
            await self.client.get("/healthz")
            token = self._csrf_cookie()
        assert token, "the CSRF cookie should be set on any safe request"
        return token

    async def get(self, url: str, **kwargs) -> httpx.Response:
        return await self.client.get(url, **kwargs)

    async def post(
        self, url: str, data: dict | None = None, *, htmx: bool = False, csrf: bool = True, **kwargs
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if csrf:
            headers["x-csrftoken"] = await self.csrf_token()
        if htmx:
            headers["hx-request"] = "true"
        return await self.client.post(url, data=data or {}, headers=headers, **kwargs)

    async def post_json(self, url: str, payload: object) -> httpx.Response:
        return await self.client.post(url, json=payload, headers={"x-csrftoken": await self.csrf_token()})

    async def log_in(self, contact: str, password: str = TEST_PASSWORD) -> httpx.Response:
        """Log in as a person does, typing the authenticator's code when the account has a second factor."""
        response = await self.post("/login", {"contact": contact, "password": password, "next": "/me"})
        assert response.status_code == 303, response.text[:500]
        if response.headers["location"] == "/login/code":
            secret = TOTP_SECRETS[contact.strip().lower()]
            response = await self.post("/login/code", {"code": next_totp_code(secret)})
            assert response.status_code == 303, response.text[:500]
        return response


_hash_cache: dict[str, str] = {}


async def make_person(
    name: str = "测试居民",
    contact: str | None = None,
    roles: tuple[str, ...] = ("resident",),
    password: str = TEST_PASSWORD,
    second_factor: bool = True,
) -> int:
    """A person straight into the database (a hash computed once per run keeps tests fast)."""
    import datetime as dt

    from block_service.accounts.signing_in import hash_password, normalise_contact
    from block_service.accounts.tables import Person, RoleGrant

    if password not in _hash_cache:
        _hash_cache[password] = await hash_password(password)
    contact = contact or f"139{uuid.uuid4().int % 10**8:08d}"
    email, phone = normalise_contact(contact)
    now = dt.datetime.now(dt.UTC)
    rows = await Person.insert(
        Person(display_name=name, email=email, phone=phone, password_hash=_hash_cache[password], created_at=now)
    ).returning(Person.id)
    person_id = rows[0]["id"]
    for role in roles:
        await RoleGrant.insert(RoleGrant(person=person_id, role=role, granted_at=now))
    if "staff" in roles and second_factor:  # staff must have a second factor: test staff get one set up
        import pyotp

        from block_service.accounts.tables import TotpCredential

        secret = TOTP_SECRETS[contact.strip().lower()] = pyotp.random_base32()
        await TotpCredential.insert(TotpCredential(person=person_id, secret=secret, last_step=0, enabled_at=now))
    return person_id


async def make_shop(
    merchant_id: int, name: str = "老张生煎", house_number: str = "1143号", licence: str | None = None
) -> int:
    """A shop registered through the real application and approval path."""
    from block_service.accounts.roles import create_staff
    from block_service.accounts.schemas import Viewer
    from block_service.shops.applications import apply_for_shop, approve_application
    from block_service.shops.schemas import ShopApplicationForm
    from block_service.shops.segments import list_industries

    staff_id = await create_staff("approver@lingyan.example", TEST_PASSWORD, "审核员")
    staff = Viewer(person_id=staff_id, roles=frozenset({"staff"}))
    industry = (await list_industries())[0]
    application_id = await apply_for_shop(
        Viewer(person_id=merchant_id, roles=frozenset({"resident"})),
        ShopApplicationForm(
            shop_name=name,
            house_number=house_number,
            industry_id=industry.id,
            licence_number=licence or f"91310115{uuid.uuid4().hex[:10].upper()}",
            phone="021-58880000",
        ),
    )
    return await approve_application(staff, application_id)


def viewer_for(person_id: int, *roles: str, shops: tuple[int, ...] = ()):
    from block_service.accounts.schemas import Viewer

    return Viewer(person_id=person_id, roles=frozenset(roles), shop_ids=frozenset(shops))


async def english_reader(browser_factory, contact: str):
    """A browser signed in as `contact` (whose account's own language is Chinese), switched to English."""
    english = browser_factory("en")
    await english.log_in(contact)
    await english.post("/language", {"language": "en", "next": "/"})
    return english


def text_of(html: str) -> str:
    """The visible text of an HTML page, whitespace folded (for asserting what a person reads)."""
    without_tags = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    without_tags = re.sub(r"<[^>]+>", " ", without_tags)
    import html as html_module

    return re.sub(r"\s+", " ", html_module.unescape(without_tags)).strip()


async def make_thread(
    author_id: int,
    *,
    shop_id: int | None = None,
    title: str = "门口堆放纸箱占道",
    category: str = "pavement",
    house_number: str = "1143号",
    anonymous: bool = False,
    name_to_shop: bool = False,
    kind: str = "report",
    roles: tuple[str, ...] | None = None,
) -> int:
    """A thread opened through the real service, as its author."""
    from block_service.threads.categories import list_categories
    from block_service.threads.opening import open_thread
    from block_service.threads.schemas import ThreadForm

    category_id = next(c.id for c in await list_categories() if c.slug == category)
    form = ThreadForm(
        kind=kind,
        title=title,
        body="人行道被纸箱堵住，推婴儿车过不去。",
        category_id=category_id,
        house_number=house_number,
        shop_id=shop_id,
        anonymous=anonymous,
        name_to_shop=name_to_shop,
    )
    roles = roles or (("resident", "merchant") if kind == "issue" else ("resident",))
    return await open_thread(viewer_for(author_id, *roles), form)


async def eventually(check, timeout: float = 5.0, every: float = 0.01):
    """Poll `check` (a function, plain or async) until it returns something true, and return that; fail once
    `timeout` seconds pass. For what another task, thread or process finishes in its own time."""
    import asyncio
    import inspect
    import time

    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{getattr(check, '__name__', check)} was not true within {timeout} s")
        await asyncio.sleep(every)
