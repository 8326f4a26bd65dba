"""The lifecycle's view of the clock: one adapter over ``core.clock`` (calendar, working time,
budgets, colours), so the engine asks its questions in one place.

All datetimes in and out are timezone-aware (stored in UTC, computed in Vietnam time).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from core.catalogue.snapshot import ProcedureSnapshot, decode, get_snapshot
from core.contract.specs import ProcedureSpec, WorkflowSpec

__all__ = (
    "VN_TZ",
    "MINUTES_PER_DAY",
    "Rules",
    "rules_for",
    "as_utc",
    "days_to_minutes",
    "deadline",
    "Deadline",
    "calendar",
    "work_sessions",
    "add",
    "working_minutes",
    "budgets",
    "appointment1",
    "colour",
    "outcome",
    "apology_cap_days",
    "sessions_loader",
)

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MINUTES_PER_DAY = 480
"""1 working day = 8 working hours (R14)."""


def as_utc(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def days_to_minutes(days: float) -> int:
    return round(days * MINUTES_PER_DAY)


@dataclass(frozen=True, slots=True)
class Rules:
    """The clock rules of the procedure version a dossier is bound to."""

    processing_days: float
    cutoff: time
    supplement_policy: str
    supplement_limit_days: int
    financial_obligation: bool
    remote_area_extra_days: int
    remote_area_basis: str = ""
    """The legal basis of ``remote_area_extra_days`` (R19), recorded with each extended clock."""

    @classmethod
    def from_snapshot(cls, snap: ProcedureSnapshot | Mapping[str, Any] | None, proc: ProcedureSpec) -> Rules:
        """The rules of a stored version; what it does not say, the declaration does."""
        if not isinstance(snap, ProcedureSnapshot):
            snap = decode(snap)

        def pick(value, default):
            return default if value is None else value

        return cls(
            processing_days=float(pick(snap.processing_days, proc.processing_days)),
            cutoff=snap.cutoff_time or proc.cutoff,
            supplement_policy=pick(snap.supplement_policy, proc.supplement_policy),
            supplement_limit_days=int(pick(snap.supplement_limit_days, proc.supplement_limit_days)),
            financial_obligation=bool(pick(snap.financial_obligation, proc.financial_obligation)),
            remote_area_extra_days=int(pick(snap.remote_area_extra_days, proc.remote_area_extra_days)),
            remote_area_basis=str(pick(snap.remote_area_basis, proc.remote_area_basis) or ""),
        )


async def rules_for(row: Mapping[str, Any], proc: ProcedureSpec) -> Rules:
    """Rules of the dossier's bound version (falls back to the declaration)."""
    snap = await get_snapshot(row["procedure_version"]) if row.get("procedure_version") else None
    return Rules.from_snapshot(snap, proc)


def _clock():
    from core.clock import deadlines

    return deadlines


async def calendar():
    """The working calendar (``core.clock.calendar.get_calendar``: cached per process)."""
    from core.clock.calendar import get_calendar
    from core.plugins import await_me_maybe

    return await await_me_maybe(get_calendar())


def work_sessions(sessions: Any):
    """``WorkSessions`` from an agency's ``work_sessions`` (a list, a JSON string, or None / empty for the
    default); a malformed value raises ``ValueError`` with a Vietnamese message."""
    return _clock().WorkSessions.from_json(sessions)


@dataclass(frozen=True, slots=True)
class Deadline:
    start: datetime
    due: datetime
    minutes: int
    explanation: tuple[str, ...] = ()


async def deadline(received_at: datetime, rules: Rules, agency: dict[str, Any]) -> Deadline:
    """Clock start and due of a dossier received at ``received_at`` by ``agency`` (cut-off, sessions,
    holidays, remote-area extra days), with the clock's explanation lines."""
    cal = await calendar()
    extra = rules.remote_area_extra_days if agency.get("remote_area") else 0
    d = _clock().due_for(
        cal,
        work_sessions(agency.get("work_sessions")),
        as_utc(received_at),
        rules.processing_days,
        rules.cutoff,
        extra_days=extra,
    )
    return Deadline(
        as_utc(d.start), as_utc(d.due), int(d.minutes), tuple(getattr(d, "explanation", ()) or ())
    )


