"""Demo dossiers for ``seed_demo_data``: the demo's staff by agency and role, and a driver that takes a
new dossier from the counter (or the portal) to a given state of the lifecycle, each action done by
the user who holds that step's role at that step's agency — exactly as the pages would."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.contract.errors import MotcuaError
from core.dossiers import service as dossiers
from core.fees.service import balance_due, record_payment
from core.identity.current import load_user

__all__ = ("DemoWords", "DemoDriver", "demo_staff", "TARGETS")

log = logging.getLogger("motcua.demo")

TARGETS = (
    "draft",
    "submitted",
    "refused",
    "received",
    "stopped",
    "supplement",
    "closed",
    "suspended",
    "approved",
    "rejected",
    "ready",
    "returned",
)
"""States ``DemoDriver.drive`` knows by itself; a plugin adds its own stops along the route (``pauses``)."""

Pause = Callable[[Any, int], bool]
"""``pause(view, steps_done) → True`` to leave the dossier where it is (checked before each step)."""


@dataclass(frozen=True, slots=True)
class DemoWords:
    """What the demo's officers write when a dossier leaves the happy path (Vietnamese, as on the page)."""

    refuse: str
    """Why intake refuses the dossier (``refused``)."""
    stop: str
    """The applicant's request to stop (``stopped``)."""
    supplement_items: Sequence[str]
    """The documents asked for (``supplement``, ``closed``)."""
    supplement_reason: str
    reject: str
    """Why the deciding officer refuses (``rejected``)."""
    suspend: str = "Tạm dừng giải quyết để chờ kết quả xác minh."
    suspend_code: str = "other"
    close: str = "Quá thời hạn bổ sung hồ sơ mà người nộp không bổ sung."
    """What the nightly clock scan writes when the supplement never comes (``closed``)."""


async def demo_staff(users: Mapping[str, int]) -> dict[tuple[int, str], Any]:
    """``(agency id, role) → user view`` for the demo users (the first by username holding it), and
    ``(0, "citizen")`` for the first citizen account; ``users`` is ``ctx["users"]`` of the hook."""
    out: dict[tuple[int, str], Any] = {}
    for username in sorted(users):
        view = await load_user(users[username])
        if view is None:
            continue
        for agency_id, role in sorted(view.grants):
            out.setdefault((agency_id, role), view)
        if not view.is_staff:
            out.setdefault((0, "citizen"), view)
    return out


