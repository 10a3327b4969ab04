"""A notice's attachments: PDFs and photos, checked by their content (not their name), limited in size and
number, photos re-encoded by the threads' photo pipeline, files kept under var/notice-files/."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

from block_service.errors import Invalid
from block_service.threads import photos as photo_store

MAX_FILES = 5
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_REQUEST_BYTES = MAX_FILES * MAX_FILE_BYTES + 256 * 1024
PDF = "application/pdf"
JPEG = "image/jpeg"
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
# (stored name, name as uploaded, media type, bytes), as publishing.StoredFile
StoredFile = tuple[str, str, str, int]


def files_dir(var_dir: Path) -> Path:
    path = var_dir / "notice-files"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _is_pdf(data: bytes) -> bool:
    """A PDF starts with its header and ends with an end-of-file marker (within the last KB)."""
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]


def _shown_name(name: str) -> str:
    return Path(name.replace("\\", "/")).name.strip()[:120] or "file"


async def check_and_store(var_dir: Path, uploads: list) -> list[StoredFile]:
    """Check every upload before anything is stored; raise Invalid naming the first that is refused.

    A name ending in .pdf must hold a PDF; a photo's name must hold a photo Pillow can read (it is then
    re-encoded as JPEG without its metadata); any other kind of file is refused.
    """
    if len(uploads) > MAX_FILES:
        raise Invalid("Attach at most %(count)s files.", field="attachments", count=MAX_FILES)
    checked: list[tuple[str, str, bytes]] = []
    for upload in uploads:
        name = _shown_name(upload.filename or "")
        data = await upload.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise Invalid("“%(name)s” is larger than %(mb)s MB.", field="attachments", name=name, mb=5)
        suffix = Path(name).suffix.lower()
        if suffix == ".pdf":
            if not _is_pdf(data):
                raise Invalid(
                    "“%(name)s” is not what its name says: attach a real PDF or photo.", field="attachments", name=name
                )
            checked.append((name, PDF, data))
        elif suffix in PHOTO_SUFFIXES:
            try:
                photo = await photo_store.prepare_photo_soon(data)
            except Invalid as error:
                if error.message != "Only JPEG, PNG or WebP photos are accepted.":
                    raise Invalid(error.message, field="attachments", **error.params) from None
                raise Invalid(
                    "“%(name)s” is not what its name says: attach a real PDF or photo.", field="attachments", name=name
                ) from None
            checked.append((name, JPEG, photo.data))
        else:
            raise Invalid("Attach PDF files or photos (JPEG, PNG, WebP) only.", field="attachments")
    stored: list[StoredFile] = []
    for name, media_type, data in checked:
        stored_name = secrets.token_hex(16) + (".pdf" if media_type == PDF else ".jpg")
        await asyncio.to_thread((files_dir(var_dir) / stored_name).write_bytes, data)
        shown = name if media_type == PDF else str(Path(name).with_suffix(".jpg"))
        stored.append((stored_name, shown, media_type, len(data)))
    return stored


def discard(var_dir: Path, stored: list[StoredFile]) -> None:
    for name, *_rest in stored:
        (files_dir(var_dir) / name).unlink(missing_ok=True)


def file_path(var_dir: Path, stored_name: str) -> Path | None:
    path = files_dir(var_dir) / stored_name
    return path if path.is_file() else None
