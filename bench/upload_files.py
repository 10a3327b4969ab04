"""The upload corpus: hostile and awkward files a photo field meets, and large photos it must take.

Shared by tests/test_upload_corpus.py (what each file gets: a clear refusal, or a clean re-encoding) and
bench/upload_memory.py (the server's memory while it takes them). Every file is built here, in memory,
without decoding anything big: the pixel bombs are written chunk by chunk.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from PIL import Image, ImageCms, PngImagePlugin

PHONE = b"13812345678"  # what a hostile or careless file carries and must never come back
NOT_A_PHOTO = "Only JPEG, PNG or WebP photos are accepted."
TOO_MANY_PIXELS = "This photo has too many pixels (at most %(megapixels)s million for PNG and WebP)."


@dataclass(frozen=True)
class Sample:
    name: str
    filename: str
    content_type: str
    data: bytes
    refusal: str | None  # the msgid of the refusal, or None: accepted and re-encoded clean


def _photo(width: int = 640, height: int = 480, mode: str = "RGB") -> Image.Image:
    """A picture with some detail (a flat colour would compress to nothing and prove little)."""
    image = Image.linear_gradient("L").resize((width, height)).convert(mode)
    if mode == "RGB":
        image = Image.merge(
            "RGB",
            (image.getchannel(0), image.getchannel(0).rotate(90, expand=False), Image.new("L", (width, height), 90)),
        )
    return image


def jpeg(width: int = 640, height: int = 480, quality: int = 90, **save) -> bytes:
    output = io.BytesIO()
    _photo(width, height).save(output, "JPEG", quality=quality, **save)
    return output.getvalue()


def png(width: int = 640, height: int = 480, **save) -> bytes:
    output = io.BytesIO()
    _photo(width, height).save(output, "PNG", **save)
    return output.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_bomb(width: int, height: int) -> bytes:
    """A PNG of width × height black RGB pixels that is tiny on disk: the IDAT is written row by row."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + 3 * width)
    parts = [compressor.compress(row) for _ in range(height)]
    parts.append(compressor.flush())
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b"")


def png_header_bomb(width: int, height: int) -> bytes:
    """Only the header claims the size (beyond Pillow's own decompression-bomb limit); the data is a stub."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + _chunk(b"IEND", b"")
    )


def _segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def _insert_after_soi(data: bytes, *segments: bytes) -> bytes:
    assert data[:2] == b"\xff\xd8"
    return data[:2] + b"".join(segments) + data[2:]


def jpeg_with_comment() -> bytes:
    return _insert_after_soi(jpeg(), _segment(0xFE, "联系我 ".encode() + PHONE))


def jpeg_with_everything() -> bytes:
    """EXIF with GPS and the camera, XMP, an ICC profile, IPTC (APP13) and a comment, as phones and editors write."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone X " + PHONE.decode()
    exif[0x0112] = 6
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (31.0, 12.0, 30.0), "E", (121.0, 32.0, 10.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = jpeg(800, 600, exif=exif, icc_profile=icc)
    xmp = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><tel>" + PHONE + b"</tel></x:xmpmeta>"
    iptc = b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x10\x1c\x02\x74\x00\x0b" + PHONE
    return _insert_after_soi(data, _segment(0xE1, xmp), _segment(0xED, iptc), _segment(0xFE, PHONE))


def jpeg_with_huge_metadata(megabytes: int = 6) -> bytes:
    """EXIF at its 64 KB maximum, then as many more APP segments as fit in `megabytes`."""
    exif = Image.Exif()
    exif[0x010E] = "x" * 60_000 + PHONE.decode()  # ImageDescription
    data = jpeg(exif=exif)
    filler = [_segment(0xEC, PHONE + b"\x00" * 65_000) for _ in range(megabytes * 16)]
    return _insert_after_soi(data, *filler)


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "call " + PHONE.decode())
    info.add_text("Author", "王阿姨 " + PHONE.decode(), zip=True)
    info.add_itxt("Description", "电话 " + PHONE.decode(), lang="zh", tkey="说明")
    return png(exif=_gps_exif(), pnginfo=info)


def png_with_text_bomb() -> bytes:
    """A small PNG whose zTXt chunk inflates to 64 MB (Pillow stops at its text limit)."""
    data = png(64, 48)
    bomb = _chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"\x00" * (64 * 1024 * 1024), 9))
    return data[:33] + bomb + data[33:]  # after the signature and IHDR (8 + 25 bytes)


