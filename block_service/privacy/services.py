"""Personal data rules: accepting the notice, a person's data as a zip, deleting an account."""

from __future__ import annotations

import asyncio
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import msgspec

from block_service import clock
from block_service.accounts.notice import NOTICE_VERSION
from block_service.accounts.people import erase_person, record_privacy_acceptance
from block_service.accounts.schemas import Viewer
from block_service.accounts.signing_in import password_matches
from block_service.accounts.tables import Person
from block_service.audit.services import record_change, scrub_person
from block_service.council.services import release_council_places_of
from block_service.db import write_transaction
from block_service.errors import Conflict, FormInvalid, Invalid, NotFound
from block_service.i18n import N_
from block_service.inbox import services as inbox_services
from block_service.meetings import records as meeting_records
from block_service.names import tombstone_name
from block_service.needs import services as needs_services
from block_service.offers import thanks as offer_thanks
from block_service.plans.plans import plans_data_of, release_plan_places_of
from block_service.pledges import services as pledge_services
from block_service.privacy.schemas import (
    DeleteAccountForm,
    DeletionPreview,
    ErasureOutcome,
    ShopLeftAlone,
    StaffDeleteForm,
)
from block_service.projects import personal as project_personal
from block_service.shops.services import release_shops_of, shops_only_run_by
from block_service.threads.photos import photo_file
from block_service.threads.services import forget_inbox_of

EXPORT_FORMAT = 1


# ---- the notice ---------------------------------------------------------------------------------


async def accept_notice(viewer: Viewer) -> None:
    """Record that the person accepted the notice in force (its version and the time)."""
    async with write_transaction():
        await record_privacy_acceptance(viewer.person_id, NOTICE_VERSION)
        await record_change(
            actor_id=viewer.person_id,
            action="privacy.accepted",
            object_type="person",
            object_id=viewer.person_id,
            after={"version": NOTICE_VERSION},
        )


# ---- the download -------------------------------------------------------------------------------


async def _rows(sql: str, *args: Any) -> list[dict]:
    return [dict(row) for row in await Person.raw(sql, *args)]


def _decoded(text: str) -> Any:
    return msgspec.json.decode(text) if text else None


def _audit_entry_for(person_id: int, row: dict) -> dict:
    """An audit entry as its subject or actor may read it: other people appear only as "staff" or "system",
    and what the person did to another person's account is listed without that person's data."""
    about_self = row["object_type"] == "person" and row["object_id"] == person_id
    by = "you" if row["actor"] == person_id else ("system" if row["actor"] is None else "staff")
    entry = {
        "at": row["at"],
        "by": by,
        "action": row["action"],
        "object_type": row["object_type"],
        "object_id": row["object_id"],
    }
    if about_self or (row["actor"] == person_id and row["object_type"] != "person"):
        entry["before"], entry["after"] = _decoded(row["before"]), _decoded(row["after"])
    return entry


