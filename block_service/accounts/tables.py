"""Tables of people and the roles they hold."""

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class Person(Table, tablename="person"):
    display_name = Varchar(length=40)
    email = Varchar(length=254, null=True, default=None, unique=True)
    phone = Varchar(length=20, null=True, default=None, unique=True)
    password_hash = Varchar(length=200)
    language = Varchar(length=10, default="zh-Hans")
    is_active = Boolean(default=True)
    # Bumped on password change and on disabling: every older session stops being valid.
    session_version = Integer(default=1)
    disabled_reason = Text(default="")
    created_at = Timestamptz(index=True)
    # The version of the privacy notice the person accepted, and when (accounts/notice.py has the current one).
    privacy_version = Varchar(length=20, default="")
    privacy_accepted_at = Timestamptz(null=True, default=None)
    # Set when the account was deleted: the row stays as a tombstone labelled "a former resident/merchant".
    erased_at = Timestamptz(null=True, default=None)


class RoleGrant(Table, tablename="role_grant"):
    """One role a person holds. (person, role) is unique through a raw index in the migrations."""

    person = ForeignKey(references=Person, index=True)
    role = Varchar(length=20, index=True)
    granted_at = Timestamptz()


class TotpCredential(Table, tablename="totp_credential"):
    """A person's authenticator secret, stored once they confirmed a code from it; one per person."""

    person = ForeignKey(references=Person, unique=True)
    secret = Varchar(length=64)
    # The last time step whose code was accepted: a code is never accepted twice (no replay in its window).
    last_step = Integer(default=0)
    enabled_at = Timestamptz()


class RecoveryCode(Table, tablename="totp_recovery_code"):
    """A one-time code for when the authenticator is lost: only its SHA-256 is kept (it is random, 50 bits)."""

    person = ForeignKey(references=Person, index=True)
    code_hash = Varchar(length=64, index=True)
    used_at = Timestamptz(null=True, default=None)


class ResetCode(Table, tablename="password_reset_code"):
    """A one-time password reset code staff issued after checking identity in person: only its SHA-256 is
    kept; it expires and is used once."""

    person = ForeignKey(references=Person, index=True)
    code_hash = Varchar(length=64, unique=True)
    issued_by = ForeignKey(references=Person, null=True, default=None)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    # Wrong codes typed for this person since it was issued: the code dies after a few (rate limit).
    failures = Integer(default=0)
