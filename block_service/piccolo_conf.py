"""Piccolo's configuration: the engine chosen by BLOCK_DATABASE_URL (no connection is opened here)."""

import os

from piccolo.conf.apps import AppRegistry

from block_service.db import make_engine
from block_service.settings import database_url_from, sqlite_file

_url = database_url_from(dict(os.environ))
DB = make_engine(
    _url,
    sqlite_path=None if _url.startswith("postgres") else str(sqlite_file(_url)),
    pool_size=int(os.environ.get("BLOCK_DB_POOL_SIZE") or 10),
)

APP_REGISTRY = AppRegistry(apps=["block_service.piccolo_app"])
