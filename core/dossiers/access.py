"""Who may see a dossier, and which actions a user may offer on it (for pages and the API).

The service re-checks everything when an action is attempted; this module only decides what to show.
"""

from __future__ import annotations

from typing import Any

from core.contract.errors import NotFound
from core.contract.views import DossierView
from core.dossiers import reads
from core.dossiers.states import TRANSITIONS, State

__all__ = (
    "can_view",
    "may_see",
    "seen_by",
    "staff_agencies",
    "step_reached",
    "allowed_actions",
    "not_found",
    "readable_id",
    "readable_view",
    "public_view",
    "UI_ACTIONS",
)

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
    "request_stop",
    "refuse_stop",
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


def not_found(ref: Any) -> NotFound:
    """The one answer for a dossier that does not exist *or* that the caller may not read: the same
    status and the same message (only the identifier the caller sent is echoed), so nobody learns
    from it whether someone else's dossier, or draft, exists."""
    text = str(ref).strip()[:64]
    return NotFound(f"Không tìm thấy hồ sơ '{text}'. Kiểm tra lại mã hồ sơ trên giấy tiếp nhận.")


async def readable_id(user: Any, ref: int | str) -> int:
    """The id of dossier ``ref`` (its code, or its id: drafts have no code yet) when ``user`` may read
    it (``may_see``); ``not_found(ref)`` otherwise, exactly as for a dossier that does not exist.
    Every route that addresses a dossier calls this (or ``can_view``) before anything else."""
    from core.dossiers.tables import Dossier

    text = str(ref).strip()
    number = text.isascii() and text.isdigit()
    if number and len(text) <= 15:  # beyond any id: never hand SQLite an integer it cannot bind
        where = Dossier.id == int(text)
    elif text and not number:
        where = Dossier.code == text
    else:
        raise not_found(ref)
    row = (
        await Dossier.select(Dossier.id, Dossier.code, Dossier.applicant, Dossier.receiving_agency)
        .where(where)
        .first()
    )
    if row is None or user is None:
        raise not_found(ref)
    if row["applicant"] is not None and row["applicant"] == user.id:
        return row["id"]
    agencies = await staff_agencies(row["id"], row["receiving_agency"])
    if not may_see(user, row["applicant"], agencies):
        raise not_found(ref)
    reads.note(user, row["code"] or row["id"], row["receiving_agency"], agencies - {row["receiving_agency"]})
    return row["id"]


async def readable_view(user: Any, ref: int | str) -> DossierView:
    """The dossier ``ref`` (code or id) loaded for ``user``, who may read it; ``not_found(ref)`` otherwise."""
    from core.dossiers import service

    try:
        view = await service.get(ref)
    except NotFound:
        raise not_found(ref) from None
    if not can_view(user, view):
        raise not_found(ref)
    if user.id != view.applicant_id:
        steps = (s.agency.id for s in view.steps if step_reached(s.status, s.started_at))
        reads.note(user, view.code or view.id, view.receiving_agency.id, steps)
    return view


async def public_view(user: Any, code: str, key: str | None) -> DossierView:
    """The dossier ``code`` for its public status page (R36): anyone who may read it (its applicant,
    its staff) needs no key; anyone else needs the look-up key printed on the receipt. A wrong or
    missing key and an unknown code give the same ``not_found(code)``: a visitor learns nothing,
    not even that the code exists."""
    from core.dossiers import codes, service

    if not codes.is_valid_code(code):
        raise not_found(code)
    try:
        view = await service.get(code)
    except NotFound:
        raise not_found(code) from None
    if not (codes.lookup_key_matches(view.lookup_key, key) or (user is not None and can_view(user, view))):
        raise not_found(code)
    return view


def _step_actions(user: Any, view: DossierView, action: str) -> list[dict[str, Any]]:
    out = []
    needed = {
        "complete_step": "complete",
        "approve": "approve",
        "reject": "reject",
        "return_step": "return",
        "request_supplement": "supplement",
        "suspend": None,
    }[action]
    for s in view.active_steps():
        if not user.has_role(s.role, s.agency.id):
            continue
        if needed is not None and needed not in s.outcomes:
            continue
        if action == "return_step" and s.stage == min(x.stage for x in view.steps):
            continue
        out.append({"action": action, "step_id": s.id, "step": s.name, "agency": s.agency.name})
    return out


def allowed_actions(
    user: Any, view: DossierView, *, stop_pending: bool | None = None
) -> list[dict[str, Any]]:
    """``[{action, step_id?, step?, agency?}]`` the user may try now (roles and states, not inputs).

    ``stop_pending`` (whether a stop request waits for a decision, when the caller knows it) hides
    ``refuse_stop`` when none waits and ``request_stop`` when one already does."""
    if user is None:
        return []
    out = _allowed(user, view)
    if stop_pending is not None:
        hidden = "request_stop" if stop_pending else "refuse_stop"
        out = [a for a in out if a["action"] != hidden]
    return out


def _allowed(user: Any, view: DossierView) -> list[dict[str, Any]]:
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
                if view.applicant_id == user.id and action in ("resubmit", "stop", "request_stop"):
                    out.append({"action": action})
                    break
            elif "@" in who:
                role, where = who.split("@", 1)
                if where == "receiving":
                    agencies = [view.receiving_agency.id]
                elif where == "desk":
                    agencies = [view.receiving_agency.id] if view.applicant_id is None else []
                elif where == "late":
                    first = view.late_agency_id or view.receiving_agency.id
                    agencies = [first, *(s.agency.id for s in view.active_steps())]
                else:
                    agencies = [s.agency.id for s in view.active_steps()]
                if any(user.has_role(role, a) for a in agencies):
                    out.append({"action": action})
                    break
    return out
