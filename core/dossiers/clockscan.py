"""The clock scan: flag dossiers whose due passed, close dossiers whose supplement never came.

Set-based candidate queries over indexed columns (``state``, ``due_at``, ``late``; the events'
``(dossier, seq)`` index) — never a walk through history. Each change is an ordinary transition
(``flag_late``, ``close_unanswered``) in its own transaction, so the scan is idempotent: running it
twice changes nothing the second time. Scheduled daily at 00:05 Vietnam time (``register_jobs``),
and callable on demand.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from core.catalogue.registry import get_catalogue
from core.catalogue.snapshot import get_snapshot
from core.contract.errors import MotcuaError
from core.db.tx import raw
from core.dossiers import timing
from core.dossiers.engine import utcnow

__all__ = ("scan", "scan_job", "ScanSummary")

log = logging.getLogger("motcua.dossiers.clock")

_LATE_SQL = """
SELECT id FROM dossier
WHERE state IN ({}, {}) AND late = {} AND due_at < {}
  AND (extended_due_at IS NULL OR extended_due_at < {})
ORDER BY due_at LIMIT {}
"""

_SUPPLEMENT_SQL = """
SELECT d.id, d.procedure_code, d.procedure_version, d.receiving_agency, e.at AS asked_at
FROM dossier d
JOIN dossier_event e ON e.dossier = d.id AND e.seq = (
    SELECT MAX(e2.seq) FROM dossier_event e2 WHERE e2.dossier = d.id AND e2.action = {})
WHERE d.state = {} AND e.at < {}
ORDER BY e.at LIMIT {}
"""

_BOUND_VERSIONS_SQL = """
SELECT pv.id, pv.data FROM procedure_version pv
WHERE pv.id IN (SELECT d.procedure_version FROM dossier d WHERE d.state = {})
UNION ALL
SELECT NULL, NULL WHERE EXISTS (
    SELECT 1 FROM dossier d WHERE d.state = {} AND d.procedure_version IS NULL)
"""
"""The versions the waiting dossiers are bound to (a row of NULLs when one is bound to none): one
query over the ``state`` index, whatever the number of dossiers."""


@dataclass
class ScanSummary:
    flagged_late: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


async def scan(now: datetime | None = None, *, batch: int = 1000) -> ScanSummary:
    """Run one pass at ``now`` (default: the current time)."""
    from core.dossiers import service

    now = now or utcnow()
    summary = ScanSummary()
    rows = await raw(_LATE_SQL, "received", "in_processing", False, now, now, batch)
    for r in rows:
        try:
            await service.flag_late(r["id"], note="")
            summary.flagged_late.append(r["id"])
        except MotcuaError as exc:  # changed meanwhile (e.g. completed): nothing to flag
            summary.errors.append(f"{r['id']}: {exc.message}")
    cat = get_catalogue()
    oldest = now - timedelta(days=max(0, await _shortest_limit(cat)))  # a working day is never shorter
    rows = await raw(_SUPPLEMENT_SQL, "request_supplement", "supplement_requested", oldest, batch)
    sessions = timing.sessions_loader({})
    for r in rows:
        proc = cat.procedure(r["procedure_code"])
        # the limit of the procedure version the dossier is bound to, not of today's declaration
        if proc is not None:
            limit_days = (await timing.rules_for(r, proc)).supplement_limit_days
        elif r["procedure_version"]:  # no longer in the catalogue: its bound version still says
            stored = (await get_snapshot(r["procedure_version"])).supplement_limit_days
            limit_days = 15 if stored is None else stored
        else:
            limit_days = 15
        asked_at = timing.as_utc(r["asked_at"])
        deadline = await timing.add(
            asked_at, timing.days_to_minutes(limit_days), await sessions(r["receiving_agency"])
        )
        if deadline >= now:
            continue
        try:
            await service.close_unanswered(
                r["id"], note=f"Quá {limit_days} ngày làm việc không nhận được hồ sơ bổ sung."
            )
            summary.closed.append(r["id"])
        except MotcuaError as exc:
            summary.errors.append(f"{r['id']}: {exc.message}")
    if summary.flagged_late or summary.closed:
        log.info("clock scan: %d flagged late, %d closed", len(summary.flagged_late), len(summary.closed))
    return summary


async def _shortest_limit(cat) -> int:
    """The shortest supplement limit among the versions the waiting dossiers are bound to (a dossier
    keeps the version it was received under, which may allow fewer days than today's declaration).
    Loads those snapshots into the version cache, so the per-dossier rules below cost no query."""
    from core.catalogue import snapshot, versions

    state = "supplement_requested"
    limits: list[int] = []
    for r in await raw(_BOUND_VERSIONS_SQL, state, state):
        if r["id"] is None:  # bound to no version: today's declarations apply
            limits += [p.supplement_limit_days for p in cat.procedures.values()] or [15]
            continue
        data = versions._data_cache.get(r["id"])
        if data is None:
            data = versions._data_cache[r["id"]] = (
                json.loads(r["data"]) if isinstance(r["data"], str) else r["data"]
            )
        stored = snapshot.remember(r["id"], data).supplement_limit_days
        limits.append(15 if stored is None else stored)
    return min(limits, default=0)


async def scan_job(ctx: dict, **_kwargs) -> dict:
    """Job entry point (arq cron and the in-process runner)."""
    return (await scan()).as_dict()
