"""Photos: accepted by content (JPEG, PNG, WebP), at most 8 MB, re-encoded without any metadata."""

from __future__ import annotations

import io
import os
import re
import secrets
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from block_service.errors import Invalid

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_BYTES = 8 * 1024 * 1024
MAX_SIDE = 2048
MAX_PIXELS = 50_000_000  # a decompression bomb is refused before it is decoded
NAME_PATTERN = re.compile(r"^[0-9a-f]{32}\.jpg$")


class PreparedPhoto:
    __slots__ = ("data", "width", "height")

    def __init__(self, data: bytes, width: int, height: int) -> None:
        self.data, self.width, self.height = data, width, height


def prepare_photo(data: bytes) -> PreparedPhoto:
    """Decode, turn upright, shrink to 2048 px and re-encode as JPEG; EXIF and GPS are not carried over."""
    if len(data) > MAX_BYTES:
        raise Invalid("Each photo may be at most 8 MB.", field="photos")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise Invalid("Only JPEG, PNG or WebP photos are accepted.", field="photos")
                if probe.width * probe.height > MAX_PIXELS:
                    raise Invalid("This photo has too many pixels.", field="photos")
                probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except Invalid:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise Invalid("Only JPEG, PNG or WebP photos are accepted.", field="photos") from None
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    output = io.BytesIO()
    # No exif= and no icc_profile=: nothing of the original's metadata is written.
    image.save(output, "JPEG", quality=85, optimize=True)
    return PreparedPhoto(output.getvalue(), image.width, image.height)


def upload_dir(var_dir: Path) -> Path:
    path = var_dir / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_photo(var_dir: Path, photo: PreparedPhoto) -> str:
    """Write under a server-made name outside the static folder; atomic so no half file is ever served."""
    name = secrets.token_hex(16) + ".jpg"
    folder = upload_dir(var_dir)
    temporary = folder / (name + ".part")
    temporary.write_bytes(photo.data)
    os.replace(temporary, folder / name)
    return name


def discard_photos(var_dir: Path, names: list[str]) -> None:
    for name in names:
        if NAME_PATTERN.match(name):
            (upload_dir(var_dir) / name).unlink(missing_ok=True)


def photo_file(var_dir: Path, name: str) -> Path | None:
    if not NAME_PATTERN.match(name):
        return None
    path = upload_dir(var_dir) / name
    return path if path.is_file() else None
