"""Piccolo configuration: the engine from ``DATABASE_URL`` and the apps of core and enabled plugins."""

from __future__ import annotations

import sqlite3

from piccolo.conf.apps import AppRegistry

from core.settings import get_settings, private_file

__all__ = ("DB", "APP_REGISTRY")


class _TunedConnection(sqlite3.Connection):
    """Every SQLite connection: WAL, NORMAL sync, foreign keys, busy timeout (PRAGMAs are per connection)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.execute("PRAGMA journal_mode=WAL")
        self.execute("PRAGMA synchronous=NORMAL")
        self.execute("PRAGMA busy_timeout=30000")


def _engine():
    settings = get_settings()
    if settings.is_postgres:
        from piccolo.engine.postgres import PostgresEngine

        return PostgresEngine(config={"dsn": settings.database_url}, extensions=())
    from piccolo.engine.sqlite import SQLiteEngine

    if str(settings.sqlite_path) != ":memory:":
        private_file(settings.sqlite_path)  # 0600 in a 0700 folder when created here
    return SQLiteEngine(path=str(settings.sqlite_path), timeout=30, factory=_TunedConnection)


def _apps() -> list[str]:
    from core.plugins import plugin_piccolo_apps

    return ["core.db.piccolo_app", *plugin_piccolo_apps()]


DB = _engine()
APP_REGISTRY = AppRegistry(apps=_apps())
