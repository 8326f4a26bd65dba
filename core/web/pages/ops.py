"""Operations endpoints: ``GET /health`` for a load balancer or systemd watchdog, ``GET /metrics`` for
Prometheus.

``/health`` answers 200 when this process can reach the database (and Redis, when ``REDIS_URL`` is
set), else 503; the body also tells whether a background worker is alive (arq's heartbeat key, which
``motcua worker`` renews every ``core.jobs.worker.HEARTBEAT_SECONDS``; without Redis the in-process runner of this
process is the worker) and the outbox backlog with the age of its oldest due row. A dead worker or a
backlog does not make it 503: the web pages still work, and the operator sees them here and in
``/metrics``.

``/metrics`` is for the monitoring system only: it answers a caller on this machine (loopback, after
the proxy's ``X-Forwarded-For`` was applied by the ASGI server) or one presenting
``Authorization: Bearer <MOTCUA_METRICS_TOKEN>``; anyone else gets 404. docs/production.md.
"""

from __future__ import annotations

import asyncio
import hmac
import os
import time
from datetime import UTC, datetime
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException

from core import metrics as _registered  # noqa: F401 - job and PDF series exist before their first use
from core.identity.guards import public

__all__ = ("ROUTES", "health", "metrics", "health_report")

CHECK_TIMEOUT = 3.0
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
_DB_FIGURES_TTL = 15.0
_db_figures: dict[str, Any] = {"at": 0.0, "states": {}}


async def _database() -> dict[str, Any]:
    from core.db.tx import raw

    start = time.monotonic()
    try:
        await asyncio.wait_for(raw("SELECT 1 AS one"), timeout=CHECK_TIMEOUT)
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.monotonic() - start) * 1000, 1)}


async def _redis_and_worker(request: Request) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    from core.settings import get_settings

    if not get_settings().redis_url:
        task = getattr(request.app.state, "jobs_task", None)
        alive = task is not None and not task.done()
        return None, {"ok": alive, "kind": "in-process"}
    from core.jobs.arq_pool import QUEUE_NAME, get_pool

    try:
        pool = await asyncio.wait_for(get_pool(), timeout=CHECK_TIMEOUT)
        await asyncio.wait_for(pool.ping(), timeout=CHECK_TIMEOUT)
        beat = await asyncio.wait_for(pool.get(QUEUE_NAME + ":health-check"), timeout=CHECK_TIMEOUT)
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}, {"ok": False, "kind": "arq"}
    return {"ok": True}, {"ok": beat is not None, "kind": "arq"}


async def _outbox() -> dict[str, Any]:
    from core.jobs.tables import Outbox

    now = datetime.now(UTC)
    waiting = ((Outbox.status == "pending") & (Outbox.run_after.is_null() | (Outbox.run_after <= now))) | (
        Outbox.status == "queued"
    )
    try:
        backlog = await Outbox.count().where(waiting)
        oldest = (
            await Outbox.select(Outbox.created_at, Outbox.run_after)
            .where(waiting)
            .order_by(Outbox.created_at)
            .first()
        )
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    age = 0.0
    if oldest is not None:
        due = max(t for t in (oldest["created_at"], oldest["run_after"]) if t is not None)
        age = max(0.0, (now - due).total_seconds())
    return {"ok": True, "backlog": backlog, "oldest_due_seconds": round(age, 1)}


async def health_report(request: Request) -> tuple[int, dict[str, Any]]:
    """The status code and body of ``/health``."""
    database, (redis, worker), outbox = await asyncio.gather(
        _database(), _redis_and_worker(request), _outbox()
    )
    checks: dict[str, Any] = {"database": database}
    if redis is not None:
        checks["redis"] = redis
    checks["worker"] = worker
    checks["outbox"] = outbox
    up = database["ok"] and (redis is None or redis["ok"])
    status = "ok" if up and worker["ok"] else "degraded" if up else "down"
    return (200 if up else 503), {"status": status, "checks": checks}


@get(
    "/health",
    include_in_schema=False,
    name="health",
    opt=public("liveness for the load balancer: up or down, backlog counts; no personal data"),
    cache_control=None,
)
async def health(request: Request) -> Response:
    code, body = await health_report(request)
    return Response(body, status_code=code, headers={"cache-control": "no-store"})


def _may_read_metrics(request: Request) -> bool:
    token = os.environ.get("MOTCUA_METRICS_TOKEN", "")
    offered = request.headers.get("authorization", "")
    if token and hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        return True
    client = request.client.host if request.client else ""
    forwarded = request.headers.get("x-forwarded-for")  # a proxy the ASGI server did not trust
    return client in _LOOPBACK and not forwarded


async def _db_figures_text() -> bytes:
    """Dossiers by state and the outbox backlog, read at most every ``_DB_FIGURES_TTL`` seconds by
    this process (a scrape every few seconds must not count a province's dossiers each time)."""
    from prometheus_client import CollectorRegistry, Gauge, generate_latest

    from core.dossiers.tables import Dossier

    now = time.monotonic()
    if now - _db_figures["at"] > _DB_FIGURES_TTL:
        rows = await Dossier.raw("SELECT state, COUNT(*) AS n FROM dossier GROUP BY state")
        _db_figures["states"] = {r["state"]: r["n"] for r in rows}
        _db_figures["outbox"] = await _outbox()
        _db_figures["at"] = now
    registry = CollectorRegistry()
    states = Gauge("motcua_dossiers", "Dossiers by current state.", ["state"], registry=registry)
    for state, n in sorted(_db_figures["states"].items()):
        states.labels(state).set(n)
    outbox = _db_figures.get("outbox") or {}
    if outbox.get("ok"):
        Gauge("motcua_outbox_backlog", "Outbox rows due and not yet run.", registry=registry).set(
            outbox["backlog"]
        )
        Gauge(
            "motcua_outbox_oldest_due_seconds",
            "Age of the oldest due outbox row, in seconds.",
            registry=registry,
        ).set(outbox["oldest_due_seconds"])
    return generate_latest(registry)


@get(
    "/metrics",
    include_in_schema=False,
    name="metrics",
    opt=public("Prometheus metrics: answered only on loopback or with MOTCUA_METRICS_TOKEN (checked inside)"),
)
async def metrics(request: Request) -> Response:
    from prometheus_client import (
        CONTENT_TYPE_LATEST,
        REGISTRY,
        CollectorRegistry,
        generate_latest,
        multiprocess,
    )

    if not _may_read_metrics(request):
        raise NotFoundException()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    body += await _db_figures_text()
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"cache-control": "no-store"})


ROUTES = [health, metrics]
