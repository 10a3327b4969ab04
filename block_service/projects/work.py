"""The work on a project: milestones, workers, progress updates with photos, and a large project's documents."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from pathlib import Path

from block_service.accounts.schemas import Viewer
from block_service.accounts.tables import Person
from block_service.clock import block_today, now
from block_service.db import duplicate_means, write_transaction
from block_service.errors import Conflict, Forbidden, FormInvalid, Invalid, NotFound
from block_service.i18n import N_
from block_service.projects import access, notices
from block_service.projects.schemas import (
    DocumentOut,
    MilestoneForm,
    UpdateForm,
    UpdateOut,
    UpdatePhotoOut,
    WorkerForm,
)
from block_service.projects.tables import (
    Milestone,
    Project,
    ProjectDocument,
    ProjectPhoto,
    ProjectUpdate,
    ProjectWorker,
)
from block_service.threads import photos as photo_store

CLOSED = ("cancelled", "evaluated")  # nothing more is added to these
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|jpg)$")


def _still_open(project: dict) -> None:
    if project["state"] in CLOSED:
        raise Conflict("This project is closed: nothing more can be added to it.")


async def add_milestone(viewer: Viewer, project_id: int, form: MilestoneForm) -> int:
    """A milestone is due on or after the project's start; its weight counts toward the progress."""
    from block_service.projects.projects import parse_date

    project = await access.managed_project(viewer, project_id)
    _still_open(project)
    due_on = parse_date(form.due_on, "due_on")
    if due_on < project["starts_on"]:
        raise FormInvalid(
            {"due_on": N_("A milestone cannot be due before the project starts (%(date)s).")},
            date=project["starts_on"].isoformat(),
        )
    async with write_transaction():
        rows = await Milestone.insert(
            Milestone(project=project_id, title=form.title, due_on=due_on, weight=form.weight, created_at=now())
        ).returning(Milestone.id)
        await Project.update({Project.changed_at: now()}).where(Project.id == project_id)
        await notices.record_step(project_id, "milestone", "", "added", actor_id=viewer.person_id, reason=form.title)
    return rows[0]["id"]


async def complete_milestone(viewer: Viewer, project_id: int, milestone_id: int) -> None:
    """Marks a milestone done today; done twice changes nothing (a double tap)."""
    project = await access.managed_project(viewer, project_id)
    _still_open(project)
    milestone = (
        await Milestone.select(Milestone.title)
        .where((Milestone.id == milestone_id) & (Milestone.project == project_id))
        .first()
    )
    if milestone is None:
        raise NotFound("No such milestone.")
    async with write_transaction():
        done = (
            await Milestone.update({Milestone.done_on: block_today(), Milestone.done_by: viewer.person_id})
            .where((Milestone.id == milestone_id) & Milestone.done_on.is_null())
            .returning(Milestone.id)
        )
        if not done:
            return
        await Project.update({Project.changed_at: now()}).where(Project.id == project_id)
        await notices.record_step(
            project_id, "milestone", "", "done", actor_id=viewer.person_id, reason=milestone["title"]
        )
        await notices.tell(
            await access.taking_part(project),
            project_id,
            "milestone",
            actor_id=viewer.person_id,
            actor_name=viewer.display_name,
            detail=milestone["title"],
        )


async def add_worker(viewer: Viewer, project_id: int, form: WorkerForm) -> None:
    project = await access.managed_project(viewer, project_id)
    _still_open(project)
    if not await Person.exists().where(Person.id == form.person_id):
        raise Invalid("No such person.", field="person_id")
    async with write_transaction():
        with duplicate_means(Conflict("This person already works on the project.", field="person_id")):
            await ProjectWorker.insert(ProjectWorker(project=project_id, person=form.person_id, added_at=now()))
        await notices.record_step(
            project_id, "worker", "", "added", actor_id=viewer.person_id, reason=str(form.person_id)
        )
        await notices.tell([form.person_id], project_id, "worker", actor_id=viewer.person_id)


async def may_post_update(viewer: Viewer, project: dict) -> bool:
    if await access.may_manage(viewer, project):
        return True
    return viewer.is_signed_in and await ProjectWorker.exists().where(
        (ProjectWorker.project == project["id"]) & (ProjectWorker.person == viewer.person_id)
    )


async def post_update(
    viewer: Viewer, project_id: int, form: UpdateForm, photos: list[tuple[str, int, int, int]] = ()
) -> int:
    """A progress update by a manager or a worker, with up to three stored photos; tells those taking part."""
    project = await access.project_row(project_id)
    if not await may_post_update(viewer, project):
        raise Forbidden("Only the project's lead, its workers and staff post progress updates.")
    _still_open(project)
    if len(photos) > photo_store.MAX_PHOTOS:
        raise Invalid("At most %(count)s photos per update.", field="photos", count=photo_store.MAX_PHOTOS)
    moment = now()
    async with write_transaction():
        rows = await ProjectUpdate.insert(
            ProjectUpdate(project=project_id, author=viewer.person_id, body=form.body, created_at=moment)
        ).returning(ProjectUpdate.id)
        update_id = rows[0]["id"]
        if photos:
            await ProjectPhoto.insert(
                *[
                    ProjectPhoto(
                        update=update_id, file_name=name, width=w, height=h, size_bytes=size, created_at=moment
                    )
                    for name, w, h, size in photos
                ]
            )
        await Project.update({Project.changed_at: moment}).where(Project.id == project_id)
        await notices.tell(
            await access.taking_part(project),
            project_id,
            "update",
            actor_id=viewer.person_id,
            actor_name=viewer.display_name,
            detail=form.body[:80],
        )
    return update_id