def _gps_exif() -> Image.Exif:
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (31.0, 12.0, 30.0)
    exif[0x0110] = "Phone X " + PHONE.decode()
    return exif


def webp_with_metadata() -> bytes:
    output = io.BytesIO()
    _photo().save(output, "WEBP", exif=_gps_exif(), xmp=b"<x:xmpmeta>" + PHONE + b"</x:xmpmeta>")
    return output.getvalue()


def _zip(name: str, body: bytes) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr(name, body)
    return output.getvalue()


def gif() -> bytes:
    output = io.BytesIO()
    _photo(64, 48).convert("P").save(output, "GIF")
    return output.getvalue()


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    b'<script>alert(document.cookie)</script><rect width="100" height="100"/></svg>'
)
HTML = b"<!DOCTYPE html><html><body><script>fetch('/me').then(r => r.text())</script></body></html>"


def corpus() -> list[Sample]:
    """Every hostile or awkward file, with what it must get."""
    photo = jpeg()
    return [
        Sample("jpeg+zip polyglot", "holiday.jpg", "image/jpeg", photo + _zip("x.html", HTML), None),
        Sample(
            "gifar (gif+jar)", "avatar.jpg", "image/jpeg", gif() + _zip("Evil.class", b"\xca\xfe\xba\xbe"), NOT_A_PHOTO
        ),
        Sample("jpeg with html appended", "shop.jpg", "image/jpeg", photo + HTML, None),
        Sample("png with html appended", "shop.png", "image/png", png() + HTML, None),
        Sample("truncated jpeg", "cut.jpg", "image/jpeg", photo[: len(photo) // 2], NOT_A_PHOTO),
        Sample("truncated png", "cut.png", "image/png", (png_data := png())[: len(png_data) // 2], NOT_A_PHOTO),
        Sample("png 7000x7000 pixel bomb", "bomb.png", "image/png", png_bomb(7000, 7000), TOO_MANY_PIXELS),
        Sample(
            "png beyond pillow's bomb limit", "bomb2.png", "image/png", png_header_bomb(30_000, 30_000), TOO_MANY_PIXELS
        ),
        Sample("svg with script", "drawing.svg", "image/svg+xml", SVG, NOT_A_PHOTO),
        Sample("svg named jpg", "drawing.jpg", "image/jpeg", SVG, NOT_A_PHOTO),
        Sample("html named jpg", "photo.jpg", "image/jpeg", HTML, NOT_A_PHOTO),
        Sample("gif", "anim.gif", "image/gif", gif(), NOT_A_PHOTO),
        Sample("jpeg with a phone number in a COM block", "note.jpg", "image/jpeg", jpeg_with_comment(), None),
        Sample("jpeg with exif, gps, xmp, icc, iptc", "phone.jpg", "image/jpeg", jpeg_with_everything(), None),
        Sample(
            "jpeg with huge exif and 6 MB of app segments", "huge.jpg", "image/jpeg", jpeg_with_huge_metadata(), None
        ),
        Sample("png with text chunks and exif", "scan.png", "image/png", png_with_text(), None),
        Sample("png with a zTXt decompression bomb", "text.png", "image/png", png_with_text_bomb(), NOT_A_PHOTO),
        Sample("webp with exif and xmp", "photo.webp", "image/webp", webp_with_metadata(), None),
    ]


def large_photos(count: int = 3) -> list[bytes]:
    """Large but allowed: a 64-megapixel square JPEG (drafted on decode) and a 12-megapixel PNG at the budget."""
    big_jpeg = jpeg(8000, 8000, quality=60)
    big_png = png(4096, 3072, compress_level=1)
    return [big_jpeg if n % 2 == 0 else big_png for n in range(count)]


JPEG_ALLOWED_MARKERS = {0xD8, 0xE0, 0xDB, 0xC0, 0xC1, 0xC2, 0xC4, 0xDD, 0xDA}


def jpeg_markers(data: bytes) -> list[int]:
    """The marker of every segment before the image data, and checks the file ends at its EOI."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    markers, position = [0xD8], 2
    while position < len(data):
        assert data[position] == 0xFF, f"no marker at {position}"
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:
            break
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        position += 2 + length
    return markers
