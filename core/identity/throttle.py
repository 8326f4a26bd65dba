"""Sign-in counters shared by every app process: in Redis when ``REDIS_URL`` is set, else in the
database (``login_throttle``). Never in process memory: a limit must hold across workers.

A counter is a fixed window: the first hit opens it for ``window``; the hit that reaches ``limit``
replaces the window by a block of ``block`` from that moment; when the window or block has passed,
the next hit starts again at 1. Every hit is one atomic statement (an upsert, or a Lua script), so
N concurrent hits count N on both engines.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.db.tx import raw, write_tx
from core.identity.tables import LoginThrottle

__all__ = ("Count", "hit", "peek", "clear", "purge_expired", "reset_all", "REDIS_PREFIX")

log = logging.getLogger("motcua.identity")
REDIS_PREFIX = "motcua:throttle:"

_HIT_LUA = """
local h = redis.call('INCR', KEYS[1])
if h == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if h == tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {h, redis.call('PTTL', KEYS[1])}
"""
_PEEK_LUA = "return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}"


@dataclass(frozen=True, slots=True)
class Count:
    hits: int
    until: datetime
    """End of the window, or of the block once ``hits`` reached the limit."""

    def blocked(self, limit: int, now: datetime | None = None) -> bool:
        return self.hits >= limit and self.until > (now or datetime.now(UTC))


_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _redis():
    from core.settings import get_settings

    url = get_settings().redis_url
    if not url:
        return None
    loop = asyncio.get_running_loop()  # one client per event loop (tests run several loops)
    client = _clients.get(loop)
    if client is None:
        import redis.asyncio as aioredis

        client = _clients[loop] = aioredis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return client


def _as_utc(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def _db_hit(key: str, limit: int, window: timedelta, block: timedelta, now: datetime) -> Count:
    first_until = now + (block if limit <= 1 else window)
    async with write_tx():  # on SQLite: queue with the other writers of this process
        rows = await raw(
            "INSERT INTO login_throttle (key, hits, until) VALUES ({}, 1, {}) "
            "ON CONFLICT (key) DO UPDATE SET "
            "hits = CASE WHEN login_throttle.until <= {} THEN 1 ELSE login_throttle.hits + 1 END, "
            "until = CASE WHEN login_throttle.until <= {} THEN {} "
            "WHEN login_throttle.hits + 1 = {} THEN {} ELSE login_throttle.until END "
            "RETURNING hits, until",
            key,
            first_until,
            now,
            now,
            first_until,
            limit,
            now + block,
        )
    return Count(int(rows[0]["hits"]), _as_utc(rows[0]["until"]))


async def hit(key: str, *, limit: int, window: timedelta, block: timedelta) -> Count:
    """Count one hit on ``key``; returns the count after it (``blocked(limit)`` once it reached ``limit``)."""
    now = datetime.now(UTC)
    client = _redis()
    if client is not None:
        try:
            hits, ttl = await client.eval(
                _HIT_LUA,
                1,
                REDIS_PREFIX + key,
                int(window.total_seconds() * 1000),
                int(block.total_seconds() * 1000),
                limit,
            )
            return Count(int(hits), now + timedelta(milliseconds=max(int(ttl), 0)))
        except Exception:  # Redis down: count in the database rather than not at all
            log.warning("Redis unreachable for sign-in counters; using the database", exc_info=True)
    return await _db_hit(key, limit, window, block, now)


async def peek(key: str) -> Count | None:
    """The live count of ``key``, or None when it has none (or its window/block has passed)."""
    now = datetime.now(UTC)
    client = _redis()
    if client is not None:
        try:
            value, ttl = await client.eval(_PEEK_LUA, 1, REDIS_PREFIX + key)
            if value is None or int(ttl) <= 0:
                return None
            return Count(int(value), now + timedelta(milliseconds=int(ttl)))
        except Exception:
            log.warning("Redis unreachable for sign-in counters; using the database", exc_info=True)
    row = (
        await LoginThrottle.select(LoginThrottle.hits, LoginThrottle.until)
        .where((LoginThrottle.key == key) & (LoginThrottle.until > now))
        .first()
    )
    return Count(row["hits"], row["until"]) if row else None


async def clear(key: str) -> None:
    """Forget ``key``'s count."""
    client = _redis()
    if client is not None:
        try:
            await client.delete(REDIS_PREFIX + key)
        except Exception:
            log.warning("Redis unreachable for sign-in counters", exc_info=True)
    await LoginThrottle.delete().where(LoginThrottle.key == key)


async def purge_expired() -> int:
    """Delete the database counters whose window or block has passed (Redis expires its own)."""
    deleted = (
        await LoginThrottle.delete()
        .where(LoginThrottle.until <= datetime.now(UTC))
        .returning(LoginThrottle.id)
    )
    return len(deleted)


async def reset_all() -> None:
    """Forget every counter (tests)."""
    client = _redis()
    if client is not None:
        keys = [k async for k in client.scan_iter(match=REDIS_PREFIX + "*", count=500)]
        if keys:
            await client.delete(*keys)
    await LoginThrottle.delete(force=True)
