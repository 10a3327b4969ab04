"""The upload corpus: every hostile or awkward file is refused with a clear message or stored clean;
bodies over a route's cap are refused; a real server's memory stays bounded and comes back."""

import asyncio
import io
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from bench import upload_files
from block_service.threads.photos import MAX_DECODED_PIXELS
from block_service.threads.tables import Photo, Thread
from tests.helpers import make_person, text_of

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPUS = upload_files.corpus()


async def _signed_in(browser_factory, language="en"):
    from block_service.accounts.tables import Person

    person = await make_person("王阿姨", "13900000301", roles=("resident",))
    await Person.update({Person.language: language}).where(Person.id == person)  # logging in sets it
    browser = browser_factory(language)
    await browser.log_in("13900000301")
    return browser


async def _report(browser, files):
    from block_service.threads.categories import list_categories

    category = next(c.id for c in await list_categories() if c.slug == "pavement")
    data = {
        "kind": "report",
        "title": "生煎店门口纸箱占道",
        "body": "人行道被堵住了。",
        "category_id": str(category),
        "house_number": "1143号",
    }
    return await browser.client.post(
        "/threads/new", data=data, files=files, headers={"x-csrftoken": await browser.csrf_token()}
    )


def _uploaded_files(settings) -> list[Path]:
    folder = settings.var_dir / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("sample", CORPUS, ids=[sample.name for sample in CORPUS])
async def test_each_file_is_refused_clearly_or_stored_clean(browser_factory, settings, sample):
    browser = await _signed_in(browser_factory)
    response = await _report(browser, [("photos", (sample.filename, sample.data, sample.content_type))])
    if sample.refusal is not None:
        assert response.status_code == 422, response.text[:300]
        expected = sample.refusal % {"megapixels": MAX_DECODED_PIXELS // 1_000_000}
        assert expected in text_of(response.text), text_of(response.text)[-300:]
        assert await Thread.count() == 0
        assert _uploaded_files(settings) == []
        return
    assert response.status_code == 303, text_of(response.text)[:300]
    row = await Photo.select(Photo.file_name).first()
    stored = (settings.var_dir / "uploads" / row["file_name"]).read_bytes()
    assert set(upload_files.jpeg_markers(stored)) <= upload_files.JPEG_ALLOWED_MARKERS
    assert stored.endswith(b"\xff\xd9")  # nothing after the image: no appended archive or page
    for trace in (
        upload_files.PHONE,
        b"PK\x03\x04",
        b"<script",
        b"<!DOCTYPE",
        b"Exif",
        b"xmpmeta",
        b"ICC_PROFILE",
        b"Photoshop",
        b"PhoneMaker",
    ):
        assert trace not in stored, trace
    with Image.open(io.BytesIO(stored)) as image:
        image.load()
        assert image.format == "JPEG" and image.info.get("comment") is None and not image.getexif()
        assert max(image.size) <= 2048


async def test_the_refusal_is_in_the_persons_language(browser_factory):
    browser = await _signed_in(browser_factory, language="zh-Hans")
    response = await _report(browser, [("photos", ("bomb.png", upload_files.png_bomb(7000, 7000), "image/png"))])
    assert response.status_code == 422
    assert "这张照片的像素太多" in text_of(response.text)


async def test_a_photo_request_over_three_photos_worth_is_refused_before_it_is_read(browser_factory):
    browser = await _signed_in(browser_factory)
    chunk = b"\xff" * (8 * 1024 * 1024)
    files = [("photos", (f"{n}.jpg", chunk, "image/jpeg")) for n in range(4)]
    response = await _report(browser, files)
    assert response.status_code == 413
    assert "Photos may be at most 8 MB each, and at most 3 of them." in text_of(response.text)
    assert await Thread.count() == 0


async def test_any_other_form_over_one_megabyte_is_refused(browser_factory):
    browser = await _signed_in(browser_factory)
    response = await browser.post("/login", {"contact": "13900000301", "password": "x" * (1024 * 1024 + 1)})
    assert response.status_code == 413
    assert "What you sent is too large (at most 1 MB)." in text_of(response.text)
    api = await browser.client.post(
        "/api/shop-applications",
        content=b"{" + b" " * (1024 * 1024) + b"}",
        headers={"x-csrftoken": await browser.csrf_token(), "content-type": "application/json"},
    )
    assert api.status_code == 413
    assert api.json()["detail"] == "What you sent is too large (at most 1 MB)."


async def test_no_more_than_two_photos_are_decoded_at_once(monkeypatch):
    from block_service.threads import photos

    running, most = 0, 0
    lock = threading.Lock()

    def decode(data: bytes):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)  # the decode's own time, not a wait for anything
        with lock:
            running -= 1
        return data

    monkeypatch.setattr(photos, "prepare_photo", decode)
    results = await asyncio.gather(*[photos.prepare_photo_soon(bytes([n])) for n in range(6)])
    assert results == [bytes([n]) for n in range(6)]
    assert most == photos.DECODES_AT_ONCE == 2


def test_a_real_servers_memory_stays_bounded_and_comes_back(tmp_path):
    """The short form of bench/upload_memory.py: the corpus and a burst of large photos against a real
    server process; its resident memory is read from /proc."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BLOCK_")}
    result = subprocess.run(
        [
            sys.executable,
            str(PROJECT_ROOT / "bench" / "upload_memory.py"),
            "--short",
            "--json",
            "--work-dir",
            str(tmp_path),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT_ROOT,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["failures"] == []
    assert report["peak_mib"] < 300, report
    assert report["after_mib"] < report["before_mib"] + 40, report
