"""Accountability reports: late dossiers per unit (R23) and applicants made to come back more than
twice (R12).

Lateness is the unit's whose step overran (``flag_late`` events name it, ``core.dossiers.actions``),
not the receiving desk's: the report counts, per unit, the dossiers it made late in the period and how
many of them it apologised for (form 04 from that same unit). An applicant "comes back" once per
supplement request; NĐ 63/2010 Art. 20(4) forbids more than two, so the second list holds every
dossier with three or more requests (any agency), with who asked and when. Each report is one query.
"""

from __future__ import annotations

from typing import Any

from core.db.tx import raw
from core.stats.scope import Scope
from core.stats.service import Selection

__all__ = ("late_by_unit", "repeat_supplements", "MAX_RETURNS")

MAX_RETURNS = 2
"""Times an applicant may be made to come back to supplement one matter (NĐ 63/2010 Art. 20(4))."""


def _scope(scope: Scope, sel: Selection, col: str) -> tuple[str, list[Any]]:
    sql, args = "", list[Any]()
    if not scope.province:
        sql += f" AND {col} IN ({', '.join('{}' for _ in scope.agencies)})"
        args += list(scope.agencies)
    if sel.agency is not None:
        sql += f" AND {col} = {{}}"
        args.append(sel.agency)
    if sel.domain:
        sql += " AND d.domain = {}"
        args.append(sel.domain)
    if sel.procedure:
        sql += " AND d.procedure_code = {}"
        args.append(sel.procedure)
    if sel.channel:
        sql += " AND d.channel = {}"
        args.append(sel.channel)
    return sql, args


async def late_by_unit(scope: Scope, sel: Selection) -> list[dict[str, Any]]:
    """Per unit whose step overran in the period (a leader sees the units of their scope): ``agency``,
    ``name``, ``late`` (dossiers it made late), ``apologised`` (of those, with its form 04),
    ``still_open`` (not yet decided); most late first."""
    cond, args = _scope(scope, sel, "e.agency")
    return await raw(
        "SELECT e.agency, a.name, COUNT(DISTINCT e.dossier) AS late,"
        " COUNT(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM dossier_event p WHERE p.dossier = e.dossier"
        " AND p.action = {} AND p.agency = e.agency) THEN e.dossier END) AS apologised,"
        " COUNT(DISTINCT CASE WHEN d.finished_at IS NULL THEN e.dossier END) AS still_open"
        " FROM dossier_event e JOIN dossier d ON d.id = e.dossier JOIN agency a ON a.id = e.agency"
        " WHERE e.action = {} AND e.at >= {} AND e.at < {}" + cond + " GROUP BY e.agency, a.name"
        " ORDER BY late DESC, a.name",
        "apologise",
        "flag_late",
        sel.start_utc,
        sel.end_utc,
        *args,
    )


async def repeat_supplements(
    scope: Scope, sel: Selection, *, offset: int = 0, limit: int = 50
) -> list[dict[str, Any]]:
    """Dossiers (of receiving agencies in scope) with a supplement request in the period whose
    applicant was asked to come back more than ``MAX_RETURNS`` times in all: ``id``, ``code``,
    ``procedure_code``, ``agency_name`` (receiving), ``requests``, ``last_at``; most requests first."""
    cond, args = _scope(scope, sel, "d.receiving_agency")
    return await raw(
        "SELECT d.id, d.code, d.procedure_code, a.name AS agency_name, COUNT(*) AS requests,"
        " MAX(e.at) AS last_at FROM dossier_event e JOIN dossier d ON d.id = e.dossier"
        " JOIN agency a ON a.id = d.receiving_agency WHERE e.action = {}"
        " AND d.id IN (SELECT r.dossier FROM dossier_event r WHERE r.action = {} AND r.at >= {} AND r.at < {})"
        + cond
        + " GROUP BY d.id, d.code, d.procedure_code, a.name HAVING COUNT(*) > {}"
        " ORDER BY requests DESC, last_at DESC, d.id LIMIT {} OFFSET {}",
        "request_supplement",
        "request_supplement",
        sel.start_utc,
        sel.end_utc,
        *args,
        MAX_RETURNS,
        limit,
        offset,
    )
