"""Report drafts: what a person has answered so far in the guided report, kept server-side between steps.

A visitor's draft is found by the token of their draft cookie; once they sign in or up, the account adopts
it (the session is renewed at log-in, the cookie is not). One draft per person, by a unique index.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import msgspec

from block_service import clock
from block_service.db import is_unique_violation, write_transaction
from block_service.threads import photos as photo_store
from block_service.threads.tables import ReportDraft

DRAFT_COOKIE = "block_report"  # names a browser's draft; __Host- prefixed outside debug
DRAFT_DAYS = 7  # a draft untouched for a week is deleted, with its photos
StoredPhoto = tuple[str, int, int, int]


class Draft(msgspec.Struct, kw_only=True):
    id: int | None = None
    token: str
    person_id: int | None = None
    fields: dict[str, str] = {}
    photos: list[StoredPhoto] = []


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _draft(row: dict) -> Draft:
    return Draft(
        id=row["id"],
        token=row["token"],
        person_id=row["person"],
        fields=msgspec.json.decode(row["fields"] or "{}", type=dict[str, str]),
        photos=[tuple(photo) for photo in msgspec.json.decode(row["photos"] or "[]", type=list[list])],
    )


def _fresh() -> object:
    return ReportDraft.updated_at >= clock.now() - dt.timedelta(days=DRAFT_DAYS)


async def find_draft(token: str | None, person_id: int | None) -> Draft | None:
    """The draft this browser's cookie names (a visitor's, or this person's), else this person's own.

    Only reads: a visitor's draft becomes the account's when they next save a step or send it."""
    if token:
        row = await ReportDraft.select().where((ReportDraft.token == token) & _fresh()).first()
        if row is not None and row["person"] in (None, person_id):
            return _draft(row)
    if person_id is None:
        return None
    row = await ReportDraft.select().where((ReportDraft.person == person_id) & _fresh()).first()
    return _draft(row) if row is not None else None


async def _write_draft(draft: Draft, owner: int | None, values: dict) -> tuple[int, list[dict]]:
    older: list[dict] = []
    async with write_transaction():
        if owner is not None:
            # One draft per person: the one being written now replaces an older one (another tab, another day).
            others = ReportDraft.person == owner
            if draft.id is not None:
                others = others & (ReportDraft.id != draft.id)
            older = await ReportDraft.delete().where(others).returning(ReportDraft.photos)
        updated = []
        if draft.id is not None:
            updated = await ReportDraft.update(values).where(ReportDraft.id == draft.id).returning(ReportDraft.id)
        if updated:
            return draft.id, older
        rows = await ReportDraft.insert(
            ReportDraft(
                token=draft.token,
                person=owner,
                fields=values[ReportDraft.fields],
                photos=values[ReportDraft.photos],
                updated_at=values[ReportDraft.updated_at],
            )
        ).returning(ReportDraft.id)
        return rows[0]["id"], older


async def save_draft(
    draft: Draft,
    answers: dict[str, str],
    photos: list[StoredPhoto] | None = None,
    *,
    person_id: int | None = None,
    var_dir: Path,
) -> Draft:
    """Merge a step's answers into the draft (and replace its photos when given); create it if new. Saved by
    someone signed in, a visitor's draft becomes theirs and replaces any older draft of theirs."""
    fields = {**draft.fields, **answers}
    kept = list(draft.photos if photos is None else photos)[: photo_store.MAX_PHOTOS]
    owner = draft.person_id if draft.person_id is not None else person_id
    values = {
        ReportDraft.fields: msgspec.json.encode(fields).decode(),
        ReportDraft.photos: msgspec.json.encode(kept).decode(),
        ReportDraft.person: owner,
        ReportDraft.updated_at: clock.now(),
    }
    for attempt in (1, 2):
        try:
            draft_id, older = await _write_draft(draft, owner, values)
            break
        except Exception as error:
            # A double tap by someone signed in raced itself to the one-per-person index (PostgreSQL; SQLite
            # writes one at a time): the second try replaces what the first wrote.
            if attempt == 2 or not is_unique_violation(error):
                raise
    for old in older:
        _discard_files(var_dir, old["photos"])
    return msgspec.structs.replace(draft, id=draft_id, person_id=owner, fields=fields, photos=kept)


def _discard_files(var_dir: Path, photos_json: str) -> None:
    names = [photo[0] for photo in msgspec.json.decode(photos_json or "[]", type=list[list])]
    photo_store.discard_photos(var_dir, names)


async def claim_draft(draft: Draft, *, person_id: int | None = None, var_dir: Path | None = None) -> bool:
    """Take the draft out to send it; of two sends at once (a double tap) only one gets it. Sent by a person
    who signed in with a visitor's draft, an older draft of theirs goes too (one per person)."""
    if draft.id is None:
        return False
    async with write_transaction():
        claimed = await ReportDraft.delete().where(ReportDraft.id == draft.id).returning(ReportDraft.id)
        older = []
        if claimed and person_id is not None:
            older = await ReportDraft.delete().where(ReportDraft.person == person_id).returning(ReportDraft.photos)
    for old in older:
        if var_dir is not None:
            _discard_files(var_dir, old["photos"])
    return bool(claimed)


async def discard_draft(draft: Draft, var_dir: Path) -> None:
    """Start again: the draft and its photos are deleted."""
    if await claim_draft(draft):
        photo_store.discard_photos(var_dir, [name for name, *_rest in draft.photos])


async def draft_photo_names(token: str | None, person_id: int | None) -> set[str]:
    """The photos this visitor or person may see while they are only in their draft."""
    condition = None
    if token:
        condition = ReportDraft.token == token
    if person_id is not None:
        mine = ReportDraft.person == person_id
        condition = mine if condition is None else condition | mine
    if condition is None:
        return set()
    rows = await ReportDraft.select(ReportDraft.photos, ReportDraft.person).where(condition)
    names: set[str] = set()
    for row in rows:
        if row["person"] in (None, person_id):
            names.update(photo[0] for photo in msgspec.json.decode(row["photos"] or "[]", type=list[list]))
    return names


async def delete_expired_drafts(var_dir: Path, now: dt.datetime) -> int:
    """Drafts untouched for DRAFT_DAYS go, with their photos (files after the commit)."""
    expired = ReportDraft.updated_at < now - dt.timedelta(days=DRAFT_DAYS)
    if not await ReportDraft.exists().where(expired):
        return 0  # nothing written: on PostgreSQL even a DELETE of no row tells every worker of a change
    rows = await ReportDraft.delete().where(expired).returning(ReportDraft.photos)
    for row in rows:
        _discard_files(var_dir, row["photos"])
    return len(rows)
