"""Counters shared by every app process: in Redis when ``REDIS_URL`` is set, else in the database
(``login_throttle``). Never in process memory: a limit must hold across workers.

Two uses: sign-in failures (``core.identity.service``: per account and per client address), and the
request rate limits of the public doors (``limit``: sign-in, registration, the status look-up and the
verification page, per client address, configured by ``MOTCUA_RATE_LIMITS``).

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

from core.contract.errors import TooManyRequests
from core.contract.vntime import VN_TZ
from core.db.tx import raw, write_tx
from core.identity.tables import LoginThrottle
from core.text.i18n import gettext

__all__ = (
    "Count",
    "hit",
    "peek",
    "clear",
    "purge_expired",
    "reset_all",
    "REDIS_PREFIX",
    "RateLimit",
    "DEFAULT_RATE_LIMITS",
    "rate_limits",
    "limit",
)

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


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most ``requests`` requests of one kind per client address in ``seconds``; the one after them
    is refused until the period that it closed has passed."""

    requests: int
    seconds: int


DEFAULT_RATE_LIMITS: dict[str, RateLimit] = {
    "signin": RateLimit(30, 60),
    "register": RateLimit(10, 3600),
    "lookup": RateLimit(60, 60),
    "verify": RateLimit(60, 60),
    "complaint": RateLimit(10, 3600),
}
"""Per client address: sign-in posts (the failure counters of ``core.identity.service`` come on top),
registrations, status look-ups (page and API), verification pages and complaints or suggestions sent
(``/phan-anh/gui``). ``MOTCUA_RATE_LIMITS`` overrides any of them."""


def parse_rate_limits(raw_text: str) -> dict[str, RateLimit]:
    """``DEFAULT_RATE_LIMITS`` with the overrides of ``raw_text`` (``signin=30/60,lookup=100/60``).

    Raises:
        ValueError: An unknown kind, or a part not of the form ``kind=count/seconds`` with both positive.
    """
    out = dict(DEFAULT_RATE_LIMITS)
    for part in raw_text.split(","):
        if not part.strip():
            continue
        kind, _, rule = part.partition("=")
        count, _, seconds = rule.partition("/")
        kind = kind.strip()
        if (
            kind not in DEFAULT_RATE_LIMITS
            or not count.strip().isdigit()
            or not seconds.strip().isdigit()
            or int(count) < 1
            or int(seconds) < 1
        ):
            raise ValueError(
                f"MOTCUA_RATE_LIMITS: '{part.strip()}' phải có dạng loại=số_lần/số_giây, loại là một trong "
                f"{', '.join(DEFAULT_RATE_LIMITS)}."
            )
        out[kind] = RateLimit(int(count), int(seconds))
    return out


def rate_limits() -> dict[str, RateLimit]:
    """The limits in force (the settings are read once per process)."""
    from core.settings import get_settings

    return parse_rate_limits(get_settings().rate_limits)


async def limit(kind: str, client: str) -> None:
    """Count one request of ``kind`` (a key of ``DEFAULT_RATE_LIMITS``) from ``client`` (its address);
    ``TooManyRequests`` once it is over the limit, with the time to wait and the hour to come back.

    The counter is ``hit`` with a limit one above the allowed count: the request after the allowed ones
    opens a block as long as the period, and every request during the block is refused with its end."""
    rule = rate_limits()[kind]
    period = timedelta(seconds=rule.seconds)
    now = datetime.now(UTC)
    count = await hit(f"rate:{kind}:{client[:64]}", limit=rule.requests + 1, window=period, block=period)
    if not count.blocked(rule.requests + 1, now):
        return
    wait = max(int((count.until - now).total_seconds() + 0.999), 1)
    message = gettext(
        "Too many requests from your network address. Please try again after %(until)s "
        "(in about %(minutes)s minute(s)).",
        until=count.until.astimezone(VN_TZ).strftime("%H:%M:%S ngày %d/%m/%Y"),
        minutes=max((wait + 59) // 60, 1),
    )
    raise TooManyRequests(message, retry_after=wait)
