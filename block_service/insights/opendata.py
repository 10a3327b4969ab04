"""Open data: the registry of CSV files, their streaming in batches and the Frictionless datapackage.json.

A file is registered with `open_file(name, title, fields)` on an async generator that yields lists of rows
(each a tuple in the order of `fields`); read a table with `keyset_batches`, never all at once. No file may
carry a person's name, label, contact or id: tests/test_open_data.py checks every header and body.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from block_service.errors import NotFound

BATCH = 1000
BOM = "\ufeff"


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Frictionless: integer | number | string | boolean | datetime | date
    description: str


Rows = Callable[[], AsyncIterator[list[tuple]]]


@dataclass(frozen=True)
class OpenFile:
    name: str  # "threads.csv"
    title: str  # English message id
    fields: tuple[Field, ...]
    rows: Rows
    coming: bool = False  # listed, not yet published


_files: dict[str, OpenFile] = {}


def open_file(name: str, title: str, fields: list[Field]) -> Callable[[Rows], Rows]:
    def register(rows: Rows) -> Rows:
        _files.pop(name, None)  # a file that was listed as coming goes where the real one is registered
        _files[name] = OpenFile(name=name, title=title, fields=tuple(fields), rows=rows)
        return rows

    return register


async def _no_rows() -> AsyncIterator[list[tuple]]:
    return
    yield  # an async generator that yields nothing


def coming_file(name: str, title: str) -> None:
    """List a file on /data as coming (its domain is not built yet); `open_file` of the same name replaces it."""
    _files.setdefault(name, OpenFile(name=name, title=title, fields=(), rows=_no_rows, coming=True))


def open_files() -> list[OpenFile]:
    return list(_files.values())


def get_open_file(name: str) -> OpenFile:
    found = _files.get(name)
    if found is None or found.coming:
        raise NotFound("There is no such file in the open data.")
    return found


async def keyset_batches(build: Callable[[int], Any], to_row: Callable[[dict], tuple]) -> AsyncIterator[list[tuple]]:
    """Rows in batches of BATCH: `build(after_id)` is a select ordered by `id` with `id > after_id` and LIMIT BATCH;
    only one batch is ever held in memory."""
    after = 0
    while True:
        rows = await build(after)
        if not rows:
            return
        yield [to_row(row) for row in rows]
        if len(rows) < BATCH:
            return
        after = rows[-1]["id"]


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _encoded(rows: list[tuple] | list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([[cell(value) for value in row] for row in rows])
    return buffer.getvalue().encode("utf-8")


async def stream_csv(file: OpenFile) -> AsyncIterator[bytes]:
    """UTF-8 with a byte-order mark (so Excel in Chinese reads it), the header, then the rows batch by batch."""
    yield BOM.encode("utf-8") + _encoded([[field.name for field in file.fields]])
    async for batch in file.rows():
        yield _encoded(batch)


# A file up to this size is kept whole, encoded, until the next write (each worker, each file): downloads of the
# same file cost nothing more. A larger one is streamed batch by batch each time, never held.
KEEP_WHOLE_BYTES = 2 * 1024 * 1024


async def whole_file(file: OpenFile) -> bytes | None:
    """The file encoded, when it is no larger than KEEP_WHOLE_BYTES; else None (stream it)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in stream_csv(file):
        size += len(chunk)
        if size > KEEP_WHOLE_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def datapackage(base_url: str) -> dict[str, Any]:
    """The Frictionless Data Package descriptor of every published file."""
    return {
        "profile": "tabular-data-package",
        "name": "lingyan-block-open-data",
        "title": "Lingyan South Road block workstation: open data",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": [
            {
                "profile": "tabular-data-resource",
                "name": file.name.removesuffix(".csv").replace("_", "-"),
                "path": f"{base_url}{file.name}",
                "title": file.title,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "dialect": {"delimiter": ",", "header": True},
                "schema": {
                    "fields": [
                        {"name": field.name, "type": field.type, "description": field.description}
                        for field in file.fields
                    ],
                    "primaryKey": [file.fields[0].name] if file.fields[0].name == "id" else [],
                },
            }
            for file in open_files()
            if not file.coming
        ],
    }
