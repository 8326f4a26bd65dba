"""The dossier lifecycle service: every state change is one call, one write transaction.

Each transition: lock the dossier (``SELECT … FOR UPDATE`` on PostgreSQL), check the action is in
``states.TRANSITIONS`` from the current state, check the actor holds the role at the agency that
holds the work, check ``version`` (a mismatch raises ``StaleVersion`` listing what changed, and
nothing changes), update the dossier (``version + 1``), append a ``DossierEvent`` (``seq`` =
the new version), append to the agency's audit chain, and call the ``after_transition`` hook, whose
implementations queue the event's dispatch, store the fee quote and request the legal forms and
result documents — all in the same transaction. Creating a dossier is such a transition too.

Re-exported to plugins as ``core.api.dossiers``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.contract.errors import InvalidInput
from core.contract.views import DossierView, EventView
from core.dossiers import actions as _actions
from core.dossiers.engine import Actor, Outcome, event_views, load_view, resolve_id, run_transition
from core.dossiers.intake import _apply_receive, _apply_submit, create, receive, submit

__all__ = (
    "create",
    "submit",
    "receive",
    "act",
    "perform",
    "get",
    "events",
    "request_supplement",
    "resubmit",
    "refuse_intake",
    "complete_step",
    "return_step",
    "approve",
    "reject",
    "mark_result_ready",
    "return_result",
    "stop",
    "suspend",
    "resume",
    "apologise",
    "close_unanswered",
    "flag_late",
    "ACTIONS",
)

ACTIONS = {
    "request_supplement": _actions.request_supplement,
    "resubmit": _actions.resubmit,
    "refuse_intake": _actions.refuse_intake,
    "complete_step": _actions.complete_step,
    "return_step": _actions.return_step,
    "approve": _actions.approve,
    "reject": _actions.reject,
    "mark_result_ready": _actions.mark_result_ready,
    "return_result": _actions.return_result,
    "stop": _actions.stop,
    "request_stop": _actions.request_stop,
    "refuse_stop": _actions.refuse_stop,
    "suspend": _actions.suspend,
    "resume": _actions.resume,
    "apologise": _actions.apologise,
    "close_unanswered": _actions.close_unanswered,
    "flag_late": _actions.flag_late,
}
"""Action name → the function that applies it inside ``run_transition``."""


async def act(
    dossier_id: int | str,
    action: str,
    *,
    actor: Actor,
    version: int | None,
    step_id: int | None = None,
    note: str = "",
    **params: Any,
) -> DossierView:
    """Apply ``action`` (any name of ``ACTIONS``; ``submit``/``receive`` too) in one transaction.

    Args:
        dossier_id: The dossier's id or code.
        action: The action name (``states.TRANSITIONS``).
        actor: The acting user (``UserView``), or None for system actions.
        version: The version the actor saw; None skips the check (system jobs only).
        step_id: The ``DossierStep`` row acted on, for step actions (inferred when the actor holds
            exactly one active step).
        note: Reason or remark; mandatory for refusals, supplements, returns, stops, suspensions.
        **params: Action-specific values (``items``, ``channel``, ``receiver``, ``new_due``, ``reason_code``…).

    Returns:
        The dossier after the change.
    """
    return await _run(
        dossier_id,
        action,
        actor=actor,
        version=version,
        step_id=step_id,
        note=note,
        params=params,
        reload=True,
    )


async def perform(
    dossier_id: int | str,
    action: str,
    *,
    actor: Actor,
    version: int | None,
    step_id: int | None = None,
    note: str = "",
    **params: Any,
) -> Outcome:
    """``act`` for pages that redirect afterwards: the same transition, returning only where it left
    the dossier (id, code, state, version) instead of reloading its view."""
    return await _run(
        dossier_id,
        action,
        actor=actor,
        version=version,
        step_id=step_id,
        note=note,
        params=params,
        reload=False,
    )


async def _run(dossier_id, action, *, actor, version, step_id, note, params, reload):
    note, params = _actions.parse_input(note, params)
    if action in ("submit", "receive"):  # intake actions take no parameters and no step
        apply, step_id, params = (_apply_submit if action == "submit" else _apply_receive), None, {}
    else:
        apply = ACTIONS.get(action)
        if apply is None:
            raise InvalidInput("Thao tác không tồn tại.", [("action", f"Không có thao tác '{action}'.")])
    return await run_transition(
        dossier_id,
        action,
        apply,
        actor=actor,
        version=version,
        step_id=step_id,
        note=note,
        params=params,
        reload=reload,
    )


async def get(dossier_id_or_code: int | str) -> DossierView:
    """The dossier with its steps; ``NotFound`` when there is none."""
    return await load_view(dossier_id_or_code)


async def events(dossier_id: int | str, *, since_version: int = 0) -> list[EventView]:
    """The dossier's events in order (those after ``since_version`` when given)."""
    return await event_views(await resolve_id(dossier_id), since_seq=since_version)


