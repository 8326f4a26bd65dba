"""The environment of one benchmark process: a private data folder and database, migrated and empty.

Must be imported (and ``prepare()`` called) before anything imports ``core``: Piccolo binds its engine
when ``core.db.piccolo_conf`` is first imported, so each engine is measured in its own process.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from urllib.parse import urlparse

__all__ = ("prepare", "start", "stop", "SAFE_PREFIXES")

SAFE_PREFIXES = ("motcua_bench", "motcua_test")
"""The benchmark drops and re-creates its PostgreSQL database: only names starting with these."""


def _recreate_postgres(url: str) -> None:
    import asyncpg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.startswith(SAFE_PREFIXES):
        raise SystemExit(f"Refusing to reset database '{name}': name it motcua_bench* or motcua_test*.")
    admin = parsed._replace(path="/postgres").geturl()

    async def go() -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(go())


def prepare(database_url: str | None) -> Path:
    """Point this process at a fresh database (``None``: a SQLite file in a temporary folder), migrate it.

    Returns:
        The temporary data folder (SQLite file, generated PDFs); the caller removes it.
    """
    data_dir = Path(tempfile.mkdtemp(prefix="motcua-bench-"))
    os.environ["MOTCUA_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("MOTCUA_SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
    os.environ["PICCOLO_CONF"] = "core.db.piccolo_conf"
    os.environ["MOTCUA_CRON"] = "0"
    os.environ.pop("REDIS_URL", None)  # background work stays in this process (and is held still)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
        _recreate_postgres(database_url)
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["MOTCUA_DB_POOL"] = "1"
    import contextlib
    import sys

    from core.cli import migrate

    with contextlib.redirect_stdout(sys.stderr):  # stdout carries only the results
        asyncio.run(migrate())
    return data_dir


async def start(pool_size: int = 20) -> None:
    """Open the PostgreSQL pool (nothing to do on SQLite)."""
    from core.db.tx import engine

    db = engine()
    if db.engine_type == "postgres":
        await db.start_connection_pool(min_size=2, max_size=pool_size)


async def stop() -> None:
    from core.db.tx import engine

    db = engine()
    if db.engine_type == "postgres":
        await db.close_connection_pool()
