"""The procedure-version snapshot, typed: what a dossier is bound to when it is received.

``core.catalogue.versions`` writes snapshots as JSON (``procedure_version.data``); everything that
reads one (the bound route, the clock rules, the result documents, the clock scan) gets a
``ProcedureSnapshot`` from here, decoded in this one place. A key missing from a stored snapshot
(one written by an older release) decodes as None, which readers take as "the declaration says".

``format`` versions the layout: absent from the snapshots written so far, it decodes as 1; a later
layout writes its number and is decoded (or refused, when this release does not know it) here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Any

import msgspec

from core.contract.specs import L, StageSpec, StepSpec, WorkflowSpec

__all__ = (
    "FORMAT",
    "Label",
    "StepSnapshot",
    "WorkflowSnapshot",
    "DocumentSnapshot",
    "ProcedureSnapshot",
    "decode",
    "get_snapshot",
    "remember",
    "clear_cache",
)

FORMAT = 1
"""The snapshot layout this release reads and writes."""


class Label(msgspec.Struct, frozen=True):
    vi: str | None = None
    en: str | None = None

    def spec(self) -> L:
        return L(self.vi or "", self.en or "")


class StepSnapshot(msgspec.Struct, frozen=True):
    id: str
    role: str
    name: Label | None = None
    agency: str | None = None
    days: float | None = None
    suspends_for: str | None = None
    outcomes: tuple[str, ...] | None = None
    appointment: int | None = None
    results: tuple[str, ...] | None = None


class WorkflowSnapshot(msgspec.Struct, frozen=True):
    id: str | None = None
    name: Label | None = None
    budget_days: float | None = None
    stages: tuple[tuple[StepSnapshot, ...], ...] = ()


class DocumentSnapshot(msgspec.Struct, frozen=True):
    code: str
    name: Label | None = None
    originals: int | None = None
    copies: int | None = None
    required: bool | None = None
    note: Label | None = None
    template: str | None = None
    upload: bool | None = None


class ProcedureSnapshot(msgspec.Struct, frozen=True):
    """One stored procedure version (see ``core.catalogue.versions.snapshot`` for how it is made)."""

    format: int = FORMAT
    procedure_code: str | None = None
    name: Label | None = None
    domain: str | None = None
    agency_level: str | None = None
    processing_days: float | None = None
    remote_area_extra_days: int | None = None
    remote_area_basis: str | None = None
    """The legal basis of the remote-area extension (R19)."""
    cutoff: str | None = None
    """``HH:MM`` (Vietnam time)."""
    supplement_policy: str | None = None
    supplement_limit_days: int | None = None
    financial_obligation: bool | None = None
    online_level: str | None = None
    sets: int | None = None
    legal_basis: tuple[str, ...] = ()
    results: tuple[str, ...] | None = None
    """The result documents issued when the route ends (None: the declaration's)."""
    spec_effective_from: str | None = None
    documents: tuple[DocumentSnapshot, ...] = ()
    workflow: WorkflowSnapshot | None = None
    fees: dict[str, int] = {}
    fee_legal_basis: dict[str, str] = {}

    @property
    def cutoff_time(self) -> time | None:
        return time.fromisoformat(self.cutoff) if self.cutoff else None

    def route(self, declared: WorkflowSpec) -> WorkflowSpec:
        """The route stored in this version as a ``WorkflowSpec`` (``declared`` when none is stored):
        a later release that renames, adds or drops steps never strands a dossier mid-route."""
        wf = self.workflow
        if wf is None or not wf.stages:
            return declared
        key = (wf, wf.id or declared.id)
        cached = _routes.get(key)
        if cached is not None:
            return cached
        stages = tuple(
            StageSpec(
                steps=tuple(
                    StepSpec(
                        id=s.id,
                        name=(s.name or Label()).spec(),
                        role=s.role,
                        agency=s.agency or "receiving",
                        days=float(s.days or 0),
                        suspends_for=s.suspends_for,
                        outcomes=tuple(s.outcomes or ("complete", "return", "supplement")),
                        appointment=s.appointment,
                        results=tuple(s.results or ()),
                    )
                    for s in stage
                )
            )
            for stage in wf.stages
        )
        route = WorkflowSpec(id=wf.id or declared.id, name=(wf.name or Label()).spec(), stages=stages)
        _routes[key] = route
        return route


_routes: dict[tuple[WorkflowSnapshot, str], WorkflowSpec] = {}
"""Stored route → the route; keyed by content (version ids restart with a new database)."""
_decoded: dict[int, tuple[Mapping[str, Any], ProcedureSnapshot]] = {}
"""Version id → (the stored JSON it was decoded from, the snapshot)."""


def decode(data: Mapping[str, Any] | None) -> ProcedureSnapshot:
    """A stored snapshot (JSON text or loaded) as a ``ProcedureSnapshot``; unknown keys are ignored,
    numbers written as text are read as numbers."""
    if data is None:
        return ProcedureSnapshot()
    if isinstance(data, str | bytes):
        data = msgspec.json.decode(data)
    found = data.get("format", FORMAT) if isinstance(data, Mapping) else FORMAT
    if isinstance(found, int) and found > FORMAT:
        raise ValueError(f"procedure snapshot format {found} is newer than this release reads ({FORMAT})")
    return msgspec.convert(data, ProcedureSnapshot, strict=False)


def remember(version_id: int, data: Mapping[str, Any]) -> ProcedureSnapshot:
    """The snapshot of ``version_id`` decoded from ``data`` (its stored JSON), cached."""
    got = _decoded.get(version_id)
    if got is not None and got[0] is data:
        return got[1]
    snap = decode(data)
    _decoded[version_id] = (data, snap)
    return snap


async def get_snapshot(version_id: int) -> ProcedureSnapshot:
    """The snapshot stored under ``version_id`` (one cached query per version; rows never change)."""
    from core.catalogue.versions import get_version

    return remember(version_id, await get_version(version_id))


def clear_cache() -> None:
    _decoded.clear()
    _routes.clear()
