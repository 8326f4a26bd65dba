"""Route steps of a dossier: placing each step at a concrete agency (``assign_step``), instantiating
the ``DossierStep`` rows, activating the next stage, sending a stage back.

Runs inside the caller's write transaction; never commits on its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.contract.errors import Unavailable
from core.contract.specs import AgencyRef, StepSpec, WorkflowSpec
from core.dossiers import timing
from core.dossiers.tables import DossierStep, Suspension
from core.plugins import await_me_maybe, get_plugin_manager

__all__ = ("place", "instantiate", "activate_stage", "open_rows", "copy_stage", "step_spec")


def step_spec(wf: WorkflowSpec, step_id: str) -> StepSpec | None:
    return next((s for s in wf.steps() if s.id == step_id), None)


def directory():
    """The agency directory of the identity service (by_id, by_code, sector, ancestor)."""
    try:
        from core.identity.agencies import agency_directory
    except ImportError:  # older layout: the identity service module
        from core.identity.service import agency_directory

    return agency_directory()


async def place(dossier: dict[str, Any], wf: WorkflowSpec) -> list[tuple[int, StepSpec, AgencyRef]]:
    """``(stage number, step, agency)`` for every step of the route, in order."""
    pm = get_plugin_manager()
    agencies = await await_me_maybe(directory())
    out = []
    for n, stage in enumerate(wf.stages, start=1):
        for step in stage.steps:
            ref = await await_me_maybe(
                pm.hook.assign_step(dossier=dossier, step=step, ctx={"agencies": agencies})
            )
            if ref is None:
                raise Unavailable(
                    f"Không xác định được cơ quan thực hiện bước '{step.name.vi}' "
                    f"(bộ chọn '{step.agency}'): kiểm tra danh mục cơ quan của tỉnh."
                )
            out.append((n, step, ref))
    return out


async def step_due(
    start: datetime, budget: int, sessions, spec: StepSpec | None, dossier_due: datetime | None
) -> datetime | None:
    """A step's due: none while it stops the clock, the dossier's due when it has no budget of its
    own (same-day procedures), otherwise ``start`` plus its budget in working time."""
    if spec is not None and spec.suspends_for:
        return None
    if budget <= 0:
        return dossier_due
    return await timing.add(start, budget, sessions)


_READ: Any = object()
"""``dossier_due`` not given: read it."""


async def _dossier_due(dossier_id: int) -> datetime | None:
    from core.dossiers.tables import Dossier

    row = (
        await Dossier.select(Dossier.due_at, Dossier.extended_due_at).where(Dossier.id == dossier_id).first()
    )
    return (row["extended_due_at"] or row["due_at"]) if row else None


async def instantiate(
    dossier_id: int,
    placed: list[tuple[int, StepSpec, AgencyRef]],
    budgets: dict[str, int],
    start: datetime,
    sessions_of,
    dossier_due: datetime | None = None,
    handed_by: int | None = None,
) -> None:
    """Insert the step rows: stage 1 active from ``start`` (handed over by ``handed_by``, the
    receiving clerk), later stages waiting."""
    rows = []
    for stage, step, ref in placed:
        active = stage == 1
        budget = budgets.get(step.id, 0)
        due = await step_due(start, budget, await sessions_of(ref.id), step, dossier_due) if active else None
        rows.append(
            DossierStep(
                dossier=dossier_id,
                stage=stage,
                step_id=step.id,
                agency=ref.id,
                role=step.role,
                status="active" if active else "waiting",
                budget_minutes=budget,
                started_at=start if active else None,
                due_at=due,
                handed_by=handed_by if active else None,
            )
        )
    await DossierStep.insert(*rows)
    for stage, step, _ref in placed:
        if stage == 1 and step.suspends_for:
            await Suspension.insert(
                Suspension(dossier=dossier_id, reason=step.suspends_for, step_id=step.id, started_at=start)
            )


async def open_rows(dossier_id: int) -> list[dict[str, Any]]:
    """Active and waiting step rows, ordered by stage."""
    return (
        await DossierStep.select()
        .where((DossierStep.dossier == dossier_id) & DossierStep.status.is_in(["active", "waiting"]))
        .order_by(DossierStep.stage)
        .order_by(DossierStep.id)
    )


async def activate_stage(
    dossier_id: int,
    stage: int,
    wf: WorkflowSpec,
    now: datetime,
    sessions_of,
    handed_by: int | None = None,
    *,
    dossier_due: Any = _READ,
) -> list[dict]:
    """Make the waiting steps of ``stage`` active from ``now``, handed over by ``handed_by`` (the user
    who finished the stage before); opens the suspensions of steps that stop the clock. Returns the
    activated rows. ``dossier_due``: the dossier's due as stored (read when not given)."""
    rows = await DossierStep.select().where(
        (DossierStep.dossier == dossier_id) & (DossierStep.stage == stage) & (DossierStep.status == "waiting")
    )
    if dossier_due is _READ:
        dossier_due = await _dossier_due(dossier_id)
    for row in rows:
        spec = step_spec(wf, row["step_id"])
        due = await step_due(now, row["budget_minutes"], await sessions_of(row["agency"]), spec, dossier_due)
        await DossierStep.update(
            {
                DossierStep.status: "active",
                DossierStep.started_at: now,
                DossierStep.due_at: due,
                DossierStep.handed_by: handed_by,
            }
        ).where(DossierStep.id == row["id"])
        if spec is not None and spec.suspends_for:
            await Suspension.insert(
                Suspension(dossier=dossier_id, reason=spec.suspends_for, step_id=spec.id, started_at=now)
            )
    return rows


async def copy_stage(
    dossier_id: int,
    stage: int,
    *,
    status: str,
    now: datetime | None,
    sessions_of,
    wf: WorkflowSpec,
    handed_by: int | None = None,
    dossier_due: Any = _READ,
) -> None:
    """Insert fresh rows for every step of ``stage`` (the latest row of each step is the template):
    used when a stage is sent back, so the finished rows keep their record for the control sheet.
    ``dossier_due``: the dossier's due as stored (read when not given)."""
    rows = (
        await DossierStep.select()
        .where((DossierStep.dossier == dossier_id) & (DossierStep.stage == stage))
        .order_by(DossierStep.id)
    )
    latest: dict[str, dict] = {}
    for row in rows:
        latest[row["step_id"]] = row
    new = []
    if dossier_due is _READ:
        dossier_due = await _dossier_due(dossier_id)
    for row in latest.values():
        active = status == "active"
        spec = step_spec(wf, row["step_id"])
        due = (
            await step_due(now, row["budget_minutes"], await sessions_of(row["agency"]), spec, dossier_due)
            if active and now is not None
            else None
        )
        new.append(
            DossierStep(
                dossier=dossier_id,
                stage=stage,
                step_id=row["step_id"],
                agency=row["agency"],
                role=row["role"],
                status=status,
                budget_minutes=row["budget_minutes"],
                started_at=now if active else None,
                due_at=due,
                handed_by=handed_by if active else None,
            )
        )
    if new:
        await DossierStep.insert(*new)
    if status == "active":
        for row in latest.values():
            spec = step_spec(wf, row["step_id"])
            if spec is not None and spec.suspends_for:
                await Suspension.insert(
                    Suspension(dossier=dossier_id, reason=spec.suspends_for, step_id=spec.id, started_at=now)
                )
