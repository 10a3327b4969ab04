"""Pledge rules: who may pledge, withdraw and mark delivered; progress against goals; who sees pledgers' names."""

from __future__ import annotations

from block_service import names
from block_service.accounts.schemas import Viewer
from block_service.audit.services import record_change
from block_service.clock import now
from block_service.db import write_transaction
from block_service.errors import Conflict, Forbidden, FormInvalid, NotFound
from block_service.i18n import N_, LazyText
from block_service.inbox import Subject, deliver
from block_service.pagination import Page, clamp
from block_service.pledges.schemas import (
    KINDS,
    GoalForm,
    GoalProgress,
    Panel,
    PledgeForm,
    PledgeOut,
    PledgeSubject,
    ShopChoice,
    SubjectTotals,
)
from block_service.pledges.tables import Pledge, PledgeGoal
from block_service.pledges.targets import Target, call, target_of
from block_service.shops.services import shops_of

COUNTED = ("money", "materials", "hours")  # kinds with an amount; a skill or a space counts one per pledge
PLEDGE_PAGE_SIZE = 50


def _target(subject: PledgeSubject) -> Target:
    target = target_of(subject.kind)
    if target is None:
        raise NotFound(N_("There is nothing to pledge to here."))
    return target


async def may_manage(subject: PledgeSubject, viewer: Viewer) -> bool:
    """The target's managers (a project's lead, a need's owner...) mark pledges delivered."""
    if not viewer.is_signed_in:
        return False
    return bool(await call(_target(subject).may_manage, subject.id, viewer))


async def is_open(subject: PledgeSubject) -> bool:
    return bool(await call(_target(subject).is_open, subject.id))


def _checked(viewer: Viewer, form: PledgeForm) -> tuple[str, int, str]:
    """The pledge's item, quantity and unit, or FormInvalid naming what is wrong."""
    if form.kind not in KINDS:
        raise FormInvalid({"kind": N_("Choose what you pledge: money, materials, hours, a skill or a space.")})
    errors: dict[str, str] = {}
    item = form.item.strip()
    quantity = form.quantity or 0
    if form.kind in COUNTED and quantity <= 0:
        errors["quantity"] = N_("Enter an amount greater than zero.")
    if form.kind != "money" and form.kind != "hours" and not item:
        errors["item"] = N_("Say what you pledge.")
    if errors:
        raise FormInvalid(errors)
    if form.shop_id is not None and not viewer.acts_for(form.shop_id):
        raise Forbidden(N_("You can pledge only for a shop you act for."), field="shop_id")
    if form.kind in ("money", "hours"):
        item = ""
    return item, (quantity if form.kind in COUNTED else 1), (form.unit.strip() if form.kind == "materials" else "")


async def pledge(viewer: Viewer, subject: PledgeSubject, form: PledgeForm) -> int:
    """Record a promise (money is a promise in yuan: nothing is paid here); returns the pledge's id."""
    if not viewer.is_signed_in:
        raise Forbidden(N_("Sign in to pledge."))
    target = _target(subject)
    item, quantity, unit = _checked(viewer, form)
    async with write_transaction():
        if not await call(target.is_open, subject.id):
            raise Conflict(N_("This no longer takes pledges."))
        rows = await Pledge.insert(
            Pledge(
                subject_kind=subject.kind,
                subject_id=subject.id,
                person=viewer.person_id,
                shop=form.shop_id,
                kind=form.kind,
                item=item,
                quantity=quantity,
                unit=unit,
                note=form.note.strip(),
                show_name=form.show_name,
                state="promised",
                created_at=now(),
            )
        ).returning(Pledge.id)
    return rows[0]["id"]


async def _pledge_row(pledge_id: int) -> dict:
    row = (
        await Pledge.select(
            Pledge.id, Pledge.subject_kind, Pledge.subject_id, Pledge.person, Pledge.state, Pledge.kind, Pledge.item
        )
        .where(Pledge.id == pledge_id)
        .first()
    )
    if row is None:
        raise NotFound(N_("This pledge does not exist."))
    return row


def _subject(row: dict) -> PledgeSubject:
    return PledgeSubject(kind=row["subject_kind"], id=row["subject_id"])


async def subject_of(pledge_id: int) -> PledgeSubject:
    return _subject(await _pledge_row(pledge_id))


async def withdraw(viewer: Viewer, pledge_id: int) -> PledgeSubject:
    """The pledger takes back a pledge not yet delivered; withdrawing twice changes nothing."""
    async with write_transaction():
        row = await _pledge_row(pledge_id)
        if row["person"] != viewer.person_id:
            raise Forbidden(N_("Only the person who pledged can withdraw a pledge."))
        if row["state"] == "delivered":
            raise Conflict(N_("A delivered pledge cannot be withdrawn."))
        if row["state"] == "promised":
            await Pledge.update({Pledge.state: "withdrawn", Pledge.withdrawn_at: now()}).where(
                (Pledge.id == pledge_id) & (Pledge.state == "promised")
            )
    return _subject(row)