async def add(start: datetime, minutes: int, sessions: Any) -> datetime:
    """``start`` plus ``minutes`` of working time in the agency's sessions."""
    cal = await calendar()
    return as_utc(_clock().add_working_minutes(cal, work_sessions(sessions), as_utc(start), int(minutes)))


async def working_minutes(start: datetime, end: datetime, sessions: Any) -> int:
    """Working minutes between two moments (0 when ``end`` is not after ``start``)."""
    if as_utc(end) <= as_utc(start):
        return 0
    cal = await calendar()
    return int(_clock().elapsed_minutes(cal, work_sessions(sessions), as_utc(start), as_utc(end), []))


def budgets(wf: WorkflowSpec, total_days: float) -> dict[str, int]:
    """Minutes of each step from the clock (suspending steps get none)."""
    got = _clock().step_budgets(wf.stages, total_days)
    if isinstance(got, dict):
        return {str(k): int(v) for k, v in got.items()}
    flat = [m for stage in got for m in stage] if got and isinstance(got[0], (list, tuple)) else list(got)
    return {s.id: int(m) for s, m in zip(wf.steps(), flat, strict=False)}


async def appointment1(
    start: datetime,
    wf: WorkflowSpec,
    step_minutes: dict[str, int],
    sessions: Any,
    processing_days: float = 0.0,
) -> datetime | None:
    """Appointment 1 of a financial-obligation procedure (R18): the intake budget, then the stages up
    to and including the one holding the step marked ``appointment=1`` (stages one after the other;
    parallel steps: the longest).

    The intake budget is the part of ``processing_days`` the route's steps do not take (the desk's
    half day of a transfer of rights: 0.5 + 4.5 = 5 working days before the slip goes to tax, R44; first
    registration 0.5 + 2 + 11.5 + 1 = 15, R45). Steps scaled down to fit leave none.
    """
    declared = sum(
        max((step_minutes.get(s.id, 0) for s in stage.steps if not s.suspends_for), default=0)
        for stage in wf.stages
    )
    total = max(0, round(processing_days * MINUTES_PER_DAY) - declared)
    for stage in wf.stages:
        total += max((step_minutes.get(s.id, 0) for s in stage.steps if not s.suspends_for), default=0)
        if any(s.appointment == 1 for s in stage.steps):
            return await add(start, total, sessions)
    return None


def colour(cal: Any, sessions: Any, now: datetime, due: datetime | None) -> str | None:
    """``green`` / ``yellow`` (≤ 1 working day left) / ``red`` (overdue), per the clock."""
    if due is None or cal is None:
        return None
    return _clock().colour(cal, work_sessions(sessions), as_utc(now), as_utc(due))


def apology_cap_days(processing_days: float) -> float:
    """The longest extension an apology may grant, in working days (clock's province setting)."""
    return float(_clock().apology_extension_cap(processing_days))


def outcome(finished: datetime, due: datetime | None) -> str:
    """``early`` / ``on_time`` / ``late`` of a step finished at ``finished`` (R22)."""
    if due is None:
        return "on_time"
    finished, due = as_utc(finished), as_utc(due)
    if finished > due:
        return "late"
    if finished.astimezone(VN_TZ).date() == due.astimezone(VN_TZ).date():
        return "on_time"
    return "early"


def sessions_loader(cache: dict[int, dict[str, Any]]):
    """``await loader(agency_id)`` → that agency's work sessions (cached per call site)."""
    from core.identity.tables import Agency

    async def load(agency_id: int) -> Any:
        row = cache.get(agency_id)
        if row is None:
            row = (
                await Agency.select(Agency.id, Agency.work_sessions)
                .where(Agency.id == agency_id)
                .first()
                .output(load_json=True)
            )
            row = cache[agency_id] = row or {"work_sessions": None}
        return row["work_sessions"]

    return load
