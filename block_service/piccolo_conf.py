"""Piccolo's configuration: the engine chosen by BLOCK_DATABASE_URL (no connection is opened here)."""

from piccolo.conf.apps import AppRegistry

from block_service.db import engine

DB = engine()

APP_REGISTRY = AppRegistry(apps=["block_service.piccolo_app"])
