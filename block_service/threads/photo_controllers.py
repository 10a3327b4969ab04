"""Photos of threads: reading uploads into stored photos, and serving a photo to whoever may see it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from litestar import Controller, Request, get
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import File

from block_service.errors import Invalid, NotFound
from block_service.threads import photo_review
from block_service.threads import photos as photo_store
from block_service.web.auth import viewer_of


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
    """Check and re-encode every photo before anything is written, so a bad one leaves nothing behind."""
    if len(uploads) > photo_store.MAX_PHOTOS:
        raise Invalid("At most %(count)s photos per thread.", field="photos", count=photo_store.MAX_PHOTOS)
    prepared = []
    for upload in uploads:
        data = await upload.read(photo_store.MAX_BYTES + 1)
        prepared.append(await photo_store.prepare_photo_soon(data))
    stored = []
    for photo in prepared:
        name = await asyncio.to_thread(photo_store.store_photo, var_dir(request), photo)
        stored.append((name, photo.width, photo.height, len(photo.data)))
    return stored


class PhotoController(Controller):
    @get("/photos/{file_name:str}", name="photo")
    async def photo(self, request: Request, file_name: FromPath[str]) -> File:
        await photo_review.photo_for(viewer_of(request), file_name)
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