# --- named wrappers -------------------------------------------------------------------------------


async def request_supplement(
    dossier_id,
    step_id: int | None = None,
    *,
    actor,
    version,
    items: list[str] | None = None,
    reason: str = "",
    **params,
) -> DossierView:
    """Ask for the missing documents, all at once (form 02); at intake or from a step."""
    return await act(
        dossier_id,
        "request_supplement",
        actor=actor,
        version=version,
        step_id=step_id,
        note=reason,
        items=items or [],
        **params,
    )


async def resubmit(dossier_id, *, actor, version, note: str = "") -> DossierView:
    """The applicant supplied what was missing: back to where the dossier was."""
    return await act(dossier_id, "resubmit", actor=actor, version=version, note=note)


async def refuse_intake(dossier_id, *, actor, version, reasons: str) -> DossierView:
    """Refuse at intake with reasons (form 03)."""
    return await act(dossier_id, "refuse_intake", actor=actor, version=version, note=reasons)


async def complete_step(
    dossier_id, step_id: int | None = None, *, actor, version, note: str = ""
) -> DossierView:
    """Finish a step; the next stage starts when the whole stage is done."""
    return await act(dossier_id, "complete_step", actor=actor, version=version, step_id=step_id, note=note)


async def return_step(dossier_id, step_id: int | None = None, *, actor, version, reason: str) -> DossierView:
    """Send the dossier back to the previous stage's step(s), with the reason."""
    return await act(dossier_id, "return_step", actor=actor, version=version, step_id=step_id, note=reason)


async def approve(dossier_id, step_id: int | None = None, *, actor, version, note: str = "") -> DossierView:
    """Approve at a decision step (results are issued when the route ends)."""
    return await act(dossier_id, "approve", actor=actor, version=version, step_id=step_id, note=note)


async def reject(dossier_id, step_id: int | None = None, *, actor, version, reasons: str) -> DossierView:
    """Refuse after appraisal, with reasons (R28)."""
    return await act(dossier_id, "reject", actor=actor, version=version, step_id=step_id, note=reasons)


async def mark_result_ready(dossier_id, *, actor, version, note: str = "") -> DossierView:
    return await act(dossier_id, "mark_result_ready", actor=actor, version=version, note=note)


async def return_result(
    dossier_id,
    *,
    actor,
    version,
    channel: str,
    receiver: dict[str, Any],
    note: str = "",
    originals_received: bool = False,
) -> DossierView:
    """Hand the result over (counter/post/online) to the holder or an authorised person;
    ``originals_received``: the originals owed (copies or scans submitted, R30) were handed in."""
    return await act(
        dossier_id,
        "return_result",
        actor=actor,
        version=version,
        note=note,
        channel=channel,
        receiver=receiver,
        originals_received=originals_received,
    )


async def stop(dossier_id, *, actor, version, reason: str) -> DossierView:
    """Stop at the applicant's request (form 05), only before any decision (R27)."""
    return await act(dossier_id, "stop", actor=actor, version=version, note=reason)


async def suspend(
    dossier_id, step_id: int | None = None, *, actor, version, reason: str, reason_code: str = "appraisal"
) -> DossierView:
    return await act(
        dossier_id,
        "suspend",
        actor=actor,
        version=version,
        step_id=step_id,
        note=reason,
        reason_code=reason_code,
    )


async def resume(dossier_id, step_id: int | None = None, *, actor, version, note: str = "") -> DossierView:
    return await act(dossier_id, "resume", actor=actor, version=version, step_id=step_id, note=note)


async def apologise(dossier_id, *, actor, version, new_due: datetime | str, reason: str) -> DossierView:
    """Apologise for the delay and set a new appointment (form 04), once per agency (R23, R26)."""
    return await act(dossier_id, "apologise", actor=actor, version=version, note=reason, new_due=new_due)


async def close_unanswered(dossier_id, *, version: int | None = None, note: str = "") -> DossierView:
    """System: close a dossier whose supplement never came within the procedure's limit (R10)."""
    return await act(dossier_id, "close_unanswered", actor=None, version=version, note=note)


async def flag_late(dossier_id, *, version: int | None = None, note: str = "") -> DossierView:
    """System: record that the dossier's due passed, against the agency holding the overdue step."""
    return await act(dossier_id, "flag_late", actor=None, version=version, note=note)
