"""The arq Redis pool of this process (one per event loop) and the queue name."""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from arq.connections import ArqRedis

__all__ = ("QUEUE_NAME", "get_pool", "close_pool", "redis_settings", "job_id")

QUEUE_NAME = os.environ.get("MOTCUA_ARQ_QUEUE", "motcua:queue")
"""The arq queue of this deployment (``MOTCUA_ARQ_QUEUE``; give each deployment sharing a Redis
database its own)."""


def job_id(outbox_id: int, queue_name: str | None = None) -> str:
    """The arq job id of an outbox row: ``outbox:<id>`` on the deployment's queue.

    arq job ids are global to a Redis database, so on any other queue (tests, a second deployment)
    the id is prefixed with the queue name, or rows with the same id would block each other.
    """
    if queue_name in (None, QUEUE_NAME):
        return f"outbox:{outbox_id}"
    return f"{queue_name}:outbox:{outbox_id}"


_pools: dict[int, ArqRedis] = {}


def redis_settings(url: str | None = None, *, conn_retries: int = 5):
    """``arq.connections.RedisSettings`` for ``url`` (default: ``REDIS_URL``)."""
    from arq.connections import RedisSettings

    from core.settings import get_settings

    url = url or get_settings().redis_url
    if not url:
        raise RuntimeError("REDIS_URL chưa được đặt.")
    settings = RedisSettings.from_dsn(url)
    settings.conn_retries = conn_retries
    return settings


async def get_pool(url: str | None = None):
    """The ``ArqRedis`` pool for ``url`` in the running event loop (created on first use).

    Raises:
        ConnectionError: Redis cannot be reached (the caller leaves its rows pending).
    """
    from arq import create_pool

    key = id(asyncio.get_running_loop())
    pool = _pools.get(key)
    if pool is None:
        pool = _pools[key] = await create_pool(
            redis_settings(url, conn_retries=1), default_queue_name=QUEUE_NAME
        )
    return pool


async def close_pool() -> None:
    """Close this event loop's pool, if any."""
    pool = _pools.pop(id(asyncio.get_running_loop()), None)
    if pool is not None:
        await pool.aclose()
