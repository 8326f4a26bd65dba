"""``WorkerSettings`` for ``motcua worker`` (arq): one function running outbox rows, plus the
scheduled jobs of every plugin, in Vietnam time."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from arq import Retry, cron, func

from core.jobs.arq_pool import QUEUE_NAME
from core.jobs.cron import VN_TZ

__all__ = (
    "WorkerSettings",
    "run_outbox",
    "functions",
    "cron_jobs",
    "RETRY_DEFER_SECONDS",
    "HEARTBEAT_SECONDS",
)

log = logging.getLogger("motcua.jobs")
HEARTBEAT_SECONDS = 15
"""arq's ``health_check_interval``: the worker's heartbeat key (``<queue>:health-check``, read by
``GET /health``) is renewed this often and lives this long plus one second."""
RETRY_DEFER_SECONDS = 10
"""A failed try is retried by arq after ``job_try * RETRY_DEFER_SECONDS`` seconds."""


async def run_outbox(ctx: dict, outbox_id: int) -> str:
    """Run outbox row ``outbox_id`` (arq job ``outbox:<id>``); a failure that may succeed later
    (network, gateway) is retried by arq with a growing delay, up to ``tasks.MAX_ATTEMPTS`` tries."""
    from core.jobs import tasks

    result = await tasks.run_outbox_row(outbox_id, {"redis": ctx.get("redis")})
    if result == "retry":
        raise Retry(defer=ctx.get("job_try", 1) * RETRY_DEFER_SECONDS)
    return result


def _cron_runner(name: str):
    async def fire_scheduled(ctx: dict) -> str:
        from core.jobs import cron as schedule
        from core.jobs import tasks

        slot = datetime.now(UTC).astimezone(VN_TZ).replace(second=0, microsecond=0)
        outbox_id = await schedule.fire(name, slot)
        if outbox_id is None:
            return "already fired"
        return await tasks.run_outbox_row(outbox_id, {"redis": ctx.get("redis")})

    fire_scheduled.__qualname__ = f"cron:{name}"
    return fire_scheduled


def functions() -> list:
    """The arq functions: ``run_outbox`` only (every task goes through the outbox)."""
    from core.jobs.tasks import MAX_ATTEMPTS

    # keep_result=0: once a job ends, the same job id may be enqueued again (a re-queued row).
    return [func(run_outbox, name="run_outbox", keep_result=0, max_tries=MAX_ATTEMPTS + 2)]


def cron_jobs() -> list:
    """One arq cron job per scheduled ``JobSpec`` (``unique``: one run per slot across workers)."""
    from core.jobs.cron import cron_specs

    return [
        cron(_cron_runner(spec.name), name=f"cron:{spec.name}", unique=True, **dict(spec.cron))
        for spec in cron_specs()
    ]


async def startup(ctx: dict) -> None:
    from core.catalogue.registry import get_catalogue
    from core.db.tx import engine

    get_catalogue()
    db = engine()
    if db.engine_type == "postgres":
        await db.start_connection_pool(min_size=1, max_size=10)


async def shutdown(ctx: dict) -> None:
    from core.db.tx import engine

    db = engine()
    if db.engine_type == "postgres":
        await db.close_connection_pool()


class WorkerSettings:
    """Read by ``arq`` (``motcua worker``); built from the settings and the plugin catalogue."""

    functions: list[Any]  # set by _finish_settings below, as are cron_jobs and redis_settings
    cron_jobs: list[Any]
    redis_settings: Any
    queue_name = QUEUE_NAME
    timezone = VN_TZ
    on_startup = startup
    on_shutdown = shutdown
    max_tries = 7
    health_check_interval = HEARTBEAT_SECONDS


def _finish_settings() -> None:
    from core.jobs.arq_pool import redis_settings
    from core.settings import get_settings

    WorkerSettings.functions = functions()
    WorkerSettings.cron_jobs = cron_jobs()
    if get_settings().redis_url:
        WorkerSettings.redis_settings = redis_settings()


_finish_settings()