async def mark_delivered(viewer: Viewer, pledge_id: int) -> PledgeSubject:
    """A manager of the target records that the pledge arrived; the pledger is thanked through the inbox."""
    row = await _pledge_row(pledge_id)
    subject = _subject(row)
    if not await may_manage(subject, viewer):
        raise Forbidden(N_("Only those who run this can mark pledges delivered."))
    async with write_transaction():
        moment = now()
        updated = (
            await Pledge.update({Pledge.state: "delivered", Pledge.delivered_at: moment})
            .where((Pledge.id == pledge_id) & (Pledge.state == "promised"))
            .returning(Pledge.id)
        )
        if not updated:
            state = (await _pledge_row(pledge_id))["state"]
            if state == "delivered":
                return subject  # a double submit: already recorded, nobody thanked twice
            raise Conflict(N_("A withdrawn pledge cannot be marked delivered."))
        await record_change(
            actor_id=viewer.person_id,
            action="pledge.delivered",
            object_type="pledge",
            object_id=pledge_id,
            before={"state": "promised"},
            after={"state": "delivered", "subject_kind": subject.kind, "subject_id": subject.id},
            at=moment,
        )
        await deliver(
            [row["person"]],
            Subject("pledge", pledge_id),
            "delivered",
            now=moment,
            actor_name=viewer.display_name,
            actor_id=viewer.person_id,
        )
    return subject


async def set_goals(subject: PledgeSubject, goals: list[GoalForm], *, actor_id: int | None = None) -> None:
    """Replace the subject's goals (the owning domain checks who may set them)."""
    _target(subject)
    async with write_transaction():
        await PledgeGoal.delete().where(
            (PledgeGoal.subject_kind == subject.kind) & (PledgeGoal.subject_id == subject.id)
        )
        if goals:
            await PledgeGoal.insert(
                *[
                    PledgeGoal(
                        subject_kind=subject.kind,
                        subject_id=subject.id,
                        kind=goal.kind,
                        item="" if goal.kind in ("money", "hours") else goal.item.strip(),
                        quantity=goal.quantity,
                        unit=goal.unit.strip() if goal.kind == "materials" else "",
                    )
                    for goal in goals
                ]
            )
        await record_change(
            actor_id=actor_id,
            action="pledge.goals",
            object_type=subject.kind,
            object_id=subject.id,
            after=[{"kind": g.kind, "item": g.item, "quantity": g.quantity, "unit": g.unit} for g in goals],
        )


_SUMS = (
    "SELECT kind, item, MAX(unit) AS unit, state, SUM(quantity) AS total FROM pledge "
    "WHERE subject_kind = {} AND subject_id = {} AND state <> 'withdrawn' GROUP BY kind, item, state"
)


async def progress(subject: PledgeSubject) -> list[GoalProgress]:
    """Per goal (kind and item): goal, promised (not yet delivered), delivered; pledges matching no goal follow
    with a goal of 0. Pledges may exceed a goal. Two statements whatever the number of pledges."""
    goals = (
        await PledgeGoal.select(PledgeGoal.kind, PledgeGoal.item, PledgeGoal.quantity, PledgeGoal.unit)
        .where((PledgeGoal.subject_kind == subject.kind) & (PledgeGoal.subject_id == subject.id))
        .order_by(PledgeGoal.id)
    )
    sums = await Pledge.raw(_SUMS, subject.kind, subject.id)
    rows: dict[tuple[str, str], GoalProgress] = {}
    for goal in goals:
        key = (goal["kind"], goal["item"])
        if key in rows:
            rows[key].goal += goal["quantity"]
        else:
            rows[key] = GoalProgress(
                kind=goal["kind"], item=goal["item"], unit=goal["unit"], goal=goal["quantity"], promised=0, delivered=0
            )
    for line in sums:
        key = (line["kind"], line["item"])
        if key not in rows and (line["kind"], "") in rows and line["kind"] in ("money", "hours"):
            key = (line["kind"], "")
        row = rows.get(key)
        if row is None:
            row = rows[key] = GoalProgress(
                kind=line["kind"], item=line["item"], unit=line["unit"] or "", goal=0, promised=0, delivered=0
            )
        if line["state"] == "delivered":
            row.delivered += int(line["total"])
        else:
            row.promised += int(line["total"])
    return list(rows.values())


async def sees_names(subject: PledgeSubject, viewer: Viewer) -> bool:
    """Staff and the target's managers see every pledger's name."""
    return viewer.is_staff or await may_manage(subject, viewer)


def shown_name(row: dict, viewer: Viewer, all_names: bool) -> tuple[str | LazyText, str]:
    """The ONE place deciding whether a pledger is named: they chose to be, or the viewer is the pledger, a
    manager of the target or staff. Everybody else reads no name (HTML, JSON and CSV alike)."""
    if row["show_name"] or all_names or (viewer.person_id is not None and row["person"] == viewer.person_id):
        # A deleted account's stored label reads in the reader's language ("a former resident").
        return names.shown_name(row["person.display_name"]), row["shop.name"] or ""
    return "", ""


