"""Test set-up: a fresh database (SQLite file, or the PostgreSQL database named by ``DATABASE_URL``)
migrated once per run, cleaned before each test that asks for ``db``; the app and an HTTP client.

The environment is fixed here, before anything imports ``core`` (Piccolo binds its engine at import).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="motcua-test-"))
os.environ["MOTCUA_DATA_DIR"] = str(_TMP)
os.environ.setdefault("MOTCUA_SECRET_KEY", "test-secret-key-not-for-production-0123456789")
os.environ["PICCOLO_CONF"] = "core.db.piccolo_conf"
os.environ["MOTCUA_DB_POOL"] = "0"  # each test has its own event loop; a pool cannot cross loops
# Generous request rate limits for the suite (and the browser journeys' server, which inherits this
# environment): every test signs in and looks up from 127.0.0.1, and the fuzzers send thousands of
# requests. tests/integration/test_rate_limits.py sets its own small limits.
os.environ.setdefault(
    "MOTCUA_RATE_LIMITS", "signin=1000000/60,register=1000000/60,lookup=1000000/60,verify=1000000/60"
)
DATABASE_URL = os.environ.get("DATABASE_URL", "")
IS_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://"))
REDIS_URL = os.environ.get("REDIS_URL", "")


def _recreate_postgres_database(url: str) -> None:
    import asyncpg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.startswith("motcua_test"):
        raise RuntimeError(f"Refusing to reset database '{name}': test databases must be named motcua_test*")
    admin_url = parsed._replace(path="/postgres").geturl()

    async def go():
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(go())


def _migrate_once() -> None:
    from core.cli import migrate

    asyncio.run(migrate())


@pytest.fixture(scope="session", autouse=True)
def _test_database():
    """Recreate (PostgreSQL) and migrate the test database once, when the first test runs.

    Not at import: ``pytest --collect-only`` (or a stray collection in another terminal) must not drop
    a database that a running suite is using.
    """
    if IS_POSTGRES:
        _recreate_postgres_database(DATABASE_URL)
    _migrate_once()


from core.db.piccolo_app import APP_CONFIG  # noqa: E402
from core.db.tx import engine  # noqa: E402


def _cheap_password_hashing():
    """argon2id at its lowest cost for this process's tests. With the production parameters (64 MiB,
    3 passes, 4 lanes) every hash and every sign-in costs 0.1–0.9 s of CPU, and the suite makes hundreds;
    what the tests check (who may sign in, locks, argon2id hashes) does not depend on the cost.
    The ``motcua`` subprocesses some tests start, and the browser journeys' server, keep the production
    hasher; ``test_production_password_hasher_keeps_its_cost`` checks the one returned here."""
    from argon2 import PasswordHasher

    from core.identity import service

    production = service._HASHER
    if not isinstance(production, PasswordHasher):  # moved or renamed: fail loudly, not slowly
        raise RuntimeError("core.identity.service._HASHER is not an argon2 PasswordHasher any more")
    service._HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    service._DUMMY_HASH = service._HASHER.hash("motcua-timing-equaliser")
    return production


PRODUCTION_HASHER = _cheap_password_hashing()

_KEEP = {"migration"}


def _all_tables() -> list[str]:
    from core.db.piccolo_conf import APP_REGISTRY

    names = []
    for app in APP_REGISTRY.app_configs.values():
        names += [t._meta.tablename for t in app.table_classes]
    return [n for n in names if n not in _KEEP]


async def clean_database() -> None:
    from core.audit.anchors import anchor_path
    from core.catalogue import versions

    anchor_path().unlink(missing_ok=True)  # the audit anchors describe the database they were taken of
    versions.clear_cache()  # cached by version id, and ids restart with the wiped tables
    db = engine()
    tables = _all_tables()
    if db.engine_type == "postgres":
        quoted = ", ".join(f'"{t}"' for t in tables)
        await db._run_in_new_connection(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
    else:
        import sqlite3

        from core.settings import get_settings

        def wipe(timeout: float) -> None:
            conn = sqlite3.connect(get_settings().sqlite_path, timeout=timeout)
            try:
                conn.execute("PRAGMA foreign_keys = OFF")
                for t in tables:
                    conn.execute(f'DELETE FROM "{t}"')
                if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
                    conn.execute("DELETE FROM sqlite_sequence")
                conn.commit()
            finally:
                conn.close()

        try:
            wipe(timeout=10)
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            await _release_abandoned_sqlite_connections()
            wipe(timeout=30)


async def _release_abandoned_sqlite_connections() -> None:
    """Roll back and close the aiosqlite connections a previous test left open.

    Every test has its own event loop. A task still inside a write transaction when its test's loop
    closed (a background PDF job, cancelled twice at shutdown) never reaches its rollback, and its
    connection's worker thread keeps the database locked for every later test. That cannot happen
    to a server, whose loop lives as long as the process; here, the next test takes the abandoned
    connections (no legitimate one is open between two tests) and closes them through their threads.
    """
    import gc

    import aiosqlite

    for conn in [o for o in gc.get_objects() if isinstance(o, aiosqlite.Connection)]:
        if getattr(conn, "_connection", None) is None:
            continue
        with contextlib.suppress(Exception):
            await asyncio.wait_for(conn.rollback(), timeout=5)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(conn.close(), timeout=5)


@pytest.fixture
async def db():
    """A clean, migrated database for this test (and no sign-in counters left in Redis)."""
    await clean_database()
    if REDIS_URL:
        from core.identity import throttle

        await throttle.reset_all()
    yield engine()


@pytest.fixture
async def app(db):
    from core.app import create_app

    return create_app()


@pytest.fixture
async def client(app):
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as c:
        yield c


@pytest.fixture
def temp_plugin():
    """``temp_plugin(obj, name)`` registers a plugin for this test only (the catalogue is rebuilt)."""
    from core.catalogue import registry
    from core.plugins import get_plugin_manager

    pm = get_plugin_manager()
    names: list[str] = []

    def register(obj, name: str):
        pm.register(obj, name=name)
        names.append(name)
        registry.reset()
        return obj

    yield register
    for name in names:
        pm.unregister(name=name)
    registry.reset()


class QueryCounter:
    """Counts the SQL statements the app sends while the context is open (both engines)."""

    def __init__(self):
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(monkeypatch):
    """``with count_queries() as q: ...; len(q)`` — SQL statements sent inside the block."""
    import contextlib

    cls = type(engine())  # engines use __slots__: patch the class
    original = cls.run_querystring

    @contextlib.contextmanager
    def counting():
        counter = QueryCounter()

        async def run(self, querystring, *args, **kwargs):
            counter.statements.append(str(querystring)[:200])
            return await original(self, querystring, *args, **kwargs)

        monkeypatch.setattr(cls, "run_querystring", run)
        try:
            yield counter
        finally:
            monkeypatch.setattr(cls, "run_querystring", original)

    return counting


def csrf_from(client) -> str:
    """The CSRF token the client holds (set by any GET page)."""
    return client.cookies.get("csrftoken", "")


def pytest_collection_modifyitems(session, config, items):
    """Browser journeys run last: Playwright's sync API keeps an event loop running in this thread for
    as long as its session-scoped browser lives, and every async test after it would fail to start."""
    e2e = Path(__file__).parent / "e2e"
    items.sort(key=lambda item: Path(str(item.fspath)).is_relative_to(e2e))


def pytest_sessionfinish(session, exitstatus):
    # mutmut (docs/testing.md) runs many sessions in one process and its forks: the data directory
    # must outlive each of them; it is then removed when the process that made it exits.
    if "MUTANT_UNDER_TEST" in os.environ:
        atexit.register(_remove_tmp, os.getpid())
        return
    shutil.rmtree(_TMP, ignore_errors=True)


def _remove_tmp(owner: int) -> None:
    if os.getpid() == owner:
        shutil.rmtree(_TMP, ignore_errors=True)


_ = APP_CONFIG


# Fixtures shared by several test modules, registered here rather than imported where they are used
pytest_plugins = ["tests.fixtures.arq", "tests.fixtures.catalogue_plugin", "tests.fixtures.land_world"]
