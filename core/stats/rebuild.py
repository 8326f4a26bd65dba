"""Rebuilding the statistics from the record: every fact recomputed from the dossiers' events and the
settled payments (the same ``facts_of`` the hooks use), the counters summed from the facts. For repair
(a counter lost to a bug, a table restored from backup); ``motcua thong-ke tinh-lai`` and the
``stats_rebuild`` job run it."""

from __future__ import annotations

from typing import Any

from core.db.tx import is_postgres, raw, write_tx
from core.stats.counters import Fact, facts_of, payment_facts
from core.stats.tables import StatCounter, StatFact

__all__ = ("rebuild", "rebuild_task", "cmd_rebuild", "CHUNK")

CHUNK = 1000
"""Rows read and inserted at a time (PostgreSQL allows 32,767 parameters per statement)."""

_DOSSIER_COLS = (
    "d.id AS d_id, d.receiving_agency, d.procedure_code, d.domain, d.channel, d.late, d.finished_at,"
    " d.due_at, d.received_at"
)


def _dossier(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["d_id"],
        "receiving_agency": row["receiving_agency"],
        "procedure_code": row["procedure_code"],
        "domain": row["domain"],
        "channel": row["channel"],
        "late": bool(row["late"]),
        "finished_at": row["finished_at"],
        "due_at": row["due_at"],
        "received_at": row["received_at"],
    }


async def _insert(facts: list[Fact]) -> None:
    for i in range(0, len(facts), CHUNK):
        await StatFact.insert(
            *(
                StatFact(
                    metric=f.metric,
                    ref=f.ref,
                    dossier=f.dossier,
                    agency=f.agency,
                    procedure_code=f.procedure_code,
                    domain=f.domain,
                    channel=f.channel,
                    day=f.day,
                )
                for f in facts[i : i + CHUNK]
            )
        )


async def _event_facts() -> int:
    last, total = 0, 0
    while True:
        rows = await raw(
            f"SELECT e.id, e.action, e.from_state, e.to_state, e.at, {_DOSSIER_COLS} FROM dossier_event e"
            " JOIN dossier d ON d.id = e.dossier WHERE e.id > {} ORDER BY e.id LIMIT {}",
            last,
            CHUNK,
        )
        if not rows:
            return total
        facts: list[Fact] = []
        for r in rows:
            facts.extend(
                facts_of(
                    event_id=r["id"],
                    action=r["action"],
                    from_state=r["from_state"] or "",
                    to_state=r["to_state"] or "",
                    at=r["at"],
                    dossier=_dossier(r),
                )
            )
        await _insert(facts)
        total += len(facts)
        last = rows[-1]["id"]


async def _payment_facts() -> int:
    last, total = 0, 0
    while True:
        rows = await raw(
            "SELECT p.id, p.kind, p.status, p.method, p.paid_at, p.created_at, "
            f"{_DOSSIER_COLS} FROM payment p JOIN dossier d ON d.id = p.dossier"
            " WHERE p.id > {} AND p.kind = 'payment' AND p.status = 'paid' ORDER BY p.id LIMIT {}",
            last,
            CHUNK,
        )
        if not rows:
            return total
        facts: list[Fact] = []
        for r in rows:
            facts.extend(payment_facts(r, _dossier(r)))
        await _insert(facts)
        total += len(facts)
        last = rows[-1]["id"]


async def rebuild() -> dict[str, int]:
    """Recompute every fact and counter from the events and payments, in one transaction (pages read
    the old figures until it commits; transitions wait for it on PostgreSQL).

    Returns:
        ``{"facts": n, "counters": m}``.
    """
    async with write_tx():
        if is_postgres():
            await raw("LOCK TABLE stat_fact, stat_counter IN EXCLUSIVE MODE")
        await StatCounter.delete(force=True)
        await StatFact.delete(force=True)
        facts = await _event_facts() + await _payment_facts()
        await raw(
            "INSERT INTO stat_counter (agency, procedure_code, domain, day, channel, metric, value)"
            " SELECT agency, procedure_code, domain, day, channel, metric, COUNT(*) FROM stat_fact"
            " GROUP BY agency, procedure_code, domain, day, channel, metric"
        )
        counters = await StatCounter.count()
    return {"facts": facts, "counters": counters}


async def rebuild_task(ctx: dict[str, Any]) -> dict[str, int]:
    """The ``stats_rebuild`` job (idempotent: it always ends with the same figures)."""
    return await rebuild()


def cmd_rebuild(args: Any) -> None:
    """``motcua thong-ke tinh-lai``."""
    import asyncio

    from core.db.tx import engine

    async def run() -> dict[str, int]:
        db = engine()
        if db.engine_type == "postgres":
            await db.start_connection_pool()
        try:
            return await rebuild()
        finally:
            if db.engine_type == "postgres":
                await db.close_connection_pool()

    out = asyncio.run(run())
    print(f"Đã tính lại thống kê: {out['facts']} sự kiện được đếm, {out['counters']} bộ đếm theo ngày.")
