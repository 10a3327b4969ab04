"""Choosing people for a meeting without typing numbers: a name search, one-tap groups, and attendance as one
checklist of everyone the meeting reached.

Names follow meetings.people: people are named to merchants and staff (shops.may_see_merchants); a meeting's
thread's anonymous reporter only to whom threads.access says may know them. A search by a viewer who may not
see people finds shops only, so a name never leaks through what the search matches.
"""

from __future__ import annotations

import msgspec

from block_service.accounts.schemas import Viewer
from block_service.accounts.tables import Person
from block_service.audit.services import record_change
from block_service.clock import now
from block_service.council.terms import current_term
from block_service.db import duplicate_means, write_transaction
from block_service.db.queries import contains
from block_service.errors import Conflict, Invalid
from block_service.groups.services import list_groups
from block_service.i18n import localized
from block_service.meetings import notices
from block_service.meetings.people import (
    hidden_reporters,
    invitee_names,
    may_see_people,
    people_of,
    sitting_members,
)
from block_service.meetings.services import _ensure_manager, _meeting_row
from block_service.meetings.tables import Attendance, Invitee, Rsvp
from block_service.names import shown_name
from block_service.shops.tables import Shop

SEARCH_LIMIT = 8
MARKS = ("present", "absent", "excused")


class Pick(msgspec.Struct, kw_only=True):
    """One choice on the invite form: `value` is what the button sends ("person:12", "council:3")."""

    value: str
    label: str  # a name, or a msgid for the group kinds (the edge translates those: `group_kind` is set)
    group_kind: bool = False
    hint: str = ""


class CheckRow(msgspec.Struct, kw_only=True):
    """One line of the attendance checklist: a person or a shop, its name if the viewer may see it, its mark."""

    key: str  # "person-12" | "shop-3": the field's name
    label: str
    named: bool
    status: str = ""  # "" (not yet marked) | present | absent | excused


async def manageable(viewer: Viewer, meeting_id: int) -> dict:
    meeting = await _meeting_row(meeting_id)
    _ensure_manager(viewer, meeting)
    return meeting


def _cleaned(query: str) -> str:
    return "".join(ch for ch in query.strip()[:40] if ch not in "%_\\")


async def search(viewer: Viewer, meeting_id: int, query: str) -> list[Pick]:
    """People (when the viewer may see them) and shops whose name contains the query: two statements."""
    await manageable(viewer, meeting_id)
    text = _cleaned(query)
    if not text:
        return []
    found: list[Pick] = []
    if may_see_people(viewer):
        rows = (
            await Person.select(Person.id, Person.display_name)
            .where(contains(Person.display_name, text) & (Person.is_active == True) & Person.erased_at.is_null())  # noqa: E712
            .order_by(Person.display_name)
            .limit(SEARCH_LIMIT)
        )
        found += [Pick(value=f"person:{row['id']}", label=shown_name(row["display_name"])) for row in rows]
    shops = (
        await Shop.select(Shop.id, Shop.name, Shop.house_number)
        .where(contains(Shop.name, text))
        .order_by(Shop.name)
        .limit(SEARCH_LIMIT)
    )
    found += [Pick(value=f"shop:{row['id']}", label=f"{row['name']} · {row['house_number']}") for row in shops]
    return found


async def group_picks(meeting: dict) -> list[Pick]:
    """The one-tap groups for this meeting: the sitting council, each merchant group, and the meeting's proposal's
    or thread's people when it has one."""
    picks: list[Pick] = []
    term = await current_term()
    if term is not None:
        picks.append(Pick(value=f"council:{term.id}", label="council", group_kind=True))
    if meeting.get("proposal_id"):
        picks.append(Pick(value=f"proposal:{meeting['proposal_id']}", label="proposal", group_kind=True))
    if meeting.get("thread_id"):
        picks.append(Pick(value=f"thread:{meeting['thread_id']}", label="thread", group_kind=True))
    for group in await list_groups():
        picks.append(Pick(value=f"group:{group.id}", label=localized(group, "name")))
    return picks


def _parse(value: str) -> tuple[str, int]:
    kind, _sep, number = value.partition(":")
    if kind not in ("person", "shop", "group", "council", "proposal", "thread") or not number.isdigit():
        raise Invalid("Choose people, shops or groups from the list.", field="pick")
    return kind, int(number)


async def invite_picks(viewer: Viewer, meeting_id: int, values: list[str]) -> int:
    """Invite everything chosen at once; those invited already are skipped. Returns how many were added."""
    meeting = await manageable(viewer, meeting_id)
    if meeting["status"] == "cancelled":
        raise Conflict("This meeting is cancelled.")
    if meeting["ends_at"] <= now():
        raise Conflict("The meeting is over; nobody can be invited any more.")
    pairs = list(dict.fromkeys(_parse(value) for value in values[:50]))
    if not pairs:
        raise Invalid("Choose people, shops or groups from the list.", field="pick")
    allowed = {_parse(pick.value) for pick in await group_picks(meeting)}
    names = await invitee_names(viewer, pairs)
    for pair in pairs:
        if pair[0] in ("council", "proposal", "thread", "group") and pair not in allowed:
            raise Invalid("Choose people, shops or groups from the list.", field="pick")
        if pair not in names:
            raise Invalid("No such group, shop or person.", field="pick")
    async with write_transaction():
        rows = await Invitee.select(Invitee.invitee_type, Invitee.invitee_id).where(Invitee.meeting == meeting_id)
        already = {(row["invitee_type"], row["invitee_id"]) for row in rows}
        new = [pair for pair in pairs if pair not in already]
        if not new:
            return 0
        with duplicate_means(Conflict("Already invited.", field="pick")):  # the same choice sent twice at once
            await Invitee.insert(*(Invitee(meeting=meeting_id, invitee_type=kind, invitee_id=oid) for kind, oid in new))
        await record_change(
            actor_id=viewer.person_id,
            action="meeting.invited",
            object_type="meeting",
            object_id=meeting_id,
            after={"invitees": [f"{kind}:{oid}" for kind, oid in new]},
        )
        await notices.tell(await people_of(new), meeting_id, "invited", actor_name=viewer.display_name)
    return len(new)


