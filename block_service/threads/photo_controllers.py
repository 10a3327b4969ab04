"""Photos of threads: reading uploads into stored photos, and serving a photo to whoever may see it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Controller, Request, get
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import File

from block_service.errors import NotFound
from block_service.threads import drafts, photo_review
from block_service.threads import photos as photo_store
from block_service.web.auth import viewer_of
from block_service.web.session import cookie_name


def var_dir(request: Request) -> Path:
    """Where this app keeps its files (photos among them)."""
    return request.app.state.settings.var_dir


def uploads_of(data: dict[str, Any]) -> list[UploadFile]:
    files = data.get("photos")
    if files is None:
        return []
    files = files if isinstance(files, list) else [files]
    return [f for f in files if isinstance(f, UploadFile) and f.filename]


async def store_uploads(request: Request, uploads: list[UploadFile]) -> list[tuple[str, int, int, int]]:
    return await photo_store.store_uploads(var_dir(request), uploads)


# Photos of a report that was refused (an empty field, a bad house number): stored, kept server-side as the
# person's draft (their session names them), shown again on the form and sent with it, never chosen twice.
DRAFT_KEY = "thread_photo_drafts"
StoredPhoto = tuple[str, int, int, int]


def draft_photos(request: Request) -> list[StoredPhoto]:
    return [tuple(item) for item in request.session.get(DRAFT_KEY, [])]


def kept_drafts(request: Request, data: dict[str, Any]) -> list[StoredPhoto]:
    """The draft photos the form sends back (ticked "keep"); the others are deleted now."""
    wanted = data.get("keep_photo") or []
    wanted = set(wanted if isinstance(wanted, list) else [wanted])
    drafts = draft_photos(request)
    photo_store.discard_photos(var_dir(request), [name for name, *_rest in drafts if name not in wanted])
    return [photo for photo in drafts if photo[0] in wanted]


def keep_as_draft(request: Request, photos: list[StoredPhoto]) -> None:
    request.session[DRAFT_KEY] = [list(photo) for photo in photos[: photo_store.MAX_PHOTOS]]
    photo_store.discard_photos(var_dir(request), [name for name, *_rest in photos[photo_store.MAX_PHOTOS :]])


def forget_drafts(request: Request) -> None:
    request.session.pop(DRAFT_KEY, None)


class PhotoController(Controller):
    @get("/photos/{file_name:str}", name="photo")
    async def photo(self, request: Request, file_name: FromPath[str]) -> File:
        viewer = viewer_of(request)
        if file_name not in {name for name, *_rest in draft_photos(request)}:
            # A photo of this browser's report draft (a visitor's too) is theirs to see before it is sent.
            token = request.cookies.get(cookie_name(drafts.DRAFT_COOKIE, request.app.state.settings.debug))
            if file_name not in await drafts.draft_photo_names(token, viewer.person_id):
                await photo_review.photo_for(viewer, file_name)
        path = photo_store.photo_file(var_dir(request), file_name)
        if path is None:
            raise NotFound("No such photo.")
        return File(
            path=path,
            media_type="image/jpeg",
            content_disposition_type="inline",
            filename=file_name,
            headers={
                "Cache-Control": "private, max-age=86400",
                "Content-Security-Policy": "default-src 'none'; sandbox",
            },
        )
