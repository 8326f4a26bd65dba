"""Moves due outbox rows to their runner: arq (``REDIS_URL`` set) or in-process execution.

With arq, a row is enqueued as job ``outbox:<id>`` and marked ``queued``; arq refuses a second job
with the same id while the first is waiting or running, and the task skips rows already done, so a
row relayed twice still runs once. A row left ``queued`` or ``running`` longer than
``STALE_MINUTES`` (Redis flushed, worker killed mid-task) goes back to ``pending`` and is relayed
again: the outbox, not Redis, is the source of truth.

In-process, rows of ``SIDE_LANE_TASKS`` (PDF renders) run as tasks of their own beside the runner,
at most ``SIDE_LANE_SIZE`` at a time, and the runner does not wait for them: a slow document (up to
its time budget, see ``core.documents.render``) never holds up notifications or other documents.
The arq worker gets the same from running several jobs at once (``max_jobs``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from datetime import UTC, datetime, timedelta

from core.db.tx import write_tx
from core.jobs.arq_pool import job_id
from core.jobs.tables import Outbox

__all__ = (
    "drain",
    "relay_to_arq",
    "run_in_process",
    "requeue_stale",
    "run_pending_now",
    "stop_side_lane",
    "STALE_MINUTES",
    "SIDE_LANE_TASKS",
    "SIDE_LANE_SIZE",
)

log = logging.getLogger("motcua.jobs")
STALE_MINUTES = 15
BULK_IN_FLIGHT = 8
SIDE_LANE_TASKS = frozenset({"render_document"})
"""Tasks the in-process runner starts beside the others instead of awaiting them one by one."""
SIDE_LANE_SIZE = 4
"""Most side-lane tasks running at once in one event loop (the PDF process pool sets how many lay out
at the same time; the others wait their turn there)."""
_side_lanes: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, asyncio.Task]] = (
    weakref.WeakKeyDictionary()
)
"""Event loop → {outbox row id: its running task}. Keyed by the loop itself, not ``id(loop)``: a closed
loop's address can be reused by the next one, and its never-finishing tasks would then hide rows of the
same id from the new loop's runner (seen in tests, where every test has a loop and a fresh database)."""


def _side_lane() -> dict[int, asyncio.Task]:
    lane = _side_lanes.setdefault(asyncio.get_running_loop(), {})
    for row_id in [r for r, task in lane.items() if task.done()]:
        lane.pop(row_id, None)  # finished without reaching its ``finally`` (cancelled before it started)
    return lane


async def _run_beside(row_id: int, lane: dict[int, asyncio.Task]) -> None:
    from core.jobs import runner, tasks

    try:
        await tasks.run_outbox_row(row_id)
    except Exception:  # the row records its own errors; this is the database failing
        log.exception("outbox row %s failed in the side lane", row_id)
    finally:
        lane.pop(row_id, None)
        runner.wake()  # room in the lane, and the task may have queued more work


async def stop_side_lane() -> None:
    """Cancel this event loop's side-lane tasks (shutdown); their rows go back to ``pending``."""
    lane = _side_lanes.pop(asyncio.get_running_loop(), {})
    for task in lane.values():
        task.cancel()
    if lane:
        await asyncio.gather(*lane.values(), return_exceptions=True)
        with contextlib.suppress(Exception):
            async with write_tx():
                await Outbox.update({Outbox.status: "pending"}).where(
                    Outbox.id.is_in(list(lane)) & (Outbox.status == "running")
                )


def _due(now: datetime):
    return (Outbox.status == "pending") & ((Outbox.run_after.is_null()) | (Outbox.run_after <= now))


async def requeue_stale(minutes: int = STALE_MINUTES) -> int:
    """Put rows stuck in ``queued``/``running`` for ``minutes`` back to ``pending``; returns how many."""
    cutoff = datetime.now(UTC) - timedelta(minutes=minutes)
    async with write_tx():
        rows = (
            await Outbox.update({Outbox.status: "pending", Outbox.run_after: None})
            .where(Outbox.status.is_in(["queued", "running"]) & (Outbox.queued_at < cutoff))
            .returning(Outbox.id)
        )
    if rows:
        log.warning("re-queued %d stuck outbox rows: %s", len(rows), [r["id"] for r in rows])
    return len(rows)


