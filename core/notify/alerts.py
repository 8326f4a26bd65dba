"""Deadline alerts: when a dossier turns near-due (one working day or less left) and when it turns
overdue, its receiving clerk and the holder of each active step are told — in-app, and by e-mail on
the staff member's address (mail through SMTP when configured, otherwise kept on the outbox page).

The colours are the inbox's (``core.dossiers.inbox.colour_expression``: the clock's rule in the
receiving agency's sessions). The pass is set-based: one query finds the dossiers that are yellow or
red now, one the alerts already sent for them, one each the receiving clerks, the active steps and
the staff who hold them. Each alert is written under a unique key ``<dossier>:<colour>:<due>`` in the
same transaction as its messages, so the pass is idempotent: run twice (or by two processes) it tells
nobody twice; a new due (an apology's) is a new colour change. Scheduled every half hour after the
clock scan has flagged late dossiers; callable on demand.

Form 04 (R25): a dossier is "sắp quá hạn" with one working day or less left, and by then the unit
responsible for it (the agency of each active step; the receiving agency when no step is active)
must have issued its apology and new date. So the near-due pass also prompts that unit's leaders
(the ``approver`` role, who sign form 04 and may ``apologise``) to issue it now; and when the due
passes with no apology from that unit, the overdue pass escalates to the leaders of the agency above
it (its parent's approvers; for a unit with no parent, its own administrators and leaders). A unit
that apologised is neither prompted nor escalated.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from core.catalogue.registry import get_catalogue
from core.db.tx import raw, write_tx
from core.dossiers import engine, inbox, timing
from core.dossiers.routing import step_spec
from core.dossiers.states import OPEN_STATES
from core.identity.labels import role_label
from core.notify.tables import DeadlineAlert

__all__ = ("alert_pass", "alerts_job", "AlertSummary", "TEMPLATES")

log = logging.getLogger("motcua.notify.alerts")

TEMPLATES = {"yellow": "deadline_near", "red": "deadline_overdue"}
APOLOGY_TEMPLATES = {"yellow": "apology_prompt", "red": "apology_escalation"}
"""What the responsible unit's leaders are told (near due), and the level above when it has not (overdue)."""
_OPEN = sorted(s.value for s in OPEN_STATES)


