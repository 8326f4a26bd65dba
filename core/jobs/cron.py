"""Scheduled jobs (``JobSpec.cron``) fired at most once per slot, whichever process sees it first.

A ``JobSpec.cron`` is a dict of arq ``cron()`` keywords (``month``, ``day``, ``weekday``, ``hour``,
``minute``) read in Vietnam time (UTC+7, no daylight saving). Firing a slot inserts a ``CronRun``
row keyed ``<job>@<slot>`` (unique) and an outbox row in the same transaction, so the run is
visible, retried and re-sendable like any other task. The in-process runner catches up the latest
slot of the last hour if the process was down when it fell due.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from core.contract.vntime import VN_TZ
from core.db.tx import write_tx
from core.jobs.tables import CronRun

__all__ = ("VN_TZ", "matches", "last_slot", "fire", "run_due_crons", "cron_specs")

_WEEKDAYS = {"mon": 0, "tues": 1, "tue": 1, "wed": 2, "thurs": 3, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
CATCH_UP_MINUTES = 60
"""How late a slot may still be fired (a process restarted just after 01:05 still runs the 01:05 job)."""


def _field_ok(expected: Any, value: int, *, weekday: bool = False) -> bool:
    if expected is None:
        return True
    values = expected if isinstance(expected, (set, frozenset, list, tuple)) else {expected}
    if weekday:
        values = {_WEEKDAYS.get(str(v).lower(), v) if isinstance(v, str) else v for v in values}
    return value in values


def matches(spec: Mapping[str, Any], t: datetime) -> bool:
    """Whether the minute ``t`` (Vietnam time) is a slot of ``spec`` (seconds are ignored)."""
    t = t.astimezone(VN_TZ)
    return (
        _field_ok(spec.get("month"), t.month)
        and _field_ok(spec.get("day"), t.day)
        and _field_ok(spec.get("weekday"), t.weekday(), weekday=True)
        and _field_ok(spec.get("hour"), t.hour)
        and _field_ok(spec.get("minute"), t.minute)
    )


def last_slot(
    spec: Mapping[str, Any], now: datetime, *, within_minutes: int = CATCH_UP_MINUTES
) -> datetime | None:
    """The latest slot at or before ``now`` within ``within_minutes`` (Vietnam time, to the minute)."""
    t = now.astimezone(VN_TZ).replace(second=0, microsecond=0)
    for _ in range(within_minutes + 1):
        if matches(spec, t):
            return t
        t -= timedelta(minutes=1)
    return None


def cron_specs() -> list:
    """Every registered ``JobSpec`` that has a schedule."""
    from core.catalogue.registry import get_catalogue

    return [spec for spec in get_catalogue().jobs.values() if spec.cron]


async def fire(job: str, slot: datetime) -> int | None:
    """Claim ``job``'s ``slot`` and queue the job; None when some process already fired it.

    Returns:
        The outbox row id of the run, or None.
    """
    from core.jobs import outbox

    key = f"{job}@{slot.astimezone(VN_TZ):%Y-%m-%dT%H:%M}"
    async with write_tx():
        rows = (
            await CronRun.insert(CronRun(key=key, job=job, fired_at=datetime.now(UTC)))
            .on_conflict(action="DO NOTHING")
            .returning(CronRun.id)
        )
        if not rows:
            return None
        outbox_id = await outbox.add(job)
        await CronRun.update({CronRun.outbox_id: outbox_id}).where(CronRun.id == rows[0]["id"])
    return outbox_id


async def run_due_crons(now: datetime | None = None) -> list[int]:
    """Fire the latest due slot of every scheduled job not fired yet; returns the outbox ids."""
    now = now or datetime.now(UTC)
    fired = []
    for spec in cron_specs():
        slot = last_slot(spec.cron, now)
        if slot is not None and (oid := await fire(spec.name, slot)) is not None:
            fired.append(oid)
    return fired