async def collect_personal_data(person_id: int) -> dict:
    """Everything held about a person, as one JSON-ready dict. Ballots are not in it: they are secret and
    linked to no one, so there is nothing of theirs to give."""
    account = await _rows(
        "SELECT id, display_name, email, phone, language, is_active, disabled_reason, created_at, "
        "privacy_version, privacy_accepted_at FROM person WHERE id = {}",
        person_id,
    )
    if not account:
        raise NotFound("No such person.")
    pid = person_id
    threads = await _rows(
        "SELECT t.id, t.kind, t.title, t.body, c.slug AS category, t.house_number, t.map_x, t.map_side, "
        "t.shop, t.anonymous, t.name_to_shop, t.status, t.visibility, t.group_id, t.hidden, t.created_at, "
        "t.closed_at FROM thread t JOIN category c ON c.id = t.category WHERE t.author = {} ORDER BY t.id",
        pid,
    )
    photos = await _rows(
        "SELECT p.thread, p.file_name, p.width, p.height, p.created_at FROM photo p JOIN thread t ON t.id = p.thread "
        "WHERE t.author = {} ORDER BY p.id",
        pid,
    )
    nominations = await _rows(
        "SELECT id, election, shop, status, statement, note, created_at, accepted_at, nominee, nominated_by "
        "FROM council_nomination WHERE nominee = {} OR nominated_by = {} ORDER BY id",
        pid,
        pid,
    )
    audit = await _rows(
        'SELECT id, "at", actor, action, object_type, object_id, "before", "after" FROM audit_entry '
        "WHERE actor = {} OR (object_type = 'person' AND object_id = {}) ORDER BY id",
        pid,
        pid,
    )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": clock.now(),
        "account": account[0],
        "roles": await _rows("SELECT role, granted_at FROM role_grant WHERE person = {} ORDER BY role", pid),
        "shops": await _rows(
            "SELECT s.id, s.name, s.house_number, s.licence_number, s.phone, s.status, m.since "
            "FROM shop_merchant m JOIN shop s ON s.id = m.shop WHERE m.person = {} ORDER BY s.id",
            pid,
        ),
        "shop_applications": await _rows(
            "SELECT id, shop_name, house_number, licence_number, phone, status, reason, shop, created_at, "
            "reviewed_at FROM shop_application WHERE applicant = {} ORDER BY id",
            pid,
        ),
        "threads": [
            {**thread, "photos": [f"photos/{p['file_name']}" for p in photos if p["thread"] == thread["id"]]}
            for thread in threads
        ],
        "messages": await _rows(
            "SELECT m.id, m.thread, m.kind, m.body, m.official, m.status_from, m.status_to, m.hidden, m.created_at, "
            "(t.author = m.author AND t.anonymous = {}) AS shown_as_anonymous_reporter "
            "FROM message m JOIN thread t ON t.id = m.thread WHERE m.author = {} ORDER BY m.id",
            True,
            pid,
        ),
        "me_too": await _rows("SELECT thread, created_at FROM me_too WHERE person = {} ORDER BY id", pid),
        "flags": await _rows(
            "SELECT object_type, object_id, reason, created_at FROM flag WHERE person = {} ORDER BY id", pid
        ),
        "muted_threads": [
            row["thread"]
            for row in await _rows("SELECT thread FROM thread_mute WHERE person = {} ORDER BY thread", pid)
        ],
        "evaluations": await _rows(
            "SELECT thread, fixed, score, comment, created_at FROM evaluation WHERE person = {} ORDER BY id", pid
        ),
        "inbox": await inbox_services.export_of(pid),
        "plans": await plans_data_of(pid),
        "audit": [_audit_entry_for(pid, row) for row in audit],
        "council": {
            "seats": await _rows(
                "SELECT id, term, shop, position, source, started_at, ceased_at, ceased_kind, ceased_reason "
                "FROM council_seat WHERE person = {} ORDER BY id",
                pid,
            ),
            # A nomination of someone else is listed without their statement (their words, not yours).
            "nominations": [
                {key: row[key] for key in ("id", "election", "shop", "status", "note", "created_at")}
                | (
                    {"as": "nominee", "statement": row["statement"], "accepted_at": row["accepted_at"]}
                    if row["nominee"] == pid
                    else {"as": "nominated someone else"}
                )
                for row in nominations
            ],
            "interests": await _rows(
                "SELECT object_type, object_id, note, declared_at, withdrawn_at FROM council_interest "
                "WHERE person = {} ORDER BY id",
                pid,
            ),
            "leader_backings_made": await _rows(
                'SELECT "group", shop, backed_at FROM group_leader_backing WHERE backed_by = {} ORDER BY id', pid
            ),
            "ballots": "Ballots are secret: nothing links a ballot to a shop or a person, so none is included.",
        },
        "meetings": await meeting_records.export_of(pid),
        "offers": await offer_thanks.export_of(pid),
        "needs": await needs_services.export_of(pid),
        "pledges": await pledge_services.export_of(pid),
        "projects": await project_personal.export_of(pid),
    }


def _write_zip(path: Path, data: dict, photos: list[tuple[str, Path]]) -> None:
    """Photos are copied from disk in chunks by zipfile: memory stays small however many there are."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("my-data.json", msgspec.json.format(msgspec.json.encode(data), indent=2))
        for name, source in photos:
            archive.write(source, f"photos/{name}", compress_type=zipfile.ZIP_STORED)  # JPEGs do not shrink


async def build_data_zip(person_id: int, var_dir: Path) -> Path:
    """The person's data as a zip in a temporary file; the caller deletes it after sending."""
    data = await collect_personal_data(person_id)
    names = [name.removeprefix("photos/") for thread in data["threads"] for name in thread["photos"]]
    photos = [(name, path) for name in names if (path := photo_file(var_dir, name)) is not None]
    handle, name = tempfile.mkstemp(prefix="block-my-data-", suffix=".zip")
    os.close(handle)
    path = Path(name)
    try:
        await asyncio.to_thread(_write_zip, path, data, photos)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


