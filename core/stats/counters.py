"""What a transition or a payment counts (pure), and writing it: a fact row and its daily counter,
in the caller's transaction. The same ``facts_of`` feeds the incremental hook and the rebuild, so the
two cannot disagree on what is counted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from core.db.tx import is_postgres, raw
from core.dossiers.timing import VN_TZ, as_utc, outcome

__all__ = (
    "METRICS",
    "RESOLVED",
    "DECIDED_STATES",
    "LEFT_OPEN_STATES",
    "Fact",
    "facts_of",
    "payment_facts",
    "record",
    "vn_day",
    "ONLINE_METHOD_PREFIX",
)

RESOLVED: tuple[str, ...] = ("resolved_early", "resolved_on_time", "resolved_late")
"""A decision (result approved or refused) counted by its timeliness."""

METRICS: tuple[str, ...] = (
    "received",
    *RESOLVED,
    "left_open",
    "returned",
    "refused_intake",
    "stopped",
    "closed",
    "apologised",
    "paid",
    "paid_online",
)
"""Everything counted. ``left_open`` is a received dossier leaving processing (decided, stopped or
closed): in progress at the end of a day = received − left_open up to that day."""

DECIDED_STATES = frozenset({"result_approved", "result_refused"})
LEFT_OPEN_STATES = frozenset({"result_approved", "result_refused", "stopped", "closed"})

ONLINE_METHOD_PREFIX = "gateway:"
"""A payment made through an online payment platform (``core.fees``' ``method``)."""


@dataclass(frozen=True, slots=True)
class Fact:
    metric: str
    ref: str
    dossier: int
    agency: int
    procedure_code: str
    domain: str
    channel: str
    day: date


def vn_day(at: datetime) -> date:
    """The day in Vietnam of the instant ``at``."""
    return as_utc(at).astimezone(VN_TZ).date()


def _timeliness(dossier: Mapping[str, Any]) -> str:
    """``early`` / ``on_time`` / ``late`` of a decided dossier: late once a step overran or the
    appointment passed (an apology's new date does not make it on time), else by its finish day."""
    if dossier.get("late"):
        return "late"
    finished = dossier.get("finished_at")
    if finished is None:
        return "on_time"
    return outcome(finished, dossier.get("due_at"))


def facts_of(
    *, event_id: int, action: str, from_state: str, to_state: str, at: datetime, dossier: Mapping[str, Any]
) -> list[Fact]:
    """The facts one lifecycle event counts (none for most).

    Args:
        event_id: The event's id (the facts' ``ref``).
        action: The event's action.
        from_state: The state before.
        to_state: The state after.
        at: When it happened.
        dossier: The dossier's columns after the event (``receiving_agency`` as an id).
    """
    metrics: list[str] = []
    if action == "receive":
        metrics.append("received")
    if to_state in DECIDED_STATES and from_state not in DECIDED_STATES:
        metrics.append(f"resolved_{_timeliness(dossier)}")
    if (
        to_state in LEFT_OPEN_STATES
        and from_state not in LEFT_OPEN_STATES
        and dossier.get("received_at") is not None
    ):
        metrics.append("left_open")
    metrics.extend(
        {
            "return_result": ["returned"],
            "refuse_intake": ["refused_intake"],
            "stop": ["stopped"],
            "close_unanswered": ["closed"],
            "apologise": ["apologised"],
        }.get(action, [])
    )
    return [_fact(m, f"e{event_id}", dossier, at) for m in metrics]


def payment_facts(payment: Mapping[str, Any], dossier: Mapping[str, Any]) -> list[Fact]:
    """The facts of a settled payment: ``paid``, and ``paid_online`` when made through a platform."""
    if payment.get("kind") != "payment" or payment.get("status") != "paid":
        return []
    at = payment.get("paid_at") or payment["created_at"]
    out = [_fact("paid", f"p{payment['id']}", dossier, at)]
    if str(payment.get("method") or "").startswith(ONLINE_METHOD_PREFIX):
        out.append(_fact("paid_online", f"p{payment['id']}", dossier, at))
    return out


def _fact(metric: str, ref: str, dossier: Mapping[str, Any], at: datetime) -> Fact:
    agency = dossier["receiving_agency"]
    if isinstance(agency, Mapping):
        agency = agency["id"]
    return Fact(
        metric=metric,
        ref=ref,
        dossier=int(dossier["id"]),
        agency=int(agency),
        procedure_code=str(dossier["procedure_code"]),
        domain=str(dossier.get("domain") or ""),
        channel=str(dossier.get("channel") or ""),
        day=vn_day(at),
    )


def _day_param(day: date) -> Any:
    # asyncpg takes a date; SQLite stores Piccolo's Date as ISO text.
    return day if is_postgres() else day.isoformat()


async def record(facts: list[Fact]) -> int:
    """Write ``facts`` and add each to its daily counter, in the caller's transaction. A fact already
    written (same metric and ref: a retried delivery) is not counted again. Returns how many were new."""
    added = 0
    for f in facts:
        day = _day_param(f.day)
        inserted = await raw(
            "INSERT INTO stat_fact (metric, ref, dossier, agency, procedure_code, domain, channel, day) "
            "VALUES ({}, {}, {}, {}, {}, {}, {}, {}) ON CONFLICT (metric, ref) DO NOTHING RETURNING id",
            f.metric,
            f.ref,
            f.dossier,
            f.agency,
            f.procedure_code,
            f.domain,
            f.channel,
            day,
        )
        if not inserted:
            continue
        await raw(
            "INSERT INTO stat_counter (agency, procedure_code, domain, day, channel, metric, value) "
            "VALUES ({}, {}, {}, {}, {}, {}, 1) ON CONFLICT (agency, day, procedure_code, channel, metric) "
            "DO UPDATE SET value = stat_counter.value + 1",
            f.agency,
            f.procedure_code,
            f.domain,
            day,
            f.channel,
            f.metric,
        )
        added += 1
    return added
