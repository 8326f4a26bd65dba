"""Procedure versions: effective-dated snapshots of what a dossier is bound to when it is received.

A snapshot holds the documents, time limit, cut-off, supplement policy, financial obligation, the
route (stages, steps, days) and the fee amounts in force. A version row is created the first time a
procedure is asked for and whenever its spec or its province data change; rows are never edited, so a
dossier that stores its ``version_id`` keeps its deadline whatever is edited later.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from core.catalogue import service
from core.catalogue.registry import get_catalogue
from core.catalogue.tables import ProcedureVersion
from core.contract.errors import NotFound
from core.contract.specs import L, ProcedureSpec
from core.db.tx import is_postgres, raw, write_tx

__all__ = ("snapshot", "version_in_force", "get_version", "clear_cache")

_data_cache: dict[int, dict[str, Any]] = {}
"""Version id → snapshot (rows are immutable, so this never goes stale)."""
_spec_cache: dict[ProcedureSpec, dict[str, Any]] = {}
"""Spec → the spec part of its snapshot (specs are frozen and hashable)."""


def clear_cache() -> None:
    """Forget cached snapshots (tests that rebuild the catalogue or the database)."""
    from core.catalogue import snapshot

    _data_cache.clear()
    _spec_cache.clear()
    snapshot.clear_cache()


def _label(value: L | None) -> dict[str, str] | None:
    return None if value is None else {"vi": value.vi, "en": value.en}


def _spec_part(spec: ProcedureSpec) -> dict[str, Any]:
    cached = _spec_cache.get(spec)
    if cached is not None:
        return cached
    wf = get_catalogue().workflows[spec.workflow]
    part = {
        "procedure_code": spec.code,
        "name": _label(spec.name),
        "domain": spec.domain,
        "agency_level": spec.agency_level,
        "processing_days": spec.processing_days,
        "remote_area_extra_days": spec.remote_area_extra_days,
        "remote_area_basis": spec.remote_area_basis or None,
        "cutoff": spec.cutoff.strftime("%H:%M"),
        "supplement_policy": spec.supplement_policy,
        "supplement_limit_days": spec.supplement_limit_days,
        "financial_obligation": spec.financial_obligation,
        "online_level": spec.online_level,
        "sets": spec.sets,
        "legal_basis": list(spec.legal_basis),
        "results": list(spec.results),
        "spec_effective_from": spec.effective_from.isoformat(),
        "documents": [
            {
                "code": d.code,
                "name": _label(d.name),
                "originals": d.originals,
                "copies": d.copies,
                "required": d.required,
                "note": _label(d.note),
                "template": d.template,
                "upload": d.upload,
            }
            for d in spec.documents
        ],
        "workflow": {
            "id": wf.id,
            "name": _label(wf.name),
            "budget_days": wf.budget_days(),
            "stages": [
                [
                    {
                        "id": s.id,
                        "name": _label(s.name),
                        "role": s.role,
                        "agency": s.agency,
                        "days": s.days,
                        "suspends_for": s.suspends_for,
                        "outcomes": list(s.outcomes),
                        "appointment": s.appointment,
                        "results": list(s.results),
                    }
                    for s in stage.steps
                ]
                for stage in wf.stages
            ],
        },
    }
    part = json.loads(json.dumps(part, ensure_ascii=False))
    _spec_cache[spec] = part
    return part


def snapshot(spec: ProcedureSpec, fees: dict[str, service.FeeRow]) -> dict[str, Any]:
    """The snapshot of ``spec`` with the fee rows in force (plain JSON types only)."""
    return {
        **_spec_part(spec),
        "fees": {code: f.amount for code, f in sorted(fees.items())},
        "fee_legal_basis": {code: f.legal_basis for code, f in sorted(fees.items())},
    }


def _load(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else value


async def _in_force(code: str, on: date) -> dict | None:
    return (
        await ProcedureVersion.select(
            ProcedureVersion.id, ProcedureVersion.version, ProcedureVersion.effective_from
        )
        .where(
            (ProcedureVersion.procedure_code == code)
            & (ProcedureVersion.effective_from.is_null() | (ProcedureVersion.effective_from <= on))
        )
        .order_by(ProcedureVersion.effective_from, ascending=False)
        .order_by(ProcedureVersion.version, ascending=False)
        .first()
    )


async def get_version(version_id: int) -> dict[str, Any]:
    """The snapshot stored under ``version_id`` (cached; rows never change)."""
    cached = _data_cache.get(version_id)
    if cached is not None:
        return cached
    row = (
        await ProcedureVersion.select(ProcedureVersion.data).where(ProcedureVersion.id == version_id).first()
    )
    if row is None:
        raise NotFound(f"Không có phiên bản thủ tục số {version_id}.")
    data = _data_cache[version_id] = _load(row["data"])
    return data


async def version_in_force(
    procedure_code: str, on: date | None = None, *, actor_id: int | None = None
) -> tuple[int, dict[str, Any]]:
    """``(version_id, snapshot)`` of the procedure as in force on ``on`` (today in Vietnam by default).

    Two small indexed queries when nothing changed; when the spec or the fee table changed since the
    version in force, a new version row is written (effective from the date the change took effect)
    and returned. Joins the caller's write transaction when there is one.
    """
    spec = service.procedure_or_404(procedure_code)
    on = on or service.today_vn()
    fees = await service.fee_rows(procedure_code, on)
    snap = snapshot(spec, fees)
    current = await _in_force(procedure_code, on)
    if current is not None and await get_version(current["id"]) == snap:
        return current["id"], _data_cache[current["id"]]
    starts = max([spec.effective_from, *(f.effective_from for f in fees.values() if f.effective_from)])
    current_from = service._as_date(current["effective_from"]) if current else None
    if starts > on or (current_from is not None and current_from >= starts):
        starts = on  # the change is not dated by the data (a new release of the plugin): from today
    return await _create(procedure_code, on, starts, snap, actor_id)


async def _create(
    code: str, on: date, starts: date, snap: dict[str, Any], actor_id: int | None
) -> tuple[int, dict]:
    async with write_tx():
        if is_postgres():  # serialise creators of one procedure's versions (SQLite: the writer lock does)
            await raw("SELECT pg_advisory_xact_lock(hashtext({}))", f"procedure_version:{code}")
        current = await _in_force(code, on)
        if current is not None and await get_version(current["id"]) == snap:
            return current["id"], _data_cache[current["id"]]  # another request created it meanwhile
        latest = (
            await ProcedureVersion.select(ProcedureVersion.version)
            .where(ProcedureVersion.procedure_code == code)
            .order_by(ProcedureVersion.version, ascending=False)
            .first()
        )
        number = (latest["version"] if latest else 0) + 1
        row = ProcedureVersion(
            procedure_code=code,
            version=number,
            effective_from=starts,
            data=snap,
            note=f"Phiên bản {number}",
            created_by=actor_id,
            created_at=datetime.now(UTC),
        )
        await row.save()
    _data_cache[row.id] = snap
    return row.id, snap
