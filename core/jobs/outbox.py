"""``add()``: record background work inside the caller's transaction (the outbox pattern)."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from core.jobs.tables import Outbox

__all__ = ("add", "bulk", "BULK")

BULK = -10
"""Priority of work queued inside ``bulk()``."""
_priority: ContextVar[int] = ContextVar("motcua_outbox_priority", default=0)


@contextmanager
def bulk():
    """Work queued inside this block (a bulk load: the demo, an import) runs after everything else."""
    token = _priority.set(BULK)
    try:
        yield
    finally:
        _priority.reset(token)


async def add(task: str, **payload) -> int:
    """Queue ``task(ctx, **payload)``; call inside the transaction of the change that causes it.

    Payload values must be JSON-serialisable. Returns the outbox row id (the arq job id is
    ``outbox:<id>``). Outside a transaction the row is committed at once and the in-process runner
    is woken; inside one, call ``core.jobs.runner.wake()`` after the commit to skip the poll delay.
    """
    from core.db.tx import engine

    rows = await Outbox.insert(
        Outbox(
            task=task,
            payload=payload,
            status="pending",
            created_at=datetime.now(UTC),
            priority=_priority.get(),
        )
    ).returning(Outbox.id)
    if not engine().transaction_exists():
        from core.jobs import runner

        runner.wake()
    return rows[0]["id"]
