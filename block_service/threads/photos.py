"""Photos: accepted by content (JPEG, PNG, WebP), sized up before decoding, re-encoded with no metadata at all."""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import io
import os
import re
import secrets
import weakref
from pathlib import Path

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from block_service.errors import Invalid

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_FORMATS = ("JPEG", "MPO")  # MPO: a phone's JPEG with extra frames; its first frame is the photo
MAX_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 3
# A photo request carries at most three photos and a few short text fields.
MAX_PHOTO_REQUEST_BYTES = MAX_PHOTOS * MAX_BYTES + 64 * 1024
MAX_SIDE = 2048
# What a header may claim. A JPEG is decoded at 1/2, 1/4 or 1/8 of its size (draft), so it may claim more
# than it costs; PNG and WebP are decoded whole.
MAX_HEADER_PIXELS = 64_000_000
# What is really decoded (4096 × 3072, a 12-megapixel frame: 48 MB in memory); a JPEG of any allowed size is
# drafted under it.
MAX_DECODED_PIXELS = 4096 * 3072
DECODES_AT_ONCE = 2  # per process: two decodes at the budget stay far under 300 MB
NAME_PATTERN = re.compile(r"^[0-9a-f]{32}\.jpg$")
# The smaller rendition lists and thread pages show (full size on tap): made at upload beside the photo, as
# "<name>-320.jpg"; a photo stored before thumbnails existed gets its own on first request.
THUMB_WIDTH = 320
THUMB_QUALITY = 80
THUMB_SUFFIX = f"-{THUMB_WIDTH}.jpg"
_SRGB = ImageCms.createProfile("sRGB")


class PreparedPhoto:
    __slots__ = ("data", "width", "height", "thumbnail")

    def __init__(self, data: bytes, width: int, height: int, thumbnail: bytes = b"") -> None:
        self.data, self.width, self.height, self.thumbnail = data, width, height, thumbnail


def thumbnail_size(width: int, height: int) -> tuple[int, int]:
    """The thumbnail's size: THUMB_WIDTH wide (never wider than the photo), the same proportions."""
    thumb_width = max(1, min(THUMB_WIDTH, width))
    return thumb_width, max(1, round(height * thumb_width / max(width, 1)))


def _thumbnail_bytes(image: Image.Image) -> bytes:
    """The thumbnail of a clean RGB image, as a JPEG (the image is left as it was)."""
    small = image.resize(thumbnail_size(image.width, image.height), Image.Resampling.LANCZOS, reducing_gap=2.0)
    output = io.BytesIO()
    small.save(output, "JPEG", quality=THUMB_QUALITY, optimize=True)
    small.close()
    return output.getvalue()


def _not_a_photo() -> Invalid:
    return Invalid("Only JPEG, PNG or WebP photos are accepted.", field="photos")


def _too_many_pixels() -> Invalid:
    return Invalid(
        "This photo has too many pixels (at most %(megapixels)s million for PNG and WebP).",
        field="photos",
        megapixels=MAX_DECODED_PIXELS // 1_000_000,
    )