class DemoDriver:
    """Takes demo dossiers to a target state. ``step_inputs(view, step)`` gives what an officer types
    when completing a step that asks for input (or None); ``pauses`` names extra target states by
    where the route stops (``{"at_tax": lambda view, done: done >= 1}``)."""

    def __init__(
        self,
        staff: Mapping[tuple[int, str], Any],
        words: DemoWords,
        *,
        name: str,
        step_inputs: Callable[[Any, Any], Mapping[str, Any] | None] | None = None,
        pauses: Mapping[str, Pause] | None = None,
    ) -> None:
        self.staff = staff
        self.words = words
        self.name = name
        self.step_inputs = step_inputs
        self.pauses = dict(pauses or {})

    def who(self, agency_id: int, role: str) -> Any:
        return self.staff.get((agency_id, role))

    async def step(
        self, view: Any, action: str = "complete_step", *, only: str | None = None, **kw: Any
    ) -> Any:
        """Do ``action`` on the first active step (or the active step ``only``) as its role's holder."""
        active = [s for s in view.steps if s.status == "active" and (only is None or s.step_id == only)]
        if not active:
            raise LookupError("no active step")
        s = active[0]
        actor = self.who(s.agency.id, s.role)
        if actor is None:
            raise LookupError(f"no {s.role} at {s.agency.code}")
        inputs = self.step_inputs(view, s) if action == "complete_step" and self.step_inputs else None
        if inputs is not None:
            return await dossiers.act(
                view.id, action, actor=actor, version=view.version, step_id=s.id, **inputs
            )
        return await getattr(dossiers, action)(view.id, s.id, actor=actor, version=view.version, **kw)

    async def drive(
        self,
        procedure: str,
        agency: Any,
        applicant: Mapping[str, Any],
        data: Mapping[str, Any],
        target: str,
        *,
        first_step: str | None = None,
    ) -> None:
        """Create the dossier at ``agency`` and take it to ``target``; a refusal by core on the way
        (a rule, a missing officer) is logged with its reason and leaves the dossier where it stopped.
        ``first_step``: the step id the supplement request and the first completion act on, when the
        first stage has several steps."""
        if target not in TARGETS and target not in self.pauses:
            raise ValueError(f"unknown demo target {target!r}")
        try:
            await self._drive(procedure, agency, dict(applicant), dict(data), target, first_step)
        except (MotcuaError, LookupError) as exc:
            log.warning(
                "%s demo: %s dossier at %s stopped before '%s': %s",
                self.name,
                procedure,
                agency.code,
                target,
                exc,
            )

    async def _drive(
        self, procedure: str, agency: Any, applicant: dict, data: dict, target: str, first_step: str | None
    ) -> None:
        w = self.words
        receiver = self.who(agency.id, "receiver")
        if receiver is None:
            raise LookupError(f"no receiver at {agency.code}")
        if target == "submitted":  # sent online by the demo citizen, waiting at the counter for intake
            citizen = self.who(0, "citizen")
            if citizen is None:
                raise LookupError("no citizen account among the demo users")
            view = await dossiers.create(
                procedure, agency.id, actor=citizen, applicant=applicant, data=data, channel="truc_tuyen"
            )
            await dossiers.submit(view.id, actor=citizen, version=view.version)
            return
        view = await dossiers.create(
            procedure, agency.id, actor=receiver, applicant=applicant, data=data, channel="truc_tiep"
        )
        if target == "draft":
            return
        if target == "refused":
            await dossiers.refuse_intake(view.id, actor=receiver, version=view.version, reasons=w.refuse)
            return
        view = await dossiers.receive(view.id, actor=receiver, version=view.version)
        if target == "received":
            return
        if target == "stopped":
            await dossiers.stop(view.id, actor=receiver, version=view.version, reason=w.stop)
            return
        if target in ("supplement", "closed"):
            view = await self.step(
                view,
                "request_supplement",
                only=first_step,
                items=list(w.supplement_items),
                reason=w.supplement_reason,
            )
            if target == "closed":
                await dossiers.close_unanswered(view.id, version=view.version, note=w.close)
            return
        if target == "suspended":
            await self.step(view, "suspend", only=first_step, reason_code=w.suspend_code, reason=w.suspend)
            return
        view = await self._through_the_route(view, target, first_step)
        if view is None or target not in ("ready", "returned"):
            return
        view = await dossiers.mark_result_ready(view.id, actor=receiver, version=view.version)
        if target == "ready":
            return
        if due := await balance_due(view.id):
            await record_payment(view.id, actor=receiver, method="cash", amount=due)
            view = await dossiers.get(view.id)
        await dossiers.return_result(
            view.id,
            actor=receiver,
            version=view.version,
            channel="counter",
            receiver={"name": applicant["name"], "id_number": applicant["id_number"]},
            originals_received=True,  # the clerk collects any originals owed (R30) at the hand-over
        )

    async def _through_the_route(self, view: Any, target: str, first_step: str | None) -> Any:
        """Every step done by its officer, approving at the decision; None when the dossier stopped
        for good on the way (``rejected``) or paused where the target says."""
        pause = self.pauses.get(target)
        done = 0
        while any(s.status == "active" for s in view.steps):
            if pause is not None and pause(view, done):
                return None
            active = next(
                (s for s in view.steps if s.status == "active" and (done or first_step in (None, s.step_id))),
                None,
            )
            if active is None:
                raise LookupError(f"no active step {first_step}")
            if "approve" in active.outcomes:
                if target == "rejected":
                    await self.step(view, "reject", only=active.step_id, reasons=self.words.reject)
                    return None
                view = await self.step(view, "approve", only=active.step_id)
            else:
                view = await self.step(view, only=active.step_id)
            done += 1
        return view
