"""The task registry (core tasks + ``register_jobs``) and the execution of one outbox row."""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime, timedelta

from core.db.tx import write_tx
from core.jobs.tables import Outbox
from core.metrics import JOB_FAILURES, JOBS_DONE

__all__ = ("task_functions", "run_outbox_row", "resend", "MAX_ATTEMPTS", "CLAIMABLE")

log = logging.getLogger("motcua.jobs")
MAX_ATTEMPTS = 5
CLAIMABLE = ("pending", "queued")
"""Statuses a runner may claim: waiting in the table, or handed to arq and not started yet."""


def task_functions() -> dict:
    """``{task name: async function}`` of every registered job (core's and the plugins')."""
    from core.catalogue.registry import get_catalogue

    return {name: spec.func for name, spec in get_catalogue().jobs.items()}


def backoff_seconds(attempts: int) -> int:
    """Delay before the next try after ``attempts`` failures: 2, 4, 8, 16… capped at 5 minutes."""
    return min(300, 2**attempts)


async def run_outbox_row(row_id: int, ctx: dict | None = None) -> str:
    """Claim the row, run its task, record the outcome. Safe to call twice (a done row is skipped).

    Returns:
        ``done``, ``retry`` (failed; pending again after a back-off), ``failed`` (gave up after
        ``MAX_ATTEMPTS``, or at once for an error whose class says ``retryable = False`` such as a
        PDF over its time budget; the error is on the row) or ``skipped`` (not claimable: done,
        failed or running elsewhere).
    """
    now = datetime.now(UTC)
    async with write_tx():
        claimed = (
            await Outbox.update(
                {Outbox.status: "running", Outbox.attempts: Outbox.attempts + 1, Outbox.queued_at: now}
            )
            .where((Outbox.id == row_id) & (Outbox.status.is_in(list(CLAIMABLE))))
            .returning(Outbox.task, Outbox.payload, Outbox.attempts)
        )
    if not claimed:
        return "skipped"
    row = claimed[0]
    payload = row["payload"]
    if isinstance(payload, str):
        payload = json.loads(payload)
    func = task_functions().get(row["task"])
    try:
        if func is None:
            raise LookupError(f"Không có tác vụ nền tên '{row['task']}'")
        await func({**(ctx or {}), "outbox_id": row_id, "job_try": row["attempts"]}, **payload)
    except Exception as exc:
        failed = row["attempts"] >= MAX_ATTEMPTS or getattr(exc, "retryable", True) is False
        async with write_tx():
            await Outbox.update(
                {
                    Outbox.status: "failed" if failed else "pending",
                    Outbox.last_error: "".join(traceback.format_exception_only(exc)).strip()[:2000],
                    Outbox.run_after: datetime.now(UTC) + timedelta(seconds=backoff_seconds(row["attempts"])),
                }
            ).where(Outbox.id == row_id)
        log.warning("task %s (outbox %s) failed: %s", row["task"], row_id, exc)
        JOB_FAILURES.labels(row["task"], "failed" if failed else "retry").inc()
        return "failed" if failed else "retry"
    async with write_tx():
        await Outbox.update(
            {Outbox.status: "done", Outbox.done_at: datetime.now(UTC), Outbox.last_error: ""}
        ).where(Outbox.id == row_id)
    JOBS_DONE.labels(row["task"]).inc()
    return "done"


async def resend(row_id: int, *, actor_id: int | None = None) -> int:
    """Send a failed row again as a new outbox row (the failed one keeps its error); audited.

    Returns:
        The new row's id.

    Raises:
        NotFound: no such row.
        Conflict: the row has not failed, or was already sent again.
    """
    from core.audit import chain
    from core.contract.errors import Conflict, NotFound
    from core.jobs import outbox

    async with write_tx():
        row = await Outbox.select().where(Outbox.id == row_id).first()
        if row is None:
            raise NotFound(f"Không có tác vụ nền số {row_id}.")
        if row["status"] != "failed":
            raise Conflict(f"Tác vụ nền số {row_id} không ở trạng thái lỗi nên không gửi lại được.")
        if row["resent_as"]:
            raise Conflict(f"Tác vụ nền số {row_id} đã được gửi lại (số {row['resent_as']}).")
        payload = row["payload"]
        if isinstance(payload, str):
            payload = json.loads(payload)
        new_id = await outbox.add(row["task"], **payload)
        await Outbox.update({Outbox.resent_as: new_id}).where(Outbox.id == row_id)
        await chain.append(
            "job.resend",
            actor_id=actor_id,
            object_type="outbox",
            object_id=row_id,
            data={"task": row["task"], "new_id": new_id},
        )
    return new_id
