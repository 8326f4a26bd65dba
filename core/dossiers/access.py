"""Who may see a dossier, and which actions a user may offer on it (for pages and the API).

The service re-checks everything when an action is attempted; this module only decides what to show.
"""

from __future__ import annotations

from typing import Any

from core.dossiers.states import TRANSITIONS, State
from core.dossiers.views import DossierView

__all__ = ("can_view", "may_see", "seen_by", "staff_agencies", "step_reached", "allowed_actions",
           "UI_ACTIONS")

UI_ACTIONS: tuple[str, ...] = (
    "receive",
    "request_supplement",
    "refuse_intake",
    "resubmit",
    "complete_step",
    "approve",
    "reject",
    "return_step",
    "suspend",
    "resume",
    "mark_result_ready",
    "return_result",
    "stop",
    "apologise",
)
"""Actions people take from the dossier page (``submit`` is the applicant's, the rest are the system's)."""


REACHED: tuple[str, ...] = ("active", "done", "returned")
"""Step states that only an activated step can be in (``waiting`` and ``cancelled`` can be either)."""


def step_reached(status: str, started_at: Any) -> bool:
    """A step counts for visibility once it has been activated (handed over to its agency): it is, or
    was, at that agency. A step still waiting in a later stage does not, nor one cancelled unstarted."""
    return started_at is not None or status in REACHED


def may_see(user: Any, applicant_id: int | None, agencies: set[int]) -> bool:
    """The one read rule (DESIGN.md, security model): the applicant; a province administrator; staff
    with a role at one of ``agencies`` — the receiving agency and the agencies of reached steps."""
    if user is None:
        return False
    if applicant_id is not None and applicant_id == user.id:
        return True
    if "province_admin" in user.roles:
        return True
    return any(agency_id in agencies and role != "citizen" for agency_id, role in user.grants)


def seen_by(view: DossierView) -> set[int]:
    """The agencies whose staff see the dossier: the receiving agency and those of reached steps."""
    reached = (s.agency.id for s in view.steps if step_reached(s.status, s.started_at))
    return {view.receiving_agency.id, *reached}


def can_view(user: Any, view: DossierView) -> bool:
    """``may_see`` for a loaded dossier (pages and the JSON API)."""
    return may_see(user, view.applicant_id, seen_by(view))


async def staff_agencies(dossier_id: int, receiving_agency: int) -> set[int]:
    """``seen_by`` without loading the dossier's view: one indexed query on its steps."""
    from core.dossiers.tables import DossierStep

    rows = await DossierStep.select(DossierStep.agency).where(
        (DossierStep.dossier == dossier_id)
        & (DossierStep.started_at.is_not_null() | DossierStep.status.is_in(list(REACHED)))
    )
    return {receiving_agency, *(r["agency"] for r in rows)}


def _step_actions(user: Any, view: DossierView, action: str) -> list[dict[str, Any]]:
    out = []
    needed = {"complete_step": "complete", "approve": "approve", "reject": "reject", "return_step": "return",
              "request_supplement": "supplement", "suspend": None}[action]
    for s in view.active_steps():
        if not user.has_role(s.role, s.agency.id):
            continue
        if needed is not None and needed not in s.outcomes:
            continue
        if action == "return_step" and s.stage == min(x.stage for x in view.steps):
            continue
        out.append({"action": action, "step_id": s.id, "step": s.name, "agency": s.agency.name})
    return out


def allowed_actions(user: Any, view: DossierView) -> list[dict[str, Any]]:
    """``[{action, step_id?, step?, agency?}]`` the user may try now (roles and states, not inputs)."""
    if user is None:
        return []
    out: list[dict[str, Any]] = []
    state = State(view.state)
    for action in UI_ACTIONS:
        tr = next((t for t in TRANSITIONS if t.action == action and state in t.frm), None)
        if tr is None:
            continue
        for who in tr.who:
            if who == "step":
                found = _step_actions(user, view, action)
                if found:
                    out += found
                    break
            elif who == "applicant":
                if view.applicant_id == user.id and action in ("resubmit", "stop"):
                    out.append({"action": action})
                    break
            elif "@" in who:
                role, where = who.split("@", 1)
                if where == "receiving":
                    agencies = [view.receiving_agency.id]
                elif where == "late":
                    first = view.late_agency_id or view.receiving_agency.id
                    agencies = [first, *(s.agency.id for s in view.active_steps())]
                else:
                    agencies = [s.agency.id for s in view.active_steps()]
                if any(user.has_role(role, a) for a in agencies):
                    out.append({"action": action})
                    break
    return out