async def run_in_process(limit: int = 50, *, include_queued: bool = False, wait: bool = False) -> int:
    """Run up to ``limit`` due rows in this process; returns how many were handled (run, or started
    in the side lane).

    Args:
        limit: Most rows to take.
        include_queued: Also take rows handed to arq and not started.
        wait: Also wait for the side lane's tasks (``SIDE_LANE_TASKS``) to end; by default they go on
            in the background and the rest does not wait for them.
    """
    from core.jobs import tasks

    now = datetime.now(UTC)
    lane = _side_lane()
    where = _due(now)
    if include_queued:
        where = where | (Outbox.status == "queued")
    if lane:
        where = where & Outbox.id.not_in(list(lane))
    rows = (
        await Outbox.select(Outbox.id, Outbox.task)
        .where(where)
        .order_by(Outbox.priority, ascending=False)
        .order_by(Outbox.id)
        .limit(limit)
    )
    handled = 0
    for row in rows:
        if row["task"] in SIDE_LANE_TASKS:
            if len(lane) >= SIDE_LANE_SIZE:
                continue  # taken when a place frees up
            lane[row["id"]] = asyncio.get_running_loop().create_task(
                _run_beside(row["id"], lane), name=f"motcua-outbox-{row['id']}"
            )
        else:
            await tasks.run_outbox_row(row["id"])
        handled += 1
    if wait and lane:
        await asyncio.gather(*list(lane.values()), return_exceptions=True)
    return handled


async def relay_to_arq(redis, limit: int = 200, *, queue_name: str | None = None) -> int:
    """Enqueue up to ``limit`` due rows on arq (job id ``outbox:<id>``) and mark them ``queued``.

    Args:
        redis: An ``ArqRedis`` pool.
        limit: Most rows to relay in one call.
        queue_name: The arq queue (default: the pool's default queue).

    Returns:
        How many rows were relayed (including rows whose job already existed).
    """
    now = datetime.now(UTC)
    rows = (
        await Outbox.select(Outbox.id, Outbox.priority)
        .where(_due(now))
        .order_by(Outbox.priority, ascending=False)
        .order_by(Outbox.id)
        .limit(limit)
    )
    # Bulk rows trickle: never more than BULK_IN_FLIGHT of them waiting in arq's queue, so work a person
    # causes later is not queued behind a bulk load's backlog (arq runs its queue first in, first out).
    bulk_room = BULK_IN_FLIGHT - await Outbox.count().where(
        Outbox.status.is_in(["queued", "running"]) & (Outbox.priority < 0)
    )
    rows = [r for r in rows if r["priority"] >= 0 or (bulk_room := bulk_room - 1) >= 0]
    extra = {"_queue_name": queue_name} if queue_name else {}
    for row in rows:
        # Enqueue first: if Redis is down the row simply stays pending.
        await redis.enqueue_job("run_outbox", row["id"], _job_id=job_id(row["id"], queue_name), **extra)
        async with write_tx():
            await Outbox.update({Outbox.status: "queued", Outbox.queued_at: datetime.now(UTC)}).where(
                (Outbox.id == row["id"]) & (Outbox.status == "pending")
            )
    return len(rows)


async def drain(limit: int = 50, *, redis=None, queue_name: str | None = None) -> int:
    """One pass of the web process's runner: relay to arq when Redis is configured (or ``redis`` is
    given), otherwise run due rows in-process. Returns how many rows were handled."""
    from core.settings import get_settings

    if redis is None and get_settings().redis_url:
        from core.jobs.arq_pool import get_pool

        redis = await get_pool()
    if redis is not None:
        await requeue_stale()
        return await relay_to_arq(redis, limit, queue_name=queue_name)
    return await run_in_process(limit)


async def run_pending_now(max_rounds: int = 100) -> int:
    """Run every due row in this process until none is left (tests, the demo loader).

    Also runs rows already handed to arq but not started (``queued``): the task skips what is done.
    Rows that fail wait for their back-off and are not retried here. Returns how many were handled.
    """
    total = 0
    for _ in range(max_rounds):
        n = await run_in_process(200, include_queued=True, wait=True)
        if not n:
            break
        total += n
    return total
