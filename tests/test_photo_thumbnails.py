"""Photo thumbnails: made at upload beside the photo, shown on lists and thread pages (full size on tap), made on
first request for photos stored before thumbnails existed, guarded like the photo, deleted with it."""

from __future__ import annotations

import io

from PIL import Image

from block_service import clock
from block_service.threads import moderation
from block_service.threads import photos as photo_store
from block_service.threads.tables import Photo, Thread
from tests.helpers import make_person, make_thread, viewer_for


def _jpeg(width: int, height: int) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (width, height), (200, 90, 40)).save(output, "JPEG")
    return output.getvalue()


def _size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


async def _thread_with_photo(app, width: int = 1600, height: int = 1200, *, with_thumbnail: bool = True):
    reporter = await make_person("居民", "13900000601")
    thread_id = await make_thread(reporter, title="门口纸箱占道")
    var_dir = app.state.settings.var_dir
    prepared = photo_store.prepare_photo(_jpeg(width, height))
    if not with_thumbnail:  # as stored before thumbnails existed
        prepared.thumbnail = b""
    name = photo_store.store_photo(var_dir, prepared)
    await Photo.insert(
        Photo(
            thread=thread_id,
            file_name=name,
            width=prepared.width,
            height=prepared.height,
            size_bytes=len(prepared.data),
            created_at=clock.now(),
        )
    )
    await Thread.update({Thread.photo_count: 1}).where(Thread.id == thread_id)
    return reporter, thread_id, name, var_dir


def test_a_prepared_photo_carries_a_320_px_thumbnail_in_proportion():
    prepared = photo_store.prepare_photo(_jpeg(1600, 1200))
    assert _size(prepared.thumbnail) == (320, 240) == photo_store.thumbnail_size(1600, 1200)
    small = photo_store.prepare_photo(_jpeg(200, 100))
    assert _size(small.thumbnail) == (200, 100)  # never wider than the photo itself


async def test_the_thread_page_and_list_show_the_thumbnail_and_link_the_full_photo(app, browser):
    _reporter, thread_id, name, var_dir = await _thread_with_photo(app)
    assert (photo_store.upload_dir(var_dir) / photo_store.thumbnail_name(name)).is_file()  # made at upload
    page = (await browser.get(f"/threads/{thread_id}")).text
    assert f'<a href="/photos/{name}"><img src="/photos/{name}/thumbnail" width="320" height="240"' in page
    assert 'loading="lazy"' in page
    listed = (await browser.get("/threads")).text
    assert f'src="/photos/{name}/thumbnail" width="320" height="240"' in listed
    response = await browser.get(f"/photos/{name}/thumbnail")
    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
    assert _size(response.content) == (320, 240)
    assert _size((await browser.get(f"/photos/{name}")).content) == (1600, 1200)


async def test_a_photo_stored_before_thumbnails_gets_one_on_first_request(app, browser):
    _reporter, _thread_id, name, var_dir = await _thread_with_photo(app, 2048, 1024, with_thumbnail=False)
    thumbnail = photo_store.upload_dir(var_dir) / photo_store.thumbnail_name(name)
    assert not thumbnail.exists()
    response = await browser.get(f"/photos/{name}/thumbnail")
    assert response.status_code == 200 and _size(response.content) == (320, 160)
    assert thumbnail.is_file()  # kept for every later request


async def test_a_thumbnail_is_guarded_like_its_photo_and_deleted_with_it(app, browser_factory):
    _reporter, thread_id, name, var_dir = await _thread_with_photo(app)
    staff = await make_person("工作站", "staff601@test.example", roles=("staff",))
    await moderation.moderate(viewer_for(staff, "staff"), "thread", thread_id, True, "待核实")
    visitor = browser_factory()
    assert (await visitor.get(f"/photos/{name}/thumbnail")).status_code == 404
    assert (await visitor.get(f"/photos/{'0' * 32}.jpg/thumbnail")).status_code == 404
    photo_store.discard_photos(var_dir, [name])
    assert not (photo_store.upload_dir(var_dir) / photo_store.thumbnail_name(name)).exists()
