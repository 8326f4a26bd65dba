"""The dossiers behind a number (drill-down) and who holds the overdue ones: one page at a time, a
fixed number of queries whatever the page's length."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.db.tx import raw
from core.stats.counters import RESOLVED
from core.stats.scope import Scope
from core.stats.service import Selection, _where, day_param

__all__ = ("LISTS", "dossiers_behind", "overdue_holders", "step_names")

LISTS: dict[str, tuple[str, ...]] = {
    "received": ("received",),
    "received_online": ("received",),
    "resolved": RESOLVED,
    **{m: (m,) for m in RESOLVED},
    "returned": ("returned",),
    "refused_intake": ("refused_intake",),
    "stopped": ("stopped",),
    "closed": ("closed",),
    "apologised": ("apologised",),
    "paid": ("paid",),
    "paid_online": ("paid_online",),
    "in_progress": (),
    "overdue_now": (),
}
"""Each number a leader may open: the fact metrics it counts (none: read from the dossiers)."""

_COLS = (
    "d.id, d.code, d.procedure_code, d.domain, d.channel, d.state, d.received_at, d.due_at,"
    " d.extended_due_at, d.finished_at, d.late, a.name AS agency_name"
)


async def dossiers_behind(
    scope: Scope, sel: Selection, figure: str, *, offset: int, limit: int, now: datetime | None = None
) -> list[dict[str, Any]]:
    """One page of the dossiers counted in ``figure`` for the selection (newest first)."""
    if figure == "in_progress":
        cond, args = _where(scope, sel, agency_col="receiving_agency", prefix="d.")
        end = sel.end_utc
        return await raw(
            f"SELECT {_COLS} FROM dossier d JOIN agency a ON a.id = d.receiving_agency"
            " WHERE d.received_at IS NOT NULL AND d.received_at < {}"
            " AND (d.finished_at IS NULL OR d.finished_at >= {})"
            + cond
            + " ORDER BY d.received_at DESC, d.id DESC"
            " LIMIT {} OFFSET {}",
            end,
            end,
            *args,
            limit,
            offset,
        )
    if figure == "overdue_now":
        return await _overdue(scope, sel, offset=offset, limit=limit, now=now)
    metrics = LISTS[figure]
    if figure == "received_online":
        sel = Selection(**{**_fields(sel), "channel": "truc_tuyen"})
    cond, args = _where(scope, sel, agency_col="agency", prefix="f.")
    marks = ", ".join("{}" for _ in metrics)
    return await raw(
        f"SELECT {_COLS}, f.day FROM stat_fact f JOIN dossier d ON d.id = f.dossier"
        " JOIN agency a ON a.id = f.agency"
        f" WHERE f.metric IN ({marks}) AND f.day >= {{}} AND f.day <= {{}}"
        + cond
        + " ORDER BY f.day DESC, f.id DESC"
        " LIMIT {} OFFSET {}",
        *metrics,
        day_param(sel.start),
        day_param(sel.end),
        *args,
        limit,
        offset,
    )


def _fields(sel: Selection) -> dict[str, Any]:
    return {k: getattr(sel, k) for k in sel.__dataclass_fields__}


async def _overdue(
    scope: Scope, sel: Selection, *, offset: int, limit: int, now: datetime | None
) -> list[dict[str, Any]]:
    now = now or datetime.now(UTC)
    cond, args = _where(scope, sel, agency_col="receiving_agency", prefix="d.")
    return await raw(
        f"SELECT {_COLS} FROM dossier d JOIN agency a ON a.id = d.receiving_agency"
        " WHERE d.state IN ('received', 'in_processing') AND d.due_at < {}"
        " AND (d.extended_due_at IS NULL OR d.extended_due_at < {})" + cond + " ORDER BY d.due_at, d.id"
        " LIMIT {} OFFSET {}",
        now,
        now,
        *args,
        limit,
        offset,
    )


async def overdue_holders(
    scope: Scope, sel: Selection, *, offset: int, limit: int, now: datetime | None = None
) -> list[dict[str, Any]]:
    """One page of the overdue dossiers (most overdue first), each with ``holders``: its active steps
    with the agency, the step, the role and the person holding it (two queries)."""
    rows = [dict(r) for r in await _overdue(scope, sel, offset=offset, limit=limit, now=now)]
    if not rows:
        return rows
    ids = [r["id"] for r in rows]
    marks = ", ".join("{}" for _ in ids)
    steps = await raw(
        "SELECT s.dossier, s.step_id, s.role, s.due_at, s.started_at, a.name AS agency_name,"
        " u.full_name AS assignee_name, u.username AS assignee_username FROM dossier_step s"
        " JOIN agency a ON a.id = s.agency LEFT JOIN motcua_user u ON u.id = s.assignee"
        f" WHERE s.status = 'active' AND s.dossier IN ({marks}) ORDER BY s.stage, s.id",
        *ids,
    )
    by_dossier: dict[int, list[dict[str, Any]]] = {}
    for s in steps:
        by_dossier.setdefault(s["dossier"], []).append(s)
    for r in rows:
        r["holders"] = [
            {**dict(s), "step_name": step_names(r["procedure_code"]).get(s["step_id"], s["step_id"])}
            for s in by_dossier.get(r["id"], [])
        ]
    return rows


def step_names(procedure_code: str) -> dict[str, str]:
    """``{step id: Vietnamese name}`` of the procedure's current route (catalogue, no query)."""
    from core.catalogue.registry import get_catalogue

    cat = get_catalogue()
    proc = cat.procedures.get(procedure_code)
    wf = cat.workflows.get(proc.workflow) if proc else None
    if wf is None:
        return {}
    return {s.id: s.name.vi for stage in wf.stages for s in stage.steps}