async def _reached(meeting: dict) -> tuple[set[int], set[int]]:
    """(people, shops) the checklist lists: whoever the invitations reach, council members of a council meeting,
    whoever said yes, and whoever has a mark already."""
    rows = await Invitee.select(Invitee.invitee_type, Invitee.invitee_id).where(Invitee.meeting == meeting["id"])
    pairs = [(row["invitee_type"], row["invitee_id"]) for row in rows]
    shops = {oid for kind, oid in pairs if kind == "shop"}
    people = await people_of([pair for pair in pairs if pair[0] != "shop"])
    if meeting["kind"] == "council":
        people |= await sitting_members()
    said_yes = await Rsvp.select(Rsvp.person).where((Rsvp.meeting == meeting["id"]) & (Rsvp.answer == "yes"))
    people |= {row["person"] for row in said_yes}
    marked = await Attendance.select(Attendance.attendee_type, Attendance.attendee_id).where(
        Attendance.meeting == meeting["id"]
    )
    people |= {row["attendee_id"] for row in marked if row["attendee_type"] == "person"}
    shops |= {row["attendee_id"] for row in marked if row["attendee_type"] == "shop"}
    return people, shops


async def checklist(viewer: Viewer, meeting: dict) -> list[CheckRow]:
    """Shops first, then people, each with its current mark; names by the rules above."""
    people, shops = await _reached(meeting)
    pairs = [("shop", oid) for oid in sorted(shops)] + [("person", oid) for oid in sorted(people)]
    names = await invitee_names(viewer, pairs)
    hidden = await hidden_reporters(viewer, meeting.get("thread_id"))
    marks = {
        (row["attendee_type"], row["attendee_id"]): row["status"]
        for row in await Attendance.select(Attendance.attendee_type, Attendance.attendee_id, Attendance.status).where(
            Attendance.meeting == meeting["id"]
        )
    }
    rows = []
    for kind, oid in pairs:
        if (kind, oid) not in names:
            continue  # an erased person or a removed shop
        named = names[(kind, oid)] is not None and oid not in (hidden if kind == "person" else ())
        rows.append(
            CheckRow(
                key=f"{kind}-{oid}",
                label=names[(kind, oid)] if named else "",
                named=named,
                status=marks.get((kind, oid), ""),
            )
        )
    named_rows = sorted((row for row in rows if row.named), key=lambda row: (row.key[0] != "s", row.label))
    return named_rows + [row for row in rows if not row.named]


async def record_checklist(viewer: Viewer, meeting_id: int, data: dict) -> int:
    """Present, absent or excused for each line of the checklist, in one transaction; lines left unmarked stay as
    they were. Returns how many marks changed."""
    meeting = await manageable(viewer, meeting_id)
    if meeting["starts_at"] > now():
        raise Conflict("Attendance is recorded once the meeting has begun.")
    if meeting["status"] == "cancelled":
        raise Conflict("This meeting is cancelled.")
    people, shops = await _reached(meeting)
    listed = {f"person-{oid}" for oid in people} | {f"shop-{oid}" for oid in shops}
    marks: dict[tuple[str, int], str] = {}
    for key, value in data.items():
        if not key.startswith(("person-", "shop-")) or not value:
            continue
        if key not in listed or value not in MARKS:
            raise Invalid("Mark only the people and shops on the list, as present, absent or excused.")
        kind, _sep, number = key.partition("-")
        marks[(kind, int(number))] = value
    if not marks:
        raise Invalid("Mark at least one person or shop.")
    changed = 0
    async with write_transaction():
        rows = await Attendance.select(
            Attendance.id, Attendance.attendee_type, Attendance.attendee_id, Attendance.status
        ).where(Attendance.meeting == meeting_id)
        existing = {(row["attendee_type"], row["attendee_id"]): row for row in rows}
        before, after = {}, {}
        for (kind, oid), status in marks.items():
            row = existing.get((kind, oid))
            if row is not None and row["status"] == status:
                continue
            if row is None:
                with duplicate_means(Conflict("The attendance was being recorded twice at once. Reload and check it.")):
                    await Attendance.insert(
                        Attendance(
                            meeting=meeting_id,
                            attendee_type=kind,
                            attendee_id=oid,
                            status=status,
                            recorded_by=viewer.person_id,
                            recorded_at=now(),
                        )
                    )
            else:
                await Attendance.update(
                    {Attendance.status: status, Attendance.recorded_by: viewer.person_id, Attendance.recorded_at: now()}
                ).where(Attendance.id == row["id"])
            before[f"{kind}:{oid}"] = row["status"] if row else None
            after[f"{kind}:{oid}"] = status
            changed += 1
        if changed:
            await record_change(
                actor_id=viewer.person_id,
                action="meeting.attendance_recorded",
                object_type="meeting",
                object_id=meeting_id,
                before=before,
                after=after,
            )
    return changed
