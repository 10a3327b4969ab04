"""Account schemas: forms in, people out, and the Viewer every request carries."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from block_service.accounts.notice import NOTICE_VERSION
from block_service.names import shown_name

Role = Literal["resident", "merchant", "council", "staff"]
ROLES: tuple[str, ...] = ("resident", "merchant", "council", "staff")
GRANTABLE_ROLES: tuple[str, ...] = ("resident", "staff")

DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Contact = Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
Password = Annotated[str, msgspec.Meta(min_length=8, max_length=128)]


class Viewer(msgspec.Struct, frozen=True, kw_only=True):
    """Who is asking: anonymous when person_id is None."""

    person_id: int | None = None
    display_name: str = ""
    roles: frozenset[str] = frozenset()
    shop_ids: frozenset[int] = frozenset()
    unread: int = 0  # notifications not yet read, for the navigation
    privacy_version: str = ""  # the privacy notice version this person accepted
    second_factor: bool = False  # an authenticator app is set up
    # A staff member without a second factor: signed in without the staff role until they set one up.
    needs_second_factor: bool = False

    @property
    def is_signed_in(self) -> bool:
        return self.person_id is not None

    def has(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def is_staff(self) -> bool:
        return "staff" in self.roles

    def acts_for(self, shop_id: int) -> bool:
        return shop_id in self.shop_ids

    @property
    def must_accept_privacy(self) -> bool:
        """Signed in, but has not accepted the privacy notice now in force (a banner asks them to)."""
        return self.is_signed_in and self.privacy_version != NOTICE_VERSION


ANONYMOUS = Viewer()


class SignUpForm(msgspec.Struct, kw_only=True):
    display_name: DisplayName
    contact: Contact
    password: Password
    password_again: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    accept_privacy: bool = False  # the privacy notice must be accepted to sign up


class LoginForm(msgspec.Struct, kw_only=True):
    contact: Contact
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class PasswordForm(msgspec.Struct, kw_only=True):
    current_password: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    new_password: Password
    new_password_again: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class ProfileForm(msgspec.Struct, kw_only=True):
    display_name: DisplayName
    language: Literal["zh-Hans", "en"]


class RoleForm(msgspec.Struct, kw_only=True):
    role: Literal["resident", "staff"]


class SignedIn(msgspec.Struct, frozen=True, kw_only=True):
    """What a successful login hands to the session; with second_factor, only the password step is done."""

    person_id: int
    session_version: int
    language: str
    second_factor: bool = False
    account_key: str = ""  # the contact as the log-in back-off counts it


class SecondFactorForm(msgspec.Struct, kw_only=True):
    code: Annotated[str, msgspec.Meta(min_length=6, max_length=20)]


class DisableSecondFactorForm(msgspec.Struct, kw_only=True):
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    code: Annotated[str, msgspec.Meta(min_length=6, max_length=20)]


class PersonOut(msgspec.Struct, kw_only=True):
    id: int
    display_name: str
    email: str | None
    phone: str | None
    language: str
    is_active: bool
    disabled_reason: str
    created_at: dt.datetime
    roles: list[str] = []
    erased_at: dt.datetime | None = None  # a deleted account (a tombstone)
    second_factor: bool = False

    def __post_init__(self) -> None:
        self.display_name = shown_name(self.display_name)  # a deleted account, on staff's pages: "a former resident"


class PersonFilter(msgspec.Struct, kw_only=True):
    q: str | None = None
    role: str | None = None
    page: int = 1
    per_page: int = 50


class ResetForm(msgspec.Struct, kw_only=True):
    """Setting a new password with a one-time code the workstation issued."""

    contact: Contact
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    new_password: Password
    new_password_again: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class IssuedResetCode(msgspec.Struct, kw_only=True):
    code: str  # shown once to the staff member, who hands it over; only its hash is kept
    expires_at: dt.datetime
