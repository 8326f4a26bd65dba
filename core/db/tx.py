"""Transactions: ``write_tx()`` for anything that writes, the same code on SQLite and PostgreSQL.

On SQLite a write transaction is ``BEGIN IMMEDIATE`` (a deferred one fails with "database is locked"
when it upgrades its lock) and writers in one process queue on an ``asyncio.Lock`` instead of
spinning in SQLite's busy handler. On PostgreSQL it is a plain transaction; rows that must not be
written twice at once are locked with ``SELECT … FOR UPDATE`` by the service that needs it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from piccolo.engine.sqlite import TransactionType

__all__ = ("write_tx", "engine", "is_postgres", "raw", "is_unique_violation")

_locks: dict[int, asyncio.Lock] = {}


def engine():
    """The Piccolo engine of this process."""
    from core.db.piccolo_conf import DB

    return DB


def is_postgres() -> bool:
    return engine().engine_type == "postgres"


def is_unique_violation(exc: BaseException) -> bool:
    """Whether ``exc`` is a unique-constraint violation, on either engine: two writers that checked
    "not there yet" at the same moment, the second of which lost at the constraint."""
    import sqlite3

    if isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc):
        return True
    try:
        from asyncpg.exceptions import UniqueViolationError
    except ImportError:  # pragma: no cover - asyncpg is always installed with piccolo[postgres]
        return False
    return isinstance(exc, UniqueViolationError)


def _writer_lock() -> asyncio.Lock:
    # One lock per event loop: tests run several loops in one process.
    loop = asyncio.get_running_loop()
    lock = _locks.get(id(loop))
    if lock is None:
        lock = _locks[id(loop)] = asyncio.Lock()
    return lock


@contextlib.asynccontextmanager
async def write_tx() -> AsyncIterator[object]:
    """Open (or join) a write transaction; commits on exit, rolls back on any exception."""
    db = engine()
    if db.transaction_exists():
        yield db.current_transaction.get()
        return
    if db.engine_type == "sqlite":
        async with _writer_lock(), db.transaction(transaction_type=TransactionType.immediate) as tx:
            yield tx
    else:
        async with db.transaction() as tx:
            yield tx


async def raw(sql: str, *args) -> list[dict]:
    """Run SQL written with ``{}`` markers (Piccolo's QueryString style) on the current engine."""
    from piccolo.querystring import QueryString

    return await engine().run_querystring(QueryString(sql, *args))
