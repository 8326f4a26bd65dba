"""Stop requests (form 05, R27) waiting for a leader's decision, listed per receiving agency.

The applicant's request is the ``request_stop`` action (the dossier's ``stop_requested_at`` is set);
a leader of the receiving agency decides it with ``stop`` (form 05 issued) or ``refuse_stop`` (with the
reason). Two queries whatever the number of requests.
"""

from __future__ import annotations

from typing import Any

from core.dossiers.states import BEFORE_DECISION
from core.dossiers.tables import Dossier, DossierEvent

__all__ = ("pending", "LIMIT")

LIMIT = 200
"""Most requests listed at once (oldest first): more than any agency has waiting."""


async def pending(agency_ids: set[int] | list[int]) -> list[dict[str, Any]]:
    """Dossiers received by ``agency_ids`` with a stop request waiting, oldest request first: the
    dossier's columns the page shows plus ``reason`` (the request's note), ``requested_by`` and
    ``request_seq``."""
    if not agency_ids:
        return []
    rows = (
        await Dossier.select(
            Dossier.id,
            Dossier.code,
            Dossier.procedure_code,
            Dossier.state,
            Dossier.version,
            Dossier.applicant_name,
            Dossier.due_at,
            Dossier.extended_due_at,
            Dossier.stop_requested_at,
            Dossier.receiving_agency.name.as_alias("agency_name"),
        )
        .where(
            Dossier.stop_requested_at.is_not_null()
            & Dossier.receiving_agency.is_in(sorted(agency_ids))
            & Dossier.state.is_in(sorted(s.value for s in BEFORE_DECISION))
        )
        .order_by(Dossier.stop_requested_at)
        .limit(LIMIT)
    )
    if not rows:
        return []
    events = (
        await DossierEvent.select(
            DossierEvent.dossier,
            DossierEvent.seq,
            DossierEvent.note,
            DossierEvent.actor.full_name.as_alias("actor_name"),
        )
        .where(DossierEvent.dossier.is_in([r["id"] for r in rows]) & (DossierEvent.action == "request_stop"))
        .order_by(DossierEvent.seq)
    )
    latest = {e["dossier"]: e for e in events}  # in seq order: the last one per dossier wins
    for r in rows:
        e = latest.get(r["id"]) or {}
        r["reason"] = e.get("note", "")
        r["requested_by"] = e.get("actor_name") or ""
        r["request_seq"] = e.get("seq")
    return rows