def _draft_size(width: int, height: int) -> tuple[int, int]:
    """What to ask draft() for: the size the photo is shrunk to (so the decoder scales by 1/2, 1/4 or 1/8
    where that still leaves enough pixels), or less when that would still decode over the budget."""
    scale = min(1.0, MAX_SIDE / max(width, height))
    fitted_width, fitted_height = max(1, int(width * scale)), max(1, int(height * scale))
    factor = 1
    while factor < 8 and (width // factor) * (height // factor) > MAX_DECODED_PIXELS:
        factor *= 2
    return min(fitted_width, max(1, width // factor)), min(fitted_height, max(1, height // factor))


def _open_checked(data: bytes) -> Image.Image:
    """Open without decoding pixels; refuse what is not a photo, or would cost too much to decode."""
    try:
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
            if probe.width * probe.height > MAX_HEADER_PIXELS:
                raise _too_many_pixels()
            probe.verify()  # PNG: every chunk's checksum; cheap, decodes nothing
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except Invalid:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _not_a_photo() from None
    if image.format not in (*ACCEPTED_FORMATS, *JPEG_FORMATS):
        raise _not_a_photo()
    if image.format in JPEG_FORMATS:
        image.draft("RGB", _draft_size(*image.size))  # the decoder itself scales down: 1/2, 1/4 or 1/8
    if image.width * image.height > MAX_DECODED_PIXELS:
        image.close()
        raise _too_many_pixels()
    return image


def _converted(image: Image.Image, mode: str) -> Image.Image:
    """The pixels in `mode` and in sRGB: an ICC profile is applied to the pixels, then left behind."""
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken or unusual profile: the pixels as they are
    return image if image.mode == mode else image.convert(mode)


def _decoded(image: Image.Image) -> Image.Image:
    """Decode, shrink to 2048 px, turn upright and flatten onto white, as a fresh RGB image with no info."""
    with image:
        image.load()
        # In place (the EXIF orientation is still there below); reducing by a whole factor first (box filter)
        # spares the half-size intermediate a plain resize would allocate.
        image.thumbnail((MAX_SIDE, MAX_SIDE), reducing_gap=1.0)
        upright = ImageOps.exif_transpose(image)
    if upright.mode in ("RGBA", "LA", "P", "PA") or "transparency" in upright.info:
        if upright.mode not in ("RGBA", "RGB", "CMYK", "L"):
            upright = upright.convert("RGBA")
        upright = _converted(upright, "RGBA")
        clean = Image.new("RGB", upright.size, (255, 255, 255))
        clean.paste(upright, mask=upright.getchannel("A"))
    else:
        upright = _converted(upright, "RGB")
        clean = Image.new("RGB", upright.size)
        clean.paste(upright)
    return clean


def prepare_photo(data: bytes) -> PreparedPhoto:
    """Check, decode, shrink to 2048 px, turn upright and re-encode as JPEG from the pixels alone.

    The JPEG is written from a fresh image, so nothing of the original travels: no EXIF or GPS, no XMP,
    no ICC profile, no comment (COM) block, no PNG text chunk, no trailing bytes of another format.
    """
    if len(data) > MAX_BYTES:
        raise Invalid("Each photo may be at most 8 MB.", field="photos")
    image = _open_checked(data)
    try:
        clean = _decoded(image)
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise _not_a_photo() from None  # truncated or corrupt pixel data
    output = io.BytesIO()
    clean.save(output, "JPEG", quality=85, optimize=True)
    return PreparedPhoto(output.getvalue(), clean.width, clean.height, _thumbnail_bytes(clean))


# ---- decoding off the event loop, a few at a time, memory given back ------------------------------

M_MMAP_THRESHOLD = -3  # glibc's mallopt() parameter numbers
MMAP_THRESHOLD_BYTES = 1024 * 1024


def _glibc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:  # not glibc: nothing to call, the allocator decides
        return None


_libc = _glibc()
_malloc_trim = _libc.malloc_trim if _libc is not None else None
if _libc is not None:
    # Pixel buffers (megabytes each) always from mmap, so a free returns them to the system at once. Left
    # alone, glibc raises this threshold after the first large free and serves later buffers from its
    # per-thread arenas, where two decode threads fragmented memory past 300 MB that trimming could not
    # give back.
    _libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def release_memory() -> None:
    """glibc keeps freed decode buffers in its arenas for good; give them back to the system."""
    if _malloc_trim is not None:
        _malloc_trim(0)


def _prepare_then_release(data: bytes) -> PreparedPhoto:
    try:
        return prepare_photo(data)
    finally:
        release_memory()  # after prepare_photo returned: its pixel buffers are freed by now


def _decode_slots() -> asyncio.Semaphore:
    """At most DECODES_AT_ONCE decodes per process (and event loop) at once: uploads and thumbnails alike."""
    loop = asyncio.get_running_loop()
    slots = _slots.get(loop)
    if slots is None:
        slots = _slots[loop] = asyncio.Semaphore(DECODES_AT_ONCE)
    return slots


async def prepare_photo_soon(data: bytes) -> PreparedPhoto:
    """prepare_photo in a thread, at most DECODES_AT_ONCE per process at once (the rest wait their turn)."""
    async with _decode_slots():
        return await asyncio.to_thread(_prepare_then_release, data)


# ---- files --------------------------------------------------------------------------------------


def upload_dir(var_dir: Path) -> Path:
    path = var_dir / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".part")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def thumbnail_name(name: str) -> str:
    return name.removesuffix(".jpg") + THUMB_SUFFIX


def store_photo(var_dir: Path, photo: PreparedPhoto) -> str:
    """Write under a server-made name outside the static folder, its thumbnail beside it; atomic so no half
    file is ever served."""
    name = secrets.token_hex(16) + ".jpg"
    folder = upload_dir(var_dir)
    if photo.thumbnail:
        _write_atomically(folder / thumbnail_name(name), photo.thumbnail)
    _write_atomically(folder / name, photo.data)
    return name


def discard_photos(var_dir: Path, names: list[str]) -> None:
    for name in names:
        if NAME_PATTERN.match(name):
            (upload_dir(var_dir) / name).unlink(missing_ok=True)
            (upload_dir(var_dir) / thumbnail_name(name)).unlink(missing_ok=True)


def photo_file(var_dir: Path, name: str) -> Path | None:
    if not NAME_PATTERN.match(name):
        return None
    path = upload_dir(var_dir) / name
    return path if path.is_file() else None


def _make_thumbnail(source: Path, target: Path) -> None:
    """The thumbnail of a stored photo (a clean JPEG of at most 2048 px), decoded at a fraction of its size."""
    try:
        with Image.open(source, formats=("JPEG",)) as image:
            image.draft("RGB", (THUMB_WIDTH, THUMB_WIDTH))  # the decoder scales by 1/2, 1/4 or 1/8 on its own
            image.load()
            clean = image.convert("RGB") if image.mode != "RGB" else image
            _write_atomically(target, _thumbnail_bytes(clean))
    finally:
        release_memory()


async def thumbnail_file(var_dir: Path, name: str) -> Path | None:
    """The thumbnail of a stored photo, made now (under the decode slots) if the photo predates thumbnails."""
    source = photo_file(var_dir, name)
    if source is None:
        return None
    target = upload_dir(var_dir) / thumbnail_name(name)
    if target.is_file():
        return target
    async with _decode_slots():
        if not target.is_file():  # another request may have made it while this one waited
            try:
                await asyncio.to_thread(_make_thumbnail, source, target)
            except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
                return source  # an unreadable photo: the photo itself, as before thumbnails
    return target


async def store_uploads(var_dir: Path, uploads: list) -> list[tuple[str, int, int, int]]:
    """Check and re-encode every uploaded photo before anything is written, so a bad one leaves nothing behind.

    `uploads` are the form's UploadFiles; returns (file name, width, height, bytes) of each stored photo.
    """
    if len(uploads) > MAX_PHOTOS:
        raise Invalid("At most %(count)s photos per thread.", field="photos", count=MAX_PHOTOS)
    prepared = []
    for upload in uploads:
        data = await upload.read(MAX_BYTES + 1)
        prepared.append(await prepare_photo_soon(data))
    stored = []
    for photo in prepared:
        name = await asyncio.to_thread(store_photo, var_dir, photo)
        stored.append((name, photo.width, photo.height, len(photo.data)))
    return stored