@dataclass
class AlertSummary:
    alerted: dict[str, list[int]] = field(default_factory=lambda: {"yellow": [], "red": []})
    """Dossier ids alerted in this pass, by colour."""
    messages: int = 0
    """In-app messages written (each may come with an e-mail)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _marks(values) -> str:
    return ", ".join("{}" for _ in values)


def _key(dossier_id: int, colour: str, due: datetime) -> str:
    return f"{dossier_id}:{colour}:{timing.as_utc(due).isoformat(timespec='seconds')}"


def _when(value: datetime) -> str:
    return timing.as_utc(value).astimezone(timing.VN_TZ).strftime("%H:%M ngày %d/%m/%Y")


async def alert_pass(now: datetime | None = None, *, batch: int = 500) -> AlertSummary:
    """Alert every dossier that is yellow or red at ``now`` (default: the clock's now) and was not yet
    alerted for that colour and due."""
    from core.settings import get_settings

    now = now or engine.utcnow()
    summary = AlertSummary()
    colour_sql, colour_args = await inbox.colour_expression(now)
    due = "COALESCE(d.extended_due_at, d.due_at)"
    rows = await raw(
        f"SELECT * FROM (SELECT d.id, d.code, d.procedure_code, d.applicant_name, d.receiving_agency,"  # noqa: S608 - bound args
        f" {due} AS due, {colour_sql} AS colour FROM dossier d"
        f" WHERE d.state IN ({_marks(_OPEN)}) AND {due} IS NOT NULL) AS x"
        " WHERE x.colour IN ({}, {}) ORDER BY x.due, x.id LIMIT {}",
        *colour_args,
        *_OPEN,
        "yellow",
        "red",
        batch,
    )
    if not rows:
        return summary
    ids = [r["id"] for r in rows]
    sent = {
        r["key"]
        for r in await DeadlineAlert.select(DeadlineAlert.key).where(DeadlineAlert.dossier.is_in(ids))
    }
    todo = [r for r in rows if _key(r["id"], r["colour"], r["due"]) not in sent]
    if not todo:
        return summary
    ids = [r["id"] for r in todo]
    clerks = await _receiving_clerks(ids, {r["receiving_agency"] for r in todo})
    steps = await _active_steps(ids)
    apologised = await _apologised(ids)
    responsible = {
        r["id"]: sorted({s["agency"] for s in steps.get(r["id"], [])} or {r["receiving_agency"]})
        for r in todo
    }
    leaders = await _leaders(
        {a for r in todo for a in responsible[r["id"]] if (r["id"], a) not in apologised},
        escalate=any(r["colour"] == "red" for r in todo),
    )
    base_url = get_settings().base_url
    cat = get_catalogue()
    for r in todo:
        proc = cat.procedure(r["procedure_code"])
        wf = cat.workflows.get(proc.workflow) if proc else None
        dossier_steps = steps.get(r["id"], [])
        named = []
        recipients: dict[int, str] = {}  # user id -> e-mail
        for s in dossier_steps:
            spec = step_spec(wf, s["step_id"]) if wf else None
            holder = s["holders"][0]["full_name"] if s["assignee"] and s["holders"] else ""
            holder = holder or f"{role_label(s['role'])}, {s['agency_name']}"
            named.append((spec.name.vi if spec else s["step_id"], holder))
            for h in s["holders"]:
                recipients[h["id"]] = h["email"]
        for c in clerks.get(r["id"], []):
            recipients[c["id"]] = c["email"]
        code = r["code"] or str(r["id"])
        context = {
            "code": code,
            "procedure_name": proc.name.vi if proc else r["procedure_code"],
            "applicant_name": r["applicant_name"],
            "appointment": _when(r["due"]),
            "step_name": "; ".join(n for n, _ in named) or "chờ bộ phận một cửa",
            "holder": "; ".join(h for _, h in named) or "bộ phận tiếp nhận và trả kết quả",
            "link": f"{base_url}/ho-so/{code}",
        }
        extra: dict[int, str] = {}  # leaders told to issue form 04 (near due) or escalated to (overdue)
        late_units = []
        for agency_id in responsible[r["id"]]:
            if (r["id"], agency_id) in apologised:
                continue
            unit = leaders.get(agency_id)
            if unit is None:
                continue
            late_units.append(unit["name"])
            for h in unit["yellow" if r["colour"] == "yellow" else "red"]:
                extra[h["id"]] = h["email"]
        context["late_agency"] = "; ".join(late_units)
        written = await _alert_once(r, context, recipients, extra)
        if written is not None:
            summary.alerted[r["colour"]].append(r["id"])
            summary.messages += written
    if summary.messages:
        log.info(
            "deadline alerts: %d near due, %d overdue, %d messages",
            len(summary.alerted["yellow"]),
            len(summary.alerted["red"]),
            summary.messages,
        )
    return summary


async def _alert_once(
    row: dict,
    context: dict,
    recipients: dict[int, str],
    leaders: dict[int, str] | None = None,
    *,
    template: str | None = None,
) -> int | None:
    """Record the alert and write its messages in one transaction; None when another run did.
    ``leaders`` get the form 04 prompt (near due) or its escalation (overdue) instead."""
    leaders = leaders or {}
    from core.notify.service import notify

    key = _key(row["id"], row["colour"], row["due"])
    async with write_tx():
        inserted = (
            await DeadlineAlert.insert(
                DeadlineAlert(
                    key=key,
                    dossier=row["id"],
                    colour=row["colour"],
                    due_at=timing.as_utc(row["due"]),
                    recipients=len(recipients) + len(leaders),
                    created_at=engine.utcnow(),
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(DeadlineAlert.id)
        )
        if not inserted:
            return None
        for user_id, email in sorted(recipients.items()):
            await notify(
                TEMPLATES[row["colour"]],
                dossier_id=row["id"],
                user_id=user_id,
                to_email=email or "",
                context=context,
            )
        for user_id, email in sorted(leaders.items()):
            await notify(
                template or APOLOGY_TEMPLATES[row["colour"]],
                dossier_id=row["id"],
                user_id=user_id,
                to_email=email or "",
                context=context,
            )
    return len(recipients) + len(leaders)


async def _apologised(ids: list[int]) -> set[tuple[int, int]]:
    """``(dossier, agency)`` pairs where that agency has issued form 04 (an ``apologise`` event)."""
    return {
        (r["dossier"], r["agency"])
        for r in await raw(
            f"SELECT dossier, agency FROM dossier_event WHERE action = {{}} AND dossier IN ({_marks(ids)})",  # noqa: S608 - bound args
            "apologise",
            *ids,
        )
    }


async def _leaders(agencies: set[int], *, escalate: bool) -> dict[int, dict[str, Any]]:
    """For each responsible unit: its name, its leaders (``yellow``: the approvers, who sign form 04)
    and who an overdue dossier without form 04 is escalated to (``red``: the approvers of the agency
    above it; for a unit with no parent, its own administrators and approvers)."""
    if not agencies:
        return {}
    ids = sorted(agencies)
    units = {
        r["id"]: r
        for r in await raw(
            f"SELECT id, name, parent FROM agency WHERE id IN ({_marks(ids)})",  # noqa: S608 - bound args
            *ids,
        )
    }
    pairs = [(a, "approver") for a in ids]
    if escalate:
        pairs += [(u["parent"], "approver") for u in units.values() if u["parent"]]
        pairs += [(a, "agency_admin") for a, u in units.items() if not u["parent"]]
    holders = await _holders(pairs)
    out: dict[int, dict[str, Any]] = {}
    for a, u in units.items():
        own = holders.get((a, "approver"), [])
        if u["parent"]:
            above = holders.get((u["parent"], "approver"), [])
        else:
            above = holders.get((a, "agency_admin"), []) + own
        out[a] = {"name": u["name"], "yellow": own, "red": above}
    return out


async def _receiving_clerks(ids: list[int], agencies: set[int]) -> dict[int, list[dict]]:
    """The clerk who received each dossier (its ``receive`` event); for one received by nobody in
    particular, the receivers of its receiving agency."""
    out: dict[int, list[dict]] = defaultdict(list)
    for r in await raw(
        "SELECT e.dossier, u.id, u.email FROM dossier_event e JOIN motcua_user u ON u.id = e.actor"  # noqa: S608 - bound args
        f" WHERE e.action = {{}} AND e.dossier IN ({_marks(ids)}) AND u.active = {{}}",
        "receive",
        *ids,
        True,
    ):
        if all(c["id"] != r["id"] for c in out[r["dossier"]]):
            out[r["dossier"]].append({"id": r["id"], "email": r["email"]})
    missing = [i for i in ids if i not in out]
    if missing:
        desk = await _holders([(a, "receiver") for a in agencies])
        for r in await raw(
            f"SELECT id, receiving_agency FROM dossier WHERE id IN ({_marks(missing)})",  # noqa: S608 - bound args
            *missing,
        ):
            out[r["id"]] = desk.get((r["receiving_agency"], "receiver"), [])
    return out


async def _active_steps(ids: list[int]) -> dict[int, list[dict]]:
    """Each dossier's active steps with the staff holding them: the assignee, or everyone with the
    step's role at its agency."""
    steps = await raw(
        "SELECT s.dossier, s.step_id, s.role, s.agency, a.name AS agency_name, s.assignee,"  # noqa: S608 - bound args
        " u.full_name AS assignee_name, u.email AS assignee_email"
        " FROM dossier_step s JOIN agency a ON a.id = s.agency LEFT JOIN motcua_user u ON u.id = s.assignee"
        f" WHERE s.status = {{}} AND s.dossier IN ({_marks(ids)}) ORDER BY s.stage, s.id",
        "active",
        *ids,
    )
    pools = await _holders([(s["agency"], s["role"]) for s in steps if not s["assignee"]])
    out: dict[int, list[dict]] = defaultdict(list)
    for s in steps:
        if s["assignee"]:
            holders = [{"id": s["assignee"], "full_name": s["assignee_name"], "email": s["assignee_email"]}]
        else:
            holders = pools.get((s["agency"], s["role"]), [])
        out[s["dossier"]].append({**s, "holders": holders})
    return out


async def _holders(pairs: list[tuple[int, str]]) -> dict[tuple[int, str], list[dict]]:
    """Active staff holding each ``(agency, role)``: one query."""
    pairs = sorted(set(pairs))
    if not pairs:
        return {}
    agencies = sorted({a for a, _ in pairs})
    out: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for r in await raw(
        "SELECT g.agency, g.role, u.id, u.full_name, u.email FROM role_grant g"  # noqa: S608 - bound args
        ' JOIN motcua_user u ON u.id = g."user"'
        f" WHERE g.agency IN ({_marks(agencies)}) AND u.active = {{}} ORDER BY u.id",
        *agencies,
        True,
    ):
        if (r["agency"], r["role"]) in pairs:
            out[(r["agency"], r["role"])].append(
                {"id": r["id"], "full_name": r["full_name"], "email": r["email"]}
            )
    return out


APOLOGY_DAYS = 3
"""HCMC's rule (docs: the seeds): the apology letter goes out within 3 working days of the missed date."""


async def apology_reminders(now: datetime | None = None, *, batch: int = 500) -> list[int]:
    """Remind the leaders of each unit that made a dossier late (its ``late_agency``) and has not
    apologised, once ``APOLOGY_DAYS`` working days (the receiving agency's hours) have passed since the
    missed date; the agency above is told too. Once per dossier and due (``apology3`` alerts); returns
    the dossier ids reminded."""
    now = now or engine.utcnow()
    due = "COALESCE(d.extended_due_at, d.due_at)"
    rows = await raw(
        f"SELECT d.id, d.code, d.procedure_code, d.applicant_name, d.late_agency, {due} AS due,"  # noqa: S608 - bound args
        " a.work_sessions FROM dossier d JOIN agency a ON a.id = d.receiving_agency"
        f" WHERE d.late = {{}} AND d.late_agency IS NOT NULL AND d.state IN ({_marks(_OPEN)})"
        f" AND {due} < {{}} ORDER BY {due}, d.id LIMIT {{}}",
        True,
        *_OPEN,
        now,
        batch,
    )
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    apologised = await _apologised(ids)
    sent = {
        r["key"]
        for r in await DeadlineAlert.select(DeadlineAlert.key).where(DeadlineAlert.dossier.is_in(ids))
    }
    todo = []
    for r in rows:
        if (r["id"], r["late_agency"]) in apologised or _key(r["id"], "apology3", r["due"]) in sent:
            continue
        limit = await timing.add(r["due"], APOLOGY_DAYS * timing.MINUTES_PER_DAY, r["work_sessions"])
        if now >= limit:
            todo.append({**r, "colour": "apology3", "limit": limit})
    if not todo:
        return []
    from core.settings import get_settings

    leaders = await _leaders({r["late_agency"] for r in todo}, escalate=True)
    cat = get_catalogue()
    done = []
    for r in todo:
        unit = leaders.get(r["late_agency"]) or {"name": "", "yellow": [], "red": []}
        told = {h["id"]: h["email"] for h in unit["yellow"] + unit["red"]}
        proc = cat.procedure(r["procedure_code"])
        code = r["code"] or str(r["id"])
        context = {
            "code": code,
            "procedure_name": proc.name.vi if proc else r["procedure_code"],
            "applicant_name": r["applicant_name"],
            "appointment": _when(r["due"]),
            "late_agency": unit["name"],
            "reason": _when(r["limit"]),
            "link": f"{get_settings().base_url}/ho-so/{code}",
        }
        if await _alert_once(r, context, {}, told, template="apology_reminder") is not None:
            done.append(r["id"])
    return done


async def alerts_job(ctx: dict, **_kwargs) -> dict:
    """Job entry point (arq cron and the in-process runner)."""
    summary = (await alert_pass()).as_dict()
    summary["apology_reminders"] = await apology_reminders()
    return summary