# ---- deleting an account ------------------------------------------------------------------------


async def preview_deletion(person_id: int) -> DeletionPreview:
    person = await Person.select(Person.display_name, Person.erased_at).where(Person.id == person_id).first()
    if person is None:
        raise NotFound("No such person.")
    alone = await shops_only_run_by(person_id)
    merchant = await Person.raw(
        "SELECT EXISTS(SELECT 1 FROM shop_merchant WHERE person = {}) AS shops, "
        "(SELECT COUNT(*) FROM council_seat WHERE person = {} AND ceased_at IS NULL) AS seats",
        person_id,
        person_id,
    )
    return DeletionPreview(
        person_id=person_id,
        display_name=person["display_name"],
        erased=person["erased_at"] is not None,
        was_merchant=bool(merchant[0]["shops"]),
        sitting_seats=merchant[0]["seats"],
        shops_left_alone=[msgspec.convert(row, ShopLeftAlone) for row in alone],
    )


async def delete_own_account(viewer: Viewer, form: DeleteAccountForm) -> ErasureOutcome:
    """A person deletes their own account: the password again, and a confirmation (two for a last merchant)."""
    if not await password_matches(viewer.person_id, form.password):
        raise FormInvalid({"password": N_("The password is wrong.")})
    if not form.confirm:
        raise FormInvalid({"confirm": N_("Tick the box to confirm that you want to delete your account.")})
    return await _erase(viewer.person_id, actor_id=viewer.person_id, by="self", confirm_shops=form.confirm_shops)


async def delete_account_for(staff: Viewer, person_id: int, form: StaffDeleteForm) -> ErasureOutcome:
    """Staff delete an account on the person's request; the audit entry says so and holds no personal data."""
    if person_id == staff.person_id:
        raise Invalid("Delete your own account from your account page.")
    if not form.confirm:
        raise FormInvalid({"confirm": N_("Tick the box to confirm that the person asked for the deletion.")})
    return await _erase(person_id, actor_id=staff.person_id, by="staff", confirm_shops=form.confirm_shops)


async def _erase(person_id: int, *, actor_id: int, by: str, confirm_shops: bool) -> ErasureOutcome:
    """One transaction; one call per domain, each removing what that domain holds about the person."""
    async with write_transaction():
        person = (
            await Person.select(Person.display_name, Person.email, Person.phone, Person.erased_at)
            .where(Person.id == person_id)
            .first()
        )
        if person is None:
            raise NotFound("No such person.")
        if person["erased_at"] is not None:
            raise Conflict("This account has been deleted.")
        alone = await shops_only_run_by(person_id)
        if alone and not confirm_shops:
            raise FormInvalid(
                {"confirm_shops": N_("Tick the box to confirm what happens to the shops you are the last merchant of.")}
            )
        was_merchant = bool(
            await Person.raw(
                "SELECT 1 FROM shop_merchant WHERE person = {} UNION "
                "SELECT 1 FROM role_grant WHERE person = {} AND role = 'merchant'",
                person_id,
                person_id,
            )
        )
        label = tombstone_name(was_merchant)
        await release_shops_of(person_id)
        await release_council_places_of(person_id)
        await release_plan_places_of(person_id)
        await meeting_records.release_meeting_places_of(person_id)
        await offer_thanks.release_thanks_of(person_id)
        await forget_inbox_of(person_id, person["display_name"], label)
        await pledge_services.forget_pledges_of(person_id)
        await project_personal.release_project_places_of(person_id)
        await scrub_person(person_id, [person["display_name"], person["email"], person["phone"]], label)
        await erase_person(person_id, label)
        shop_ids = [shop["id"] for shop in alone]
        await record_change(
            actor_id=actor_id,
            action="account.deleted",
            object_type="person",
            object_id=person_id,
            after={"by": by, "shops_without_merchant": shop_ids},
        )
        erased = await Person.select(Person.erased_at).where(Person.id == person_id).first()
    return ErasureOutcome(
        person_id=person_id, label=label, shops_without_merchant=shop_ids, erased_at=erased["erased_at"]
    )
