"""What the public sees of one procedure: documents, time, fees (quoted by the owning plugin from the
province's fee table), legal basis, receiving agencies and the route with each step's share of time.
Shared by the HTML page and the JSON API."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.catalogue import service
from core.catalogue.registry import get_catalogue
from core.contract.specs import DomainInfo, FeeQuote, FormSpec, ProcedureSpec, StepSpec, WorkflowSpec
from core.plugins import await_me_maybe, get_plugin_manager

__all__ = ("StepShare", "ProcedureDetails", "quote", "details", "fee_code_labels")

log = logging.getLogger("motcua.catalogue")


@dataclass(frozen=True, slots=True)
class StepShare:
    """A step of the route and its share of the statutory time."""

    stage: int
    """1-based stage number; steps of one stage run at the same time."""
    step: StepSpec
    percent: int
    """Share of the statutory time in whole percent (0 for steps whose time is excluded)."""


@dataclass(frozen=True, slots=True)
class ProcedureDetails:
    spec: ProcedureSpec
    domain: DomainInfo
    form: FormSpec
    workflow: WorkflowSpec
    agencies: list[dict]
    """Agencies that take the procedure in now (``service.agencies_offering``)."""
    quote: FeeQuote | None
    """Fees for an application with no answers yet, from the ``compute_fee`` hook."""
    fee_rows: dict[str, service.FeeRow]
    """The province's fee amounts in force, by fee code (with legal basis)."""
    steps: list[StepShare] = field(default_factory=list)

    @property
    def available(self) -> bool:
        return bool(self.agencies)


async def quote(
    spec: ProcedureSpec,
    application: dict[str, Any],
    *,
    fees: dict[str, int],
    channel: str = "counter",
    today: date | None = None,
    agency: Any = None,
) -> FeeQuote | None:
    """Ask the plugins for a fee quote; a plugin that fails to price an empty application is logged,
    and the page shows the fee table instead of failing."""
    ctx = {"fees": fees, "channel": channel, "today": today or service.today_vn(), "agency": agency}
    try:
        result = get_plugin_manager().hook.compute_fee(procedure=spec, application=application, ctx=ctx)
        return await await_me_maybe(result)
    except Exception:  # a plugin bug must not take the public catalogue down
        log.exception("compute_fee failed for %s", spec.code)
        return None


def _shares(spec: ProcedureSpec, wf: WorkflowSpec) -> list[StepShare]:
    total = spec.processing_days or wf.budget_days() or 0
    out = []
    for i, stage in enumerate(wf.stages, 1):
        for step in stage.steps:
            pct = 0 if step.suspends_for or not total else int(100 * step.days / total + 0.5)
            out.append(StepShare(stage=i, step=step, percent=pct))
    return out


async def details(code: str, *, on: date | None = None) -> ProcedureDetails:
    """Everything shown about procedure ``code``; raises ``NotFound`` for an unknown code."""
    spec = service.procedure_or_404(code)
    cat = get_catalogue()
    on = on or service.today_vn()
    rows = await service.fee_rows(code, on)
    wf = cat.workflows[spec.workflow]
    return ProcedureDetails(
        spec=spec,
        domain=cat.domains[spec.domain],
        form=cat.forms[spec.form],
        workflow=wf,
        agencies=await service.agencies_offering(code),
        quote=await quote(spec, {}, fees={k: r.amount for k, r in rows.items()}, today=on),
        fee_rows=rows,
        steps=_shares(spec, wf),
    )


async def fee_code_labels() -> dict[str, str]:
    """Fee codes the plugins quote (for an empty application), with their Vietnamese labels."""
    labels: dict[str, str] = {}
    for spec in get_catalogue().procedures.values():
        q = await quote(spec, {}, fees={})
        for line in q.lines if q else ():
            labels.setdefault(line.code, line.label.vi)
    return dict(sorted(labels.items()))
