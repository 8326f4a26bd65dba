"""Starts and stops background work for the web process.

With ``REDIS_URL`` the web process only relays outbox rows to arq (``motcua worker`` runs them and
the scheduled jobs); without it, the same task functions run in-process: a loop runs due outbox
rows and fires due scheduled jobs (``MOTCUA_CRON=0`` turns the in-process schedule off).
``wake()`` after a commit skips the poll delay.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from datetime import UTC, datetime

from litestar import Litestar

__all__ = ("start", "stop", "wake", "run_pending_now")

log = logging.getLogger("motcua.jobs")
_POLL_SECONDS = 2.0
_runners: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Event]] = {}
"""The wake-up event of each runner of this process, with its event loop (the test client runs the
app in a thread of its own)."""


async def run_pending_now() -> int:
    """Run every due outbox row in this process until none is left; see ``relay.run_pending_now``."""
    from core.jobs import relay

    return await relay.run_pending_now()


async def _tick(state: dict) -> int:
    from core.jobs import cron, relay
    from core.settings import get_settings

    handled = await relay.drain()
    minute = datetime.now(UTC).replace(second=0, microsecond=0)
    if (
        not get_settings().redis_url
        and os.environ.get("MOTCUA_CRON", "1") != "0"
        and state.get("minute") != minute
    ):
        state["minute"] = minute
        if await cron.run_due_crons():
            handled += await relay.drain()
    return handled


async def _loop(event: asyncio.Event) -> None:
    state: dict = {}
    while True:
        event.clear()
        try:
            while await _tick(state):  # keep going while there is work (tasks may queue more)
                pass
        except Exception:  # keep the loop alive; the failing row records its error
            log.exception("background loop failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=_POLL_SECONDS)


async def start(app: Litestar) -> None:
    event = asyncio.Event()
    loop = asyncio.get_running_loop()
    app.state.jobs_wakeup = (loop, event)
    _runners[id(loop)] = (loop, event)
    app.state.jobs_task = asyncio.create_task(_loop(event), name="motcua-jobs")


def _set(loop: asyncio.AbstractEventLoop, event: asyncio.Event) -> None:
    try:
        current = asyncio.get_running_loop()
    except RuntimeError:
        current = None
    if loop is current:
        event.set()
    elif not loop.is_closed():
        loop.call_soon_threadsafe(event.set)


def wake(app: Litestar | None = None) -> None:
    """Make the runner look at the outbox now (call after committing rows). Without ``app``, wakes
    every runner of this process."""
    targets = [getattr(app.state, "jobs_wakeup", None)] if app is not None else list(_runners.values())
    for target in targets:
        if target is not None:
            _set(*target)


async def stop(app: Litestar) -> None:
    task = getattr(app.state, "jobs_task", None)
    _runners.pop(id(asyncio.get_running_loop()), None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    from core.jobs import relay

    with contextlib.suppress(Exception):
        await relay.stop_side_lane()
    from core.jobs.arq_pool import close_pool

    with contextlib.suppress(Exception):
        await close_pool()