async def updates_of(project_id: int, limit: int = 30) -> list[UpdateOut]:
    """The latest updates with their photos and authors' names: two statements."""
    rows = await (
        ProjectUpdate.select(
            ProjectUpdate.id,
            ProjectUpdate.body,
            ProjectUpdate.created_at,
            ProjectUpdate.author.display_name.as_alias("author_name"),
        )
        .where(ProjectUpdate.project == project_id)
        .order_by(ProjectUpdate.created_at, ascending=False)
        .order_by(ProjectUpdate.id, ascending=False)
        .limit(limit)
    )
    photos: dict[int, list[UpdatePhotoOut]] = {}
    if rows:
        for row in (
            await ProjectPhoto.select(
                ProjectPhoto.update, ProjectPhoto.file_name, ProjectPhoto.width, ProjectPhoto.height
            )
            .where(ProjectPhoto.update.is_in([r["id"] for r in rows]))
            .order_by(ProjectPhoto.id)
        ):
            photos.setdefault(row.pop("update"), []).append(UpdatePhotoOut(**row))
    return [
        UpdateOut(
            id=row["id"],
            body=row["body"],
            author_name=row["author_name"] or "",
            created_at=row["created_at"],
            photos=photos.get(row["id"], []),
        )
        for row in rows
    ]


async def is_project_photo(file_name: str) -> bool:
    return await ProjectPhoto.exists().where(ProjectPhoto.file_name == file_name)


# ---- documents of a large project ----------------------------------------------------------------


def document_dir(var_dir: Path) -> Path:
    path = var_dir / "documents"
    path.mkdir(parents=True, exist_ok=True)
    return path


def checked_document(data: bytes) -> tuple[bytes, str, str]:
    """A PDF by its first bytes, or a photo re-encoded (no metadata); anything else is refused."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise Invalid("A document may be at most 10 MB.", field="document")
    if data.startswith(b"%PDF-"):
        return data, "application/pdf", "pdf"
    try:
        photo = photo_store.prepare_photo(data)
    except Invalid:
        raise Invalid("Only PDF files and JPEG, PNG or WebP images are accepted.", field="document") from None
    return photo.data, "image/jpeg", "jpg"


def _write(folder: Path, name: str, data: bytes) -> None:
    temporary = folder / (name + ".part")
    temporary.write_bytes(data)
    os.replace(temporary, folder / name)


async def attach_document(viewer: Viewer, project_id: int, var_dir: Path, title: str, data: bytes) -> int:
    """A large project's application documents; checked before anything is written."""
    project = await access.managed_project(viewer, project_id)
    _still_open(project)
    if project["size"] != "large":
        raise Conflict("Only large projects keep application documents.")
    title = title.strip()[:120]
    if len(title) < 2:
        raise FormInvalid({"document_title": N_("Enter at least %(count)s characters.")}, count=2)
    if not data:
        raise Invalid("Choose a file to attach.", field="document")
    content, content_type, extension = await asyncio.to_thread(checked_document, data)
    name = f"{secrets.token_hex(16)}.{extension}"
    folder = document_dir(var_dir)
    await asyncio.to_thread(_write, folder, name, content)
    try:
        async with write_transaction():
            rows = await ProjectDocument.insert(
                ProjectDocument(
                    project=project_id,
                    file_name=name,
                    title=title,
                    content_type=content_type,
                    size_bytes=len(content),
                    uploaded_by=viewer.person_id,
                    created_at=now(),
                )
            ).returning(ProjectDocument.id)
            await notices.record_step(project_id, "document", "", "attached", actor_id=viewer.person_id, reason=title)
    except BaseException:
        (folder / name).unlink(missing_ok=True)
        raise
    return rows[0]["id"]


async def documents_of(project_id: int) -> list[DocumentOut]:
    rows = (
        await ProjectDocument.select(
            ProjectDocument.id,
            ProjectDocument.title,
            ProjectDocument.content_type,
            ProjectDocument.size_bytes,
            ProjectDocument.created_at,
        )
        .where(ProjectDocument.project == project_id)
        .order_by(ProjectDocument.id)
    )
    return [DocumentOut(**row) for row in rows]


async def document_file(project_id: int, document_id: int, var_dir: Path) -> tuple[Path, str, str]:
    """The stored file, its content type and a download name; documents are public like the project."""
    row = (
        await ProjectDocument.select(ProjectDocument.file_name, ProjectDocument.content_type, ProjectDocument.title)
        .where((ProjectDocument.id == document_id) & (ProjectDocument.project == project_id))
        .first()
    )
    if row is None or not DOCUMENT_NAME.match(row["file_name"]):
        raise NotFound("No such document.")
    path = document_dir(var_dir) / row["file_name"]
    if not path.is_file():
        raise NotFound("No such document.")
    extension = row["file_name"].rsplit(".", 1)[1]
    return path, row["content_type"], f"project-{project_id}-document-{document_id}.{extension}"
