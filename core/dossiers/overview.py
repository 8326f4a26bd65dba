"""What the staff dossier page shows beyond the dossier's view: who holds each route step and since
when its clock runs, who holds the dossier now, the applicant's answers as people read them, and the
pending stop request. A fixed number of queries whatever the route's length.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date, datetime, timedelta
from typing import Any

from core.clock.deadlines import clock_start
from core.contract.views import DossierView, EventView
from core.dossiers import timing
from core.dossiers.states import BEFORE_DECISION
from core.dossiers.tables import DossierStep
from core.forms.engine import FieldValueError, display_value, normalise, shown

__all__ = ("route", "holder", "answers", "stop_request", "DESK_STATES", "APPLICANT_STATES")

DESK_STATES = frozenset({"draft", "submitted", "result_approved", "result_refused", "result_ready"})
"""States in which the receiving agency's desk holds the dossier (intake, and the result to hand back)."""
APPLICANT_STATES = frozenset({"supplement_requested"})
"""States in which the applicant holds it (the missing documents are theirs to bring)."""


async def route(view: DossierView) -> list[dict[str, Any]]:
    """One row per step of the dossier's route, in order: the step's view (``step``), the person who
    holds or held it (``holder``: the assignee, else who finished it; ``None``: anyone with the
    step's role at its agency), who handed it over (``handed_by``), and ``clock_from`` when the
    hand-over came outside working hours (the step's clock starts at the next working session)."""
    if not view.steps:
        return []
    rows = await DossierStep.select(
        DossierStep.id,
        DossierStep.assignee.full_name.as_alias("assignee_name"),
        DossierStep.finished_by.full_name.as_alias("finished_by_name"),
        DossierStep.handed_by.full_name.as_alias("handed_by_name"),
        DossierStep.agency.work_sessions.as_alias("sessions"),
    ).where(DossierStep.dossier == view.id)
    by_id = {r["id"]: r for r in rows}
    cal = await timing.calendar()
    out = []
    for s in view.steps:
        r = by_id.get(s.id, {})
        clock_from = None
        if s.started_at is not None and s.budget_minutes:
            start = clock_start(cal, timing.work_sessions(r.get("sessions")), s.started_at, None)
            if start - timing.as_utc(s.started_at) >= timedelta(minutes=1):
                clock_from = start
        late = s.outcome == "late" or s.colour == "red"
        out.append(
            {
                "step": s,
                "holder": r.get("assignee_name") or r.get("finished_by_name") or None,
                "handed_by": r.get("handed_by_name") or None,
                "clock_from": clock_from,
                "late": late,
            }
        )
    return out


def holder(view: DossierView, steps: list[dict[str, Any]]) -> dict[str, Any]:
    """Who holds the dossier now: ``{"kind": "steps", "steps": [...]}`` (the active steps' rows),
    ``{"kind": "desk", "agency": name}``, ``{"kind": "applicant"}`` or ``{"kind": "nobody"}``
    (a final state)."""
    active = [r for r in steps if r["step"].status == "active"]
    if active and view.state not in DESK_STATES:
        return {"kind": "steps", "steps": active}
    if view.state in APPLICANT_STATES:
        return {"kind": "applicant"}
    if view.state in DESK_STATES or view.state in ("received",):
        return {"kind": "desk", "agency": view.receiving_agency.name}
    if view.state == "suspended":
        return {"kind": "desk", "agency": view.receiving_agency.name}
    return {"kind": "nobody"}


def _shown_value(field: Any, raw: Any) -> str:
    try:
        value = normalise(field, raw)
    except FieldValueError:
        value = raw
    if isinstance(value, str) and field.widget == "date":
        with suppress(ValueError):
            value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return display_value(field, value)


def answers(view: DossierView, form: Any) -> list[dict[str, Any]]:
    """The applicant's answers by page of the procedure's form (``form``: its ``FormSpec``, or None),
    each ``{"label", "value"}`` shown as the forms engine shows answers (``display_value``); pages
    and fields hidden by ``show_if`` are left out; answers the form does not declare come last."""
    data = dict(view.data or {})
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    if form is not None:
        for page in form.pages:
            if not shown(page.show_if, data):
                seen.update(f.name for f in page.fields)
                continue
            rows = []
            for f in page.fields:
                seen.add(f.name)
                if not shown(f.show_if, data) or f.name not in data:
                    continue
                text = _shown_value(f, data[f.name])
                if text:
                    rows.append({"label": f.label, "value": text})
            if rows:
                out.append({"title": page.title, "rows": rows})
    rest = [
        {"label": k, "value": _plain(v)}
        for k, v in data.items()
        if k not in seen and not k.startswith("_") and _plain(v)
    ]
    if rest:
        out.append({"title": None, "rows": rest})
    return out


def _plain(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "Có" if value else "Không"
    return "" if value is None else str(value)


def stop_request(view: DossierView, events: list[EventView]) -> dict[str, Any] | None:
    """The applicant's stop request waiting for a leader's decision: ``{"at", "note", "by"}``, or None.

    Read from the events already loaded for the page (no query): a ``request_stop`` not yet answered
    by ``refuse_stop`` or ``stop``, on a dossier still before any decision (what ``stop_requested_at``
    records, and ``core.dossiers.stops`` lists)."""
    if view.state not in {s.value for s in BEFORE_DECISION}:
        return None
    last = next((e for e in reversed(events) if e.action in ("request_stop", "refuse_stop", "stop")), None)
    if last is None or last.action != "request_stop":
        return None
    return {"at": last.at, "note": last.note, "by": last.actor_name}