async def pledges_of(subject: PledgeSubject, viewer: Viewer, page: int = 1) -> Page[PledgeOut]:
    """The pledges not withdrawn, newest first, a page at a time (two statements), names as `shown_name` says."""
    page, per_page = clamp(page, PLEDGE_PAGE_SIZE)
    all_names = await sees_names(subject, viewer)
    where = (Pledge.subject_kind == subject.kind) & (Pledge.subject_id == subject.id) & (Pledge.state != "withdrawn")
    rows = (
        await Pledge.select(
            Pledge.id,
            Pledge.person,
            Pledge.person.display_name,
            Pledge.shop.name,
            Pledge.kind,
            Pledge.item,
            Pledge.quantity,
            Pledge.unit,
            Pledge.note,
            Pledge.state,
            Pledge.show_name,
            Pledge.created_at,
            Pledge.delivered_at,
        )
        .where(where)
        .order_by(Pledge.created_at, ascending=False)
        .order_by(Pledge.id, ascending=False)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    total = await Pledge.count().where(where)
    items = []
    for row in rows:
        name, shop_name = shown_name(row, viewer, all_names)
        items.append(
            PledgeOut(
                id=row["id"],
                kind=row["kind"],
                item=row["item"],
                quantity=row["quantity"],
                unit=row["unit"],
                note=row["note"],
                state=row["state"],
                name=name,
                shop_name=shop_name,
                created_at=row["created_at"],
                delivered_at=row["delivered_at"],
                mine=viewer.person_id is not None and row["person"] == viewer.person_id,
            )
        )
    return Page(items=items, page=page, per_page=per_page, total=total)


async def panel(subject: PledgeSubject, viewer: Viewer, page: int = 1) -> Panel:
    """What the pledge panel macro shows for this viewer."""
    target = _target(subject)
    listed = await pledges_of(subject, viewer, page)
    return Panel(
        subject=subject,
        is_open=await is_open(subject),
        may_manage=await may_manage(subject, viewer),
        progress=await progress(subject),
        pledges=listed.items,
        total=listed.total,
        return_url=str(await call(target.url, subject.id)),
        signed_in=viewer.is_signed_in,
        shops=[ShopChoice(id=shop.id, name=shop.name) for shop in await shops_of(viewer.person_id)]
        if viewer.shop_ids
        else [],
    )


_TOTALS = (
    "SELECT subject_id, kind, item, MAX(unit) AS unit, COUNT(*) AS pledges, "
    "SUM(CASE WHEN state = 'promised' THEN quantity ELSE 0 END) AS promised, "
    "SUM(CASE WHEN state = 'delivered' THEN quantity ELSE 0 END) AS delivered "
    "FROM pledge WHERE subject_kind = {} AND state <> 'withdrawn' "
    "GROUP BY subject_id, kind, item ORDER BY subject_id, kind, item"
)


async def totals_per_subject(kind: str) -> list[SubjectTotals]:
    """Pledges summed per subject of this kind (open data: no names, no person ids)."""
    return [
        SubjectTotals(
            subject_id=row["subject_id"],
            kind=row["kind"],
            item=row["item"],
            unit=row["unit"] or "",
            pledges=int(row["pledges"]),
            promised=int(row["promised"]),
            delivered=int(row["delivered"]),
        )
        for row in await Pledge.raw(_TOTALS, kind)
    ]


async def describe_pledges(pledge_ids: list[int], viewer: Viewer) -> dict[int, tuple[str, str]]:
    """For the inbox: each pledge's target title and page, for the targets the viewer may see."""
    rows = await Pledge.select(Pledge.id, Pledge.subject_kind, Pledge.subject_id).where(
        Pledge.id.is_in(sorted(set(pledge_ids)) or [0])
    )
    by_kind: dict[str, list[int]] = {}
    for row in rows:
        by_kind.setdefault(row["subject_kind"], []).append(row["subject_id"])
    titles: dict[tuple[str, int], str] = {}
    urls: dict[tuple[str, int], str] = {}
    for kind, ids in by_kind.items():
        target = target_of(kind)
        if target is None:
            continue
        for subject_id, title in (await call(target.describe, sorted(set(ids)), viewer)).items():
            titles[(kind, subject_id)] = title
            urls[(kind, subject_id)] = str(await call(target.url, subject_id))
    return {
        row["id"]: (titles[key], urls[key])
        for row in rows
        if (key := (row["subject_kind"], row["subject_id"])) in titles
    }


async def export_of(person_id: int) -> list[dict]:
    """The person's pledges for their data download, oldest first."""
    return await (
        Pledge.select(
            Pledge.subject_kind,
            Pledge.subject_id,
            Pledge.shop,
            Pledge.kind,
            Pledge.item,
            Pledge.quantity,
            Pledge.unit,
            Pledge.note,
            Pledge.show_name,
            Pledge.state,
            Pledge.created_at,
            Pledge.delivered_at,
            Pledge.withdrawn_at,
        )
        .where(Pledge.person == person_id)
        .order_by(Pledge.id)
    )


async def forget_pledges_of(person_id: int) -> None:
    """Inside the caller's transaction (erasing an account): the pledges still count, but their notes go and
    none names its pledger any more."""
    await Pledge.update({Pledge.note: "", Pledge.show_name: False}).where(Pledge.person == person_id)
